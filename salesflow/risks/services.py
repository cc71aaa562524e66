"""Domain actions of the risk and opportunity register (ISO 9001 6.1); each writes its change and its event.

- `do_add_risk`: a new entry tied to a process of the library (``risk_added``);
- `do_update_risk`: change rating, treatment, status, owner or review date (``risk_changed``, old and new);
- `do_review_risk`: note that the entry was reviewed (e.g. in the management review) (``risk_reviewed``).

The events carry the whole entry, so the register can be rebuilt from the chain. Everyone on the staff
reads the register; the roles of the library right ``manage_risks`` change it.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from salesflow.engine.errors import BadInput, Conflict, NotPermitted
from salesflow.engine.state import EventDraft
from salesflow.people import access
from salesflow.records import eventlog
from salesflow.records.models import Process
from salesflow.records.services import NotFound, actorship, get_user, refuse_read_only
from salesflow.risks.models import KINDS, STATUSES, RiskEntry

#: The right (library settings, ``rights``) to add and change entries.
RIGHT = "manage_risks"
#: Fields an update may change.
EDITABLE = ("kind", "title", "description", "process", "likelihood", "impact", "treatment", "status", "owner",
            "review_date")
MAX_TITLE = 300
MAX_TEXT = 10_000


def may_manage(user: Any) -> bool:
    """True when ``user`` may add and change entries (the ``manage_risks`` right, not read-only)."""
    return access.has_right(user, RIGHT) and not access.is_read_only(user)


def _refuse(user: Any) -> None:
    refuse_read_only(user)
    if not may_manage(user):
        roles = ", ".join(sorted(access.roles_with_right(RIGHT))) or "no role"
        raise NotPermitted(f"changing the risk register needs the right {RIGHT} (roles: {roles})")


def _rating(name: str, value: Any) -> int:
    text = str(value).strip()
    if not text.isdigit() or not 1 <= int(text) <= 5:
        raise BadInput(f"{name}: a whole number from 1 to 5 expected, got {str(value)[:40]!r}")
    return int(text)


def _text(name: str, value: Any, limit: int, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise BadInput(f"{name}: a value is required")
    if len(text) > limit:
        raise BadInput(f"{name}: at most {limit} characters")
    return text


def clean(changes: dict[str, Any], partial: bool = False) -> dict[str, Any]:
    """Check and convert the values of an entry; raises `BadInput` naming the field and its bad value."""
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise BadInput(f"unknown field(s) {', '.join(unknown)} (fields: {', '.join(EDITABLE)})")
    values: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "kind":
            if value not in KINDS:
                raise BadInput(f"kind: one of {', '.join(KINDS)} expected, got {str(value)[:40]!r}")
            values[name] = value
        elif name == "status":
            if value not in STATUSES:
                raise BadInput(f"status: one of {', '.join(STATUSES)} expected, got {str(value)[:40]!r}")
            values[name] = value
        elif name in ("likelihood", "impact"):
            values[name] = _rating(name, value)
        elif name == "title":
            values[name] = _text(name, value, MAX_TITLE, required=True)
        elif name in ("description", "treatment"):
            values[name] = _text(name, value, MAX_TEXT)
        elif name == "process":
            key = str(value or "").strip()
            if not Process.objects.filter(key=key).exists():
                known = ", ".join(Process.objects.order_by("key").values_list("key", flat=True)) or "none"
                raise BadInput(f"process: unknown process {key[:64]!r} (processes: {known})")
            values[name] = key
        elif name == "owner":
            values[name] = get_user(value) if value not in (None, "") else None
        elif name == "review_date":
            values[name] = _date(value)
    if not partial:
        missing = [name for name in ("title", "process", "likelihood", "impact") if name not in values]
        if missing:
            raise BadInput(f"required field(s) missing: {', '.join(missing)}")
    return values


def _date(value: Any) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        raise BadInput(f"review_date: expected YYYY-MM-DD, got {str(value)[:40]!r}") from None


def risk_data(entry: RiskEntry) -> dict[str, Any]:
    """JSON-ready data of an entry (what the events carry and the CLI and API print)."""
    return {
        "id": entry.pk, "kind": entry.kind, "title": entry.title, "description": entry.description,
        "process": entry.process, "likelihood": entry.likelihood, "impact": entry.impact, "score": entry.score,
        "level": entry.level, "treatment": entry.treatment, "status": entry.status,
        "owner": entry.owner.username if entry.owner else None,
        "review_date": entry.review_date.isoformat() if entry.review_date else None,
        "last_reviewed_at": entry.last_reviewed_at.isoformat() if entry.last_reviewed_at else None,
        "created_at": entry.created_at.isoformat(), "updated_at": entry.updated_at.isoformat(),
        "event_seq": entry.event_seq,
    }


def _log(entry: RiskEntry, kind: str, user: Any, at: datetime.datetime, extra: dict[str, Any] | None = None) -> None:
    payload = {"risk": risk_data(entry), **(extra or {})}
    payload["risk"].pop("event_seq")
    event = eventlog.append([EventDraft(kind=kind, payload=payload)], actor=actorship(user), at=at)[0]
    entry.event_seq = event.seq
    entry.save(update_fields=["event_seq"])


def do_add_risk(user: Any, values: dict[str, Any], at: datetime.datetime | None = None) -> RiskEntry:
    """Add an entry to the register (``risk_added``)."""
    at = at or timezone.now()
    _refuse(user)
    cleaned = clean(values)
    cleaned.setdefault("owner", user)
    with transaction.atomic():
        entry = RiskEntry.objects.create(created_at=at, updated_at=at, **cleaned)
        _log(entry, "risk_added", user, at)
    return entry


def get_risk(risk_id: Any, user: Any) -> RiskEntry:
    """An entry by id (staff only; ``user`` None: the administrator's view). Raises `NotFound`."""
    text = str(risk_id).strip()[:20]
    entry = RiskEntry.objects.select_related("owner").filter(pk=int(text)).first() if text.isdigit() else None
    if entry is None or (user is not None and not access.is_staff_member(user)):
        raise NotFound(f"risk {text} not found")
    return entry


def do_update_risk(risk_id: Any, user: Any, changes: dict[str, Any],
                   at: datetime.datetime | None = None) -> RiskEntry:
    """Change fields of an entry (``risk_changed`` with the old and new values); nothing changed is a conflict."""
    at = at or timezone.now()
    _refuse(user)
    cleaned = clean(changes, partial=True)
    with transaction.atomic():
        entry = get_risk(risk_id, user)
        entry = RiskEntry.objects.select_for_update().get(pk=entry.pk)
        before = risk_data(entry)
        for name, value in cleaned.items():
            setattr(entry, name, value)
        after = risk_data(entry)
        changed = {name: {"old": before[name], "new": after[name]} for name in cleaned if before[name] != after[name]}
        if not changed:
            raise Conflict("nothing changed: the entry already holds these values")
        entry.updated_at = at
        entry.save()
        _log(entry, "risk_changed", user, at, {"changed": changed})
    return entry


def do_review_risk(risk_id: Any, user: Any, note: str = "", at: datetime.datetime | None = None) -> RiskEntry:
    """Record that the entry was reviewed (``risk_reviewed`` with the note)."""
    at = at or timezone.now()
    _refuse(user)
    note = _text("note", note, MAX_TEXT)
    with transaction.atomic():
        entry = RiskEntry.objects.select_for_update().filter(pk=get_risk(risk_id, user).pk).get()
        entry.last_reviewed_at = at
        entry.updated_at = at
        entry.save()
        _log(entry, "risk_reviewed", user, at, {"note": note})
    return entry


def list_risks(user: Any, process: str | None = None, status: str | None = None) -> list[RiskEntry]:
    """The entries (staff only; None: the administrator's view), highest score first; of a process or status."""
    if user is not None and not access.is_staff_member(user):
        return []
    query = RiskEntry.objects.select_related("owner")
    if process:
        query = query.filter(process=process)
    if status:
        if status not in STATUSES:
            raise BadInput(f"status: one of {', '.join(STATUSES)} expected, got {status[:40]!r}")
        query = query.filter(status=status)
    return sorted(query, key=lambda entry: (STATUSES.index(entry.status), -entry.score, entry.pk))


def register_summary(entries: list[RiskEntry]) -> dict[str, Any]:
    """Counts by kind, status and level, and the open entries (an input of the management review)."""
    summary: dict[str, Any] = {"total": len(entries), "by_kind": {}, "by_status": {}, "open_by_level": {}}
    for entry in entries:
        summary["by_kind"][entry.kind] = summary["by_kind"].get(entry.kind, 0) + 1
        summary["by_status"][entry.status] = summary["by_status"].get(entry.status, 0) + 1
        if entry.status != "closed":
            summary["open_by_level"][entry.level] = summary["open_by_level"].get(entry.level, 0) + 1
    summary["open"] = [{key: risk_data(entry)[key] for key in ("id", "kind", "title", "process", "score", "level",
                                                                "status", "treatment")}
                       for entry in entries if entry.status != "closed"][:100]
    return summary

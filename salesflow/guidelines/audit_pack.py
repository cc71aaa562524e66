"""The audit evidence pack: one zip for an auditor covering a period (ISO 9001 7.5 / 9.2, ISO 27001 A.5.15-A.5.18).

Contents: the approved guideline PDFs current in the period with the version history and its
approvals, the process map of the versions in force at the end of the period (``process-map.svg``), the training / acknowledgement matrix, the access-rights review, process-adherence
figures with every gate override and its reason (from the event log), the ISO 9001 sections the library
settings declare (risks 6.1, satisfaction 9.1.2, internal audits 9.2, management reviews 9.3,
nonconformities 10.2 in the default library; `iso_sections`, in English and German), the event-log chain
verification with its head hash, the newest signed checkpoint with its public key and the stand-alone
verifier (``event-log/``), an ``index.html`` linking everything, and ``manifest.json`` /
``SHA256SUMS`` listing every file with its SHA-256.

A pack is built as its reader (the web's signed-in user, ``salesflow audit pack --as USER``): an event
of a record the reader may not see is still counted and listed, but only as "a record you may not
see" — no id, title, reason, unmet requirement or amount. In the ISO sections a record, assessment or
risk entry the reader may not see does not exist at all (not counted either). Without a reader (the CLI's administrator
context) the pack names every record.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from salesflow.engine.errors import BadInput
from salesflow.guidelines import rendered_cache
from salesflow.guidelines.library_map import definitions_of
from salesflow.guidelines.process_map import build_process_map, render_map_svg
from salesflow.guidelines.publish import file_name
from salesflow.guidelines.training import training_matrix
from salesflow.records.eventlog import verify
from salesflow.records.models import Event, Process, ProcessVersion

#: The library right (library settings) to build the audit pack.
PACK_RIGHT = "audit_pack"
#: How the pack names a record its reader may not see.
HIDDEN_RECORD = "a record you may not see"
#: Payload keys of a security event kept when its record is hidden from the reader (all others are left out).
NEUTRAL_KEYS = ("via", "address")


class Reader:
    """Which records the pack's reader may see (None: every record, the administrator context)."""

    def __init__(self, user: Any | None) -> None:
        self.user = user
        self._visible: dict[int, bool] = {}

    def sees(self, record_id: int | None) -> bool:
        """True when the reader may see the record ``record_id`` (None: no record concerned)."""
        if self.user is None or record_id is None:
            return True
        if record_id not in self._visible:
            from salesflow.people import access

            self._visible[record_id] = access.visible_records(self.user).filter(pk=record_id).exists()
        return self._visible[record_id]

    def payload(self, record_id: int | None, payload: dict[str, Any]) -> dict[str, Any]:
        """A security event's payload, without what identifies or describes the event's record
        (``record_id``) when the reader may not see it."""
        if isinstance(payload.get("record_ids"), list) and self.user is not None:
            ids = payload["record_ids"]
            shown = [pk for pk in ids if isinstance(pk, int) and self.sees(pk)]
            payload = {**payload, "record_ids": shown}
            if len(shown) < len(ids):
                payload["hidden_records"] = f"{len(ids) - len(shown)} × {HIDDEN_RECORD}"
        if self.sees(record_id):
            return payload
        kept = {key: value for key, value in payload.items() if key in NEUTRAL_KEYS}
        return {**kept, "record": HIDDEN_RECORD}


@dataclass
class PackFile:
    """One file of the pack."""

    path: str
    title: str
    content: bytes
    kind: str = "evidence"


@dataclass
class AuditPack:
    """The files of a pack before zipping."""

    date_from: datetime.date
    date_to: datetime.date
    generated_at: datetime.datetime
    files: list[PackFile] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    #: called after every file with (files so far, files expected, the file's path in the zip)
    progress: Callable[[int, int, str], None] | None = None
    expected: int = 0

    def add(self, path: str, title: str, content: bytes | str, kind: str = "evidence") -> None:
        """Add a file (text is stored as UTF-8)."""
        data = content.encode("utf-8") if isinstance(content, str) else content
        self.files.append(PackFile(path, title, data, kind))
        if self.progress is not None:
            self.progress(len(self.files), max(self.expected, len(self.files) + 1), path)


def _window(date_from: datetime.date, date_to: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(date_from, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
    return start, end


def versions_current_in(start: datetime.datetime, end: datetime.datetime) -> list[ProcessVersion]:
    """Approved (possibly since obsoleted) versions that were in force at some time in [start, end)."""
    return list(ProcessVersion.objects.select_related("process")
                .filter(approved_at__lt=end).filter(Q(obsoleted_at__isnull=True) | Q(obsoleted_at__gt=start))
                .exclude(status__in=["draft", "in_review"]).order_by("process__key", "version"))


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"


def _version_row(version: ProcessVersion) -> dict[str, Any]:
    return {
        "version": version.version, "status": version.status, "sha256": version.sha256,
        "author": version.author_name, "reviewer": version.reviewer_name, "approver": version.approver_name,
        "change_note": version.change_note, "created_at": version.created_at, "submitted_at": version.submitted_at,
        "approved_at": version.approved_at, "effective_date": version.effective_date,
        "obsoleted_at": version.obsoleted_at,
    }


def _history(process: Process) -> dict[str, Any]:
    events = Event.objects.filter(process=process.key, kind__startswith="process_version_").order_by("seq")
    return {
        "process": process.key, "title": process.title_in("en"),
        "versions": [_version_row(version) for version in process.versions.order_by("version")],
        "events": [{"seq": event.seq, "kind": event.kind, "version": event.process_version, "at": event.at,
                    "actor": event.actor_name, "payload": event.payload} for event in events],
    }


def access_review(start: datetime.datetime, end: datetime.datetime, reader: Reader | None = None) -> dict[str, Any]:
    """Who holds which roles and teams, when they last signed in, and the access changes in the period."""
    reader = reader or Reader(None)
    users = []
    for user in get_user_model().objects.prefetch_related("roles", "teams").order_by("username"):
        users.append({
            "username": user.username, "name": user.display_name, "active": user.is_active,
            "superuser": user.is_superuser, "roles": sorted(role.id for role in user.roles.all()),
            "teams": sorted(team.name for team in user.teams.all()), "date_joined": user.date_joined,
            "last_login": user.last_login,
        })
    changes = Event.objects.filter(at__gte=start, at__lt=end).filter(
        Q(kind__startswith="security.") | Q(kind__startswith="user_") | Q(kind__startswith="role")
    ).exclude(kind__in=["security.login", "security.logout"]).order_by("seq")
    logins = Counter(Event.objects.filter(at__gte=start, at__lt=end, kind="security.login")
                     .values_list("actor_name", flat=True))
    return {
        "users": users,
        "changes": [{"seq": e.seq, "kind": e.kind, "at": e.at, "actor": e.actor_name,
                     "payload": reader.payload(e.record_id, e.payload or {})} for e in changes],
        "sign_ins_in_period": dict(sorted(logins.items())),
    }


def _override_row(event: Event, reader: Reader) -> dict[str, Any]:
    if not reader.sees(event.record_id):
        return {"seq": event.seq, "at": event.at, "record": None, "record_label": HIDDEN_RECORD,
                "process": event.process, "process_version": event.process_version, "from_stage": "",
                "to_stage": "", "by": "", "role": "", "reason": "", "unmet": [], "hidden": True}
    return {
        "seq": event.seq, "at": event.at, "record": event.record_id, "record_label": f"#{event.record_id}",
        "process": event.process, "process_version": event.process_version, "from_stage": event.from_stage,
        "to_stage": event.to_stage, "by": event.actor_name, "role": event.role,
        "reason": (event.payload or {}).get("reason", ""),
        "unmet": [item.get("message", "") for item in (event.payload or {}).get("unmet", [])], "hidden": False,
    }


def adherence(start: datetime.datetime, end: datetime.datetime, reader: Reader | None = None) -> dict[str, Any]:
    """Process-adherence figures per process and every gate override with its reason, from the event log.

    The figures count every record; an override of a record ``reader`` may not see is listed as
    "a record you may not see" without id, stages, actor, reason or unmet requirements.
    """
    reader = reader or Reader(None)
    events = Event.objects.filter(at__gte=start, at__lt=end, record__isnull=False)
    figures = []
    for key in sorted(set(events.values_list("process", flat=True))):
        mine = events.filter(process=key)
        forward = [event for event in mine.filter(kind="stage_changed")
                   if (event.payload or {}).get("direction") == "forward"]
        overridden = sum(1 for event in forward if (event.payload or {}).get("overridden"))
        closed = Counter((event.payload or {}).get("outcome") for event in mine.filter(kind="record_closed"))
        figures.append({
            "process": key, "records_created": mine.filter(kind="record_created").count(),
            "forward_moves": len(forward), "forward_moves_overridden": overridden,
            "adherence_percent": round(100 * (len(forward) - overridden) / len(forward), 1) if forward else None,
            "closed_won": closed.get("won", 0), "closed_lost": closed.get("lost", 0),
        })
    overrides = [_override_row(event, reader) for event in events.filter(kind="gate_overridden").order_by("seq")]
    return {"source": "event log", "processes": figures, "overrides": overrides}


def build_audit_pack(date_from: datetime.date, date_to: datetime.date,
                     languages: tuple[str, ...] = ("en",), user: Any | None = None,
                     progress: Callable[[int, int, str], None] | None = None) -> AuditPack:
    """Collect every evidence file for the period (inclusive dates), as ``user`` may see it (None: everything);
    ``progress(done, expected, path)`` is called after every file."""
    reader = Reader(user)
    if date_to < date_from:
        raise BadInput(f"--to {date_to} is before --from {date_from}")
    start, end = _window(date_from, date_to)
    pack = AuditPack(date_from, date_to, timezone.now())
    context: dict[str, Any] = {"pack": pack, "date_from": date_from, "date_to": date_to,
                               "generated_at": pack.generated_at}

    versions = versions_current_in(start, end)
    pack.progress = progress
    # guideline PDFs, process maps, two history files per process, the fixed evidence files and the index
    pack.expected = len(versions) * len(languages) + len(languages) + 2 * Process.objects.count() + 12
    # the guideline PDFs not cached yet render in worker processes while the rest of the pack is collected here;
    # they still come first in the pack
    wanted = [(version, language) for version in versions for language in languages]
    jobs, pdfs = rendered_cache.start_pdfs(wanted)
    with jobs:
        _collect_evidence(pack, context, versions, languages, reader, start, end)
        guideline_rows = []
        guideline_files = []
        for (version, language), content in zip(wanted, pdfs, strict=True):
            path = f"guidelines/{file_name(version, 'pdf', language)}"
            title = f"{version.process.title_in(language)} v{version.version} ({language})"
            guideline_files.append(PackFile(path, title, content, "guideline"))
            guideline_rows.append({"version": version, "language": language, "path": path})
            if progress is not None:
                done = len(pack.files) + len(guideline_files)
                progress(done, max(pack.expected, done + 1), path)
    pack.files[:0] = guideline_files
    context["guidelines"] = guideline_rows
    context["files"] = list(pack.files)
    pack.summary["guidelines"] = len(guideline_rows)
    pack.add("index.html", "Index", render_to_string("guidelines/pack/index.html", context), "index")
    return pack


def _collect_evidence(pack: AuditPack, context: dict[str, Any], versions: list[ProcessVersion],
                      languages: tuple[str, ...], reader: Reader, start: datetime.datetime,
                      end: datetime.datetime) -> None:
    """Every file of the pack but the guideline PDFs and the index; the summary and the index's context."""
    date_from, date_to = pack.date_from, pack.date_to
    definitions = definitions_of(versions)
    for index, language in enumerate(languages):
        path = "process-map.svg" if index == 0 else f"process-map-{language}.svg"
        pack.add(path, f"Process map: every process and its hand-offs ({language})",
                 render_map_svg(build_process_map(definitions, language)), "guideline")

    histories = []
    for process in Process.objects.order_by("key"):
        history = _history(process)
        base = f"history/{process.key}"
        pack.add(f"{base}.json", f"{process.key}: version history (data)", _json(history), "data")
        pack.add(f"{base}.html", f"{process.key}: version history",
                 render_to_string("guidelines/pack/history.html", {**context, "history": history}))
        histories.append({"process": process, "path": f"{base}.html", "data": f"{base}.json"})
    context["histories"] = histories

    matrix = training_matrix(today=date_to, at=end)
    pack.add("training/training-matrix.json", "Training matrix (data)", _json(matrix.to_data()), "data")
    pack.add("training/training-matrix.html", "Training and acknowledgement matrix",
             render_to_string("guidelines/pack/training.html", {**context, "matrix": matrix}))

    access = access_review(start, end, reader)
    pack.add("access/access-review.json", "Access-rights review (data)", _json(access), "data")
    pack.add("access/access-review.html", "Access-rights review",
             render_to_string("guidelines/pack/access.html", {**context, "access": access}))

    figures = adherence(start, end, reader)
    pack.add("adherence/process-adherence.json", "Process adherence and gate overrides (data)", _json(figures), "data")
    pack.add("adherence/process-adherence.html", "Process adherence and gate overrides",
             render_to_string("guidelines/pack/adherence.html", {**context, "adherence": figures}))

    from salesflow.guidelines.iso_sections import add_iso_sections

    context["iso_sections"] = add_iso_sections(pack, reader, start, end, context)

    chain = verify().to_data()
    pack.add("event-log/chain-verification.json", "Event-log chain verification", _json(chain), "data")
    from salesflow.records.backup import last_backups
    from salesflow.records.checkpoints import checkpoint_summary, pack_evidence

    for path, title, content in pack_evidence():
        pack.add(path, title, content, "data")
    context["checkpoints"] = checkpoint_summary()
    backups = last_backups()  # ISO 27001 A.8.13: the newest backup and the newest verified restore
    pack.add("event-log/backups.json", "Last backup and last verified restore", _json(backups), "data")
    context["backups"] = backups
    pack.summary = {"period": {"from": date_from, "to": date_to}, "guidelines": 0,
                    "processes": len(histories), "users": len(access["users"]),
                    "overrides": len(figures["overrides"]), "chain": chain,
                    "iso_sections": {row["clause"]: row["count"] for row in context["iso_sections"]},
                    "checkpoints": context["checkpoints"], "backups": backups}
    context["chain"] = chain
    context["summary"] = pack.summary


def manifest(pack: AuditPack) -> dict[str, Any]:
    """Every file of the pack with its SHA-256 and size."""
    return {
        "generator": "Salesflow audit pack", "generated_at": pack.generated_at,
        "period": {"from": pack.date_from, "to": pack.date_to},
        "files": [{"path": item.path, "title": item.title, "sha256": hashlib.sha256(item.content).hexdigest(),
                   "bytes": len(item.content)} for item in pack.files],
        "summary": pack.summary,
    }


def zip_pack(pack: AuditPack) -> bytes:
    """The pack as zip bytes with ``manifest.json`` and ``SHA256SUMS`` (sha256sum -c compatible)."""
    data = manifest(pack)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in pack.files:
            archive.writestr(item.path, item.content)
        archive.writestr("manifest.json", _json(data))
        archive.writestr("SHA256SUMS", "".join(f"{row['sha256']}  {row['path']}\n" for row in data["files"]))
    return buffer.getvalue()


def export_audit_pack(date_from: datetime.date, date_to: datetime.date, user: Any | None = None,
                      request: Any | None = None, languages: tuple[str, ...] = ("en",),
                      progress: Callable[[int, int, str], None] | None = None) -> bytes:
    """Build and zip the pack, and record the export as a security event (ISO 27001 A.8.15)."""
    pack = build_audit_pack(date_from, date_to, languages, user, progress)
    content = zip_pack(pack)
    from salesflow.people.security import log_security_event

    log_security_event("export", user, name="system", request=request, what="audit_pack",
                       period={"from": date_from.isoformat(), "to": date_to.isoformat()},
                       sha256=hashlib.sha256(content).hexdigest(), files=len(pack.files))
    return content

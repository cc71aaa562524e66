"""Setting, listing and importing sales targets (one transaction each; every change is an event).

A target's scope is the whole process, or one team, owner or opportunity type. Setting a target
for a period and scope that has one replaces its amount. A CSV import checks every line first and
stores all of them or none; a problem names the file, the line and the column.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from salesflow.analytics.models import Target
from salesflow.analytics.periods import parse_period
from salesflow.engine.errors import BadInput
from salesflow.engine.state import EventDraft
from salesflow.records import eventlog
from salesflow.records.models import Process

CSV_COLUMNS = ("period", "amount", "process", "team", "owner", "type", "currency")
REQUIRED_COLUMNS = ("period", "amount")


@dataclass
class TargetInput:
    """A target as given (checked by `check_target`)."""

    period: str
    amount: str
    process: str | None = None
    team: str | None = None
    owner: str | None = None
    type: str | None = None
    currency: str | None = None


def _process_key(process: str | None) -> str:
    keys = list(Process.objects.values_list("key", flat=True))
    if process:
        if process not in keys:
            raise BadInput(f"process: unknown process {process!r} (processes: {', '.join(keys) or 'none'})")
        return process
    if len(keys) == 1:
        return keys[0]
    # targets are revenue: without a process, the only opportunity process is meant
    selling = list(Process.objects.filter(record_type="opportunity").values_list("key", flat=True))
    if len(selling) == 1:
        return selling[0]
    raise BadInput(f"process: name the process (one of {', '.join(keys) or 'none loaded'})")


def _type_choices(process: str) -> list[str] | None:
    from salesflow.records.services import definition_of

    version = Process.objects.get(key=process).current_version()
    if version is None:
        return None
    declared = definition_of(version).fields.get("type")
    return declared.choice_ids() if declared is not None and declared.choices else None


def check_target(item: TargetInput) -> dict[str, Any]:
    """A checked target as model fields; raises `BadInput` naming the offending field."""
    from salesflow.people.models import Team, User

    period = parse_period(item.period)
    try:
        amount = Decimal(str(item.amount).strip().replace(" ", "").replace("_", ""))
    except (InvalidOperation, ValueError):
        raise BadInput(f"amount: a number is expected, got {item.amount!r}") from None
    if not amount.is_finite() or amount < 0:
        raise BadInput(f"amount: a number ≥ 0 is expected, got {item.amount!r}")
    process = _process_key((item.process or "").strip() or None)
    team, owner, kind = ((item.team or "").strip(), (item.owner or "").strip(), (item.type or "").strip())
    if sum(1 for value in (team, owner, kind) if value) > 1:
        raise BadInput("scope: give at most one of team, owner and type")
    if team and not Team.objects.filter(name=team).exists():
        known = ", ".join(Team.objects.values_list("name", flat=True)) or "none"
        raise BadInput(f"team: unknown team {team!r} (teams: {known})")
    if owner and not User.objects.filter(username=owner).exists():
        raise BadInput(f"owner: unknown user {owner!r}")
    if kind:
        choices = _type_choices(process)
        if choices is not None and kind not in choices:
            raise BadInput(f"type: unknown type {kind!r} (types: {', '.join(choices)})")
    from salesflow.currency.settings import corporate_currency

    currency = (item.currency or corporate_currency()).strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise BadInput(f"currency: a three-letter code is expected, got {item.currency!r}")
    return {"period": period.key, "process": process, "team": team, "owner": owner, "type": kind,
            "amount": amount.quantize(Decimal("0.01")), "currency": currency}


def _store(fields: dict[str, Any], by: Any | None) -> Target:
    scope = {key: fields[key] for key in ("period", "process", "team", "owner", "type")}
    target, _ = Target.objects.update_or_create(
        **scope, defaults={"amount": fields["amount"], "currency": fields["currency"],
                           "updated_by": by.username if by is not None else "system"})
    return target


def _log(targets: list[Target], by: Any | None, source: str) -> None:
    from salesflow.records.services import actorship

    drafts = [EventDraft(kind="target_set", payload={
        "period": target.period, "team": target.team, "owner": target.owner, "type": target.type,
        "amount": f"{target.amount:f}", "currency": target.currency, "source": source}) for target in targets]
    process = targets[0].process if len({target.process for target in targets}) == 1 else ""
    eventlog.append(drafts, actor=actorship(by), at=timezone.now(), process=process)


def do_set_target(item: TargetInput, by: Any | None = None) -> Target:
    """Set (or replace) one target."""
    fields = check_target(item)
    with transaction.atomic():
        target = _store(fields, by)
        _log([target], by, "set")
    return target


def do_delete_target(item: TargetInput, by: Any | None = None) -> int:
    """Remove the target of a period and scope; returns how many were removed (0 or 1)."""
    fields = check_target(TargetInput(**{**item.__dict__, "amount": item.amount or "0"}))
    scope = {key: fields[key] for key in ("period", "process", "team", "owner", "type")}
    with transaction.atomic():
        found = list(Target.objects.filter(**scope))
        for target in found:
            target.delete()
        if found:
            target = found[0]
            target.amount = Decimal("0")
            _log([target], by, "removed")
    return len(found)


def parse_targets_csv(text: str, name: str) -> list[dict[str, Any]]:
    """Check every line of a targets CSV; the first problem raises `BadInput` naming file, line and column."""
    reader = csv.DictReader(io.StringIO(text))
    header = [column.strip() for column in (reader.fieldnames or [])]
    if not header:
        raise BadInput(f"{name}: the file is empty (expected a header line: {', '.join(CSV_COLUMNS)})")
    unknown = [column for column in header if column not in CSV_COLUMNS]
    if unknown:
        raise BadInput(f"{name}:1: unknown column {unknown[0]!r} (columns: {', '.join(CSV_COLUMNS)})")
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise BadInput(f"{name}:1: column {missing[0]!r} is missing (required: {', '.join(REQUIRED_COLUMNS)})")
    reader.fieldnames = header
    checked = []
    for row in reader:
        line = reader.line_num
        if None in row:
            raise BadInput(f"{name}:{line}: more values than columns")
        values = {key: (value or "").strip() for key, value in row.items()}
        if not any(values.values()):
            continue
        try:
            checked.append(check_target(TargetInput(**{key: values.get(key) or None for key in CSV_COLUMNS})))
        except BadInput as error:
            column = error.message.split(":", 1)[0]
            raise BadInput(f"{name}:{line}: column {column}: {error.message.split(':', 1)[-1].strip()}") from None
    return checked


def import_targets_csv(path: str | Path, by: Any | None = None) -> list[Target]:
    """Import a CSV of targets (columns: period, amount[, process, team, owner, type, currency]): all or none."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise BadInput(f"{file}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise BadInput(f"{file}: cannot be read as UTF-8 text ({error})") from None
    return import_targets_text(text, str(file), by)


def import_targets_text(text: str, name: str, by: Any | None = None) -> list[Target]:
    """`import_targets_csv` from text (the web upload)."""
    checked = parse_targets_csv(text, name)
    if not checked:
        raise BadInput(f"{name}: no target in the file")
    with transaction.atomic():
        targets = [_store(fields, by) for fields in checked]
        _log(targets, by, f"import {Path(name).name}")
    return targets


def target_data(target: Target) -> dict[str, Any]:
    """A target as JSON-ready data."""
    return {"period": target.period, "process": target.process, "team": target.team or None,
            "owner": target.owner or None, "type": target.type or None, "amount": f"{target.amount:f}",
            "currency": target.currency, "updated_at": target.updated_at.isoformat(),
            "updated_by": target.updated_by}


def list_targets(period: str | None = None, process: str | None = None) -> list[Target]:
    """Targets, optionally of one period (exact key) and process."""
    query = Target.objects.all()
    if period:
        query = query.filter(period=parse_period(period).key)
    if process:
        query = query.filter(process=process)
    return list(query)

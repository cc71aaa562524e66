"""Moving the running records of a process to a newer approved version (``salesflow process migrate``).

`preview_migration` is the dry run: every running record the user may see that runs under an
earlier version, its mapped stage and what changes (`salesflow.engine.migration.Plan`).
`do_migrate_records` does the same in one transaction and writes one ``record_migrated`` event per
record — all records or none. Who may migrate is a right of the library settings
(``rights.migrate_records``); only the version in force (approved, not scheduled) can be the target.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from salesflow.engine import migration
from salesflow.engine.errors import BadInput, Conflict, NotPermitted
from salesflow.people import access
from salesflow.process.model import Status
from salesflow.records import eventlog
from salesflow.records.models import ProcessVersion, Record
from salesflow.records.services import NotFound, actorship, definition_of, get_process, refuse_read_only

#: The library-settings right that allows migrating records (``rights.migrate_records``).
MIGRATE_RIGHT = "migrate_records"


@dataclass
class MigrationItem:
    """One record of a migration with its plan."""

    record_id: int
    title: str
    owner: str
    plan: migration.Plan

    def to_data(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"id": self.record_id, "title": self.title, "owner": self.owner, **self.plan.to_data()}


@dataclass
class Migration:
    """A migration (planned or done) of one process's running records to a target version."""

    process: str
    to_version: int
    stage_map: dict[str, str]
    items: list[MigrationItem] = field(default_factory=list)
    dry_run: bool = True
    version: ProcessVersion | None = field(default=None, repr=False)
    records: dict[int, Record] = field(default_factory=dict, repr=False)
    states: dict[int, Any] = field(default_factory=dict, repr=False)

    def to_data(self) -> dict[str, Any]:
        """JSON-ready form (the contract of ``process migrate --json`` and ``POST /api/processes/{key}/migrate``)."""
        return {"process": self.process, "to_version": self.to_version, "dry_run": self.dry_run,
                "stage_map": dict(self.stage_map), "count": len(self.items),
                "moved": 0 if self.dry_run else len(self.items),
                "records": [item.to_data() for item in self.items]}


def parse_map(items: list[str]) -> dict[str, str]:
    """``["old=new", …]`` → ``{"old": "new"}``; raises `BadInput` naming a malformed item."""
    result: dict[str, str] = {}
    for item in items:
        source, _sep, target = item.partition("=")
        if not _sep or not source.strip() or not target.strip():
            raise BadInput(f"--map: expected OLD=NEW (stage ids), got {item!r}")
        result[source.strip()] = target.strip()
    return result


def check_right(user: Any) -> None:
    """Refuse users without the ``migrate_records`` right (read-only users never migrate)."""
    refuse_read_only(user)
    if not access.has_right(user, MIGRATE_RIGHT):
        roles = ", ".join(sorted(access.roles_with_right(MIGRATE_RIGHT))) or "nobody"
        raise NotPermitted(f"{user.display_name} may not migrate records: the library settings give the right "
                           f"{MIGRATE_RIGHT} to {roles}")


def target_version(process_key: str, number: int | str) -> ProcessVersion:
    """The target version: it must be the process's version in force (approved and in effect)."""
    process = get_process(process_key)
    try:
        wanted = int(str(number).lstrip("v"))
    except ValueError:
        raise BadInput(f"--to: a version is a number, got {number!r}") from None
    version = process.versions.filter(version=wanted).first()
    if version is None:
        raise NotFound(f"{process_key} has no version {wanted}")
    current = process.current_version()
    if version.status != Status.approved.value or version.scheduled or current is None or current.pk != version.pk:
        state = "approved, in force from " + version.effective_date.isoformat() if version.scheduled and \
            version.effective_date else version.status.replace("_", " ")
        in_force = f"v{current.version}" if current else "none"
        raise Conflict(f"{process_key} v{wanted} is {state}: only the approved version in force ({in_force}) "
                       "can be a migration target")
    return version


def stages_to_map(process_key: str, to: int | str, user: Any) -> list[tuple[str, list[str]]]:
    """Stages of running records (the user may see) that the target version no longer has, each with the
    target's open stages to choose from (what the web page asks to map)."""
    version = target_version(process_key, to)
    new = definition_of(version)
    stages = (access.visible_records(user, Record.objects.filter(
        process=version.process, closed_at__isnull=True, process_version__version__lt=version.version))
        .values_list("stage", flat=True).distinct())
    options = [stage.id for stage in new.open_stages]
    return [(stage, options) for stage in sorted(set(stages)) if not new.has_stage(stage)]


def _plan(process_key: str, to: int | str, stage_map: dict[str, str], user: Any, lock: bool) -> Migration:
    check_right(user)
    version = target_version(process_key, to)
    new = definition_of(version)
    records = (Record.objects.filter(process=version.process, closed_at__isnull=True,
                                     process_version__version__lt=version.version)
               .select_related("process_version", "owner").order_by("id"))
    rows = list(access.visible_records(user, records))
    if lock:  # the rows again, locked (a visibility filter's joins cannot be locked on every database)
        rows = list(Record.objects.select_for_update(of=("self",)).filter(pk__in=[row.pk for row in rows])
                    .select_related("process_version", "owner").order_by("id"))
    by_version: dict[int, list[Record]] = {}
    for record in rows:
        by_version.setdefault(record.process_version_id, []).append(record)
    result = Migration(process_key, version.version, dict(stage_map), dry_run=not lock, version=version)
    planned: dict[int, tuple[migration.Plan, Any]] = {}
    problems: list[str] = []
    for group in by_version.values():
        old = definition_of(group[0].process_version)
        used = {record.stage for record in group}
        explicit = {key: value for key, value in stage_map.items() if old.has_stage(key)}
        try:
            full = migration.stage_map(old, new, explicit, used)
        except BadInput as error:
            ids = ", ".join(f"#{record.pk}" for record in group if record.stage not in explicit
                            and not new.has_stage(record.stage))
            problems.append(f"{error}" + (f" — records {ids}" if ids else ""))
            continue
        for record in group:
            planned[record.pk] = migration.plan(old, new, record.to_state(), full)
    unknown = [key for key in stage_map if not any(definition_of(group[0].process_version).has_stage(key)
                                                  for group in by_version.values())]
    if unknown and by_version:
        problems.append(f"--map names stage(s) {', '.join(unknown)} that no running record's version has")
    if problems:
        raise BadInput("; ".join(problems) + "; nothing was changed")
    for record in rows:
        owner = record.owner.display_name if record.owner else ""
        result.items.append(MigrationItem(record.pk, record.title, owner, planned[record.pk][0]))
        result.records[record.pk] = record
        result.states[record.pk] = planned[record.pk][1]
    return result


def preview_migration(process_key: str, to: int | str, stage_map: dict[str, str], user: Any) -> Migration:
    """The dry run: every running record (the user may see) on an earlier version, its mapped stage and changes.

    Raises `NotPermitted` without the right, `Conflict` for a target not in force, `BadInput` for
    stages of running records that the target no longer has and the map leaves out.
    """
    return _plan(process_key, to, stage_map, user, lock=False)


def do_migrate_records(process_key: str, to: int | str, stage_map: dict[str, str], user: Any,
                       at: datetime.datetime | None = None) -> Migration:
    """Move the running records to the target version: one ``record_migrated`` event per record, all or nothing."""
    at = at or timezone.now()
    with transaction.atomic():
        result = _plan(process_key, to, stage_map, user, lock=True)
        version = result.version
        assert version is not None
        for item in result.items:
            record = result.records[item.record_id]
            stage_before = record.stage
            record.apply_state(result.states[item.record_id])
            record.process_version = version
            record.version += 1
            record.updated_at = at
            if record.stage != stage_before:
                record.stage_entered_at = at
            record.save()
            eventlog.append([migration.event(item.plan)], actor=actorship(user), at=at, record_id=record.pk,
                            process=process_key, process_version=version.version)
    return result

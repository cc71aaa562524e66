"""Writing records with their steps (stage entries, activities) — shared by the HubSpot, spreadsheet and XES importers.

An importer turns its file into `RecordIn` objects (checked, canonical values) and hands them to
`write_records` inside `run_import`'s transaction. Records and steps are linked through
`ExternalRef` (kinds ``record`` and ``event``): importing the same file again changes nothing; new
steps of a known record are appended; a record whose values changed is updated with imported
events for the difference.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from salesflow.interop.engine import (
    SYSTEM_ACTOR,
    AccountSpec,
    Actor,
    ImportSummary,
    ImportWriter,
    Snapshot,
    UserSpec,
    created_event,
    transition_events,
)
from salesflow.interop.progress import Progress, silent
from salesflow.records.eventlog import EventRow


@dataclass
class StepIn:
    """Something that happened to a record: a stage entered or an activity done."""

    external_id: str
    at: datetime.datetime
    stage: str | None = None
    activity: str | None = None
    actor: str | None = None  # external user id
    source: dict[str, Any] = field(default_factory=dict)


@dataclass
class RecordIn:
    """A record as an importer read it. ``stage`` None: the stage of its last stage step (or the first stage)."""

    external_id: str
    title: str
    stage: str | None = None
    amount: str | None = None
    currency: str = "EUR"
    close_date: str | None = None
    probability_override: int | None = None
    owner: str | None = None  # external user id
    account: str = ""
    account_ref: str = ""  # the source's id of the account (`link_accounts` sets customer_id from it)
    customer_id: int | None = None
    values: dict[str, Any] = field(default_factory=dict)
    classification: str | None = None
    created_at: datetime.datetime | None = None
    updated_at: datetime.datetime | None = None
    steps: list[StepIn] = field(default_factory=list)
    fingerprint: str = ""
    source: dict[str, Any] = field(default_factory=dict)


def link_accounts(writer: ImportWriter, records: list[RecordIn]) -> None:
    """Find or create the account of every record that names one (``account_ref`` and ``account``): linked by
    an earlier import, matched by normalised name, or created; sets each record's ``customer_id``."""
    specs: dict[str, AccountSpec] = {}
    for item in records:
        if item.account_ref and item.account:
            specs.setdefault(item.account_ref, AccountSpec(item.account_ref, item.account))
    accounts = writer.resolve_accounts(list(specs.values()))
    for item in records:
        if item.account_ref in accounts:
            item.customer_id = accounts[item.account_ref].pk


def write_records(writer: ImportWriter, records: list[RecordIn], users: list[UserSpec], *, record_kind: str = "record",
                  step_kind: str = "event", progress: Progress | None = None) -> None:
    """Create, update or leave unchanged each record; append its new steps as imported events."""
    summary: ImportSummary = writer.summary
    definition = writer.definition
    process, version = writer.process.key, writer.version.version
    first_stage = definition.first_stage.id
    actors = writer.resolve_users(users)

    def actor(external_id: str | None) -> Actor:
        return actors.get(external_id, SYSTEM_ACTOR) if external_id else SYSTEM_ACTOR

    advance = (progress or silent)("writing records", len(records))
    for start in range(0, len(records), 1000):
        part = records[start:start + 1000]
        refs = writer.existing_refs(record_kind, [item.external_id for item in part])
        existing = {record.pk: record for record in writer.process.records.filter(
            pk__in=[ref.local_id for ref in refs.values()])}
        step_refs = writer.existing_refs(step_kind, [step.external_id for item in part for step in item.steps])
        new_records, new_items = [], []
        links: dict[int, int] = {}  # existing record → the account it is to point at
        sources: dict[int, dict[str, Any]] = {}
        for item in part:
            steps = sorted(item.steps, key=lambda step: step.at)
            stage_steps = [step for step in steps if step.stage]
            final_stage = item.stage or (stage_steps[-1].stage if stage_steps else first_stage)
            final = Snapshot(final_stage, item.amount, item.close_date, item.probability_override)
            ref = refs.get(item.external_id)
            record = existing.get(ref.local_id) if ref else None
            if record is not None and item.customer_id is not None and record.customer_id != item.customer_id:
                links[record.pk], sources[record.pk] = item.customer_id, dict(item.source)
            if record is None:
                initial_stage = stage_steps[0].stage if stage_steps else final_stage
                created_at = min([moment for moment in [item.created_at, steps[0].at if steps else None] if moment]
                                 or [writer.now])
                current, entered_at = None, created_at
                for step in stage_steps:
                    if step.stage != current:
                        current, entered_at = step.stage, step.at
                if current != final_stage:
                    entered_at = item.updated_at or (steps[-1].at if steps else created_at)
                updated_at = max([moment for moment in [item.updated_at, steps[-1].at if steps else None,
                                                        entered_at, created_at] if moment])
                record = writer.new_record(
                    title=item.title, state=final, owner_id=actor(item.owner).id, account=item.account,
                    currency=item.currency, values=dict(item.values), created_at=created_at, updated_at=updated_at,
                    stage_entered_at=max(entered_at, created_at), classification=item.classification,
                    customer_id=item.customer_id)
                done = {step.activity: {"by": actor(step.actor).id, "by_name": actor(step.actor).name,
                                        "imported": True} for step in steps if step.activity}
                record.progress = {"done": done, "decisions": {}, "approvals": {}, "delegations": {}}
                new_records.append(record)
                initial = Snapshot(initial_stage, item.amount, item.close_date, None)
                new_items.append((item, steps, initial, created_at))
                continue
            if ref.fingerprint == item.fingerprint and all(step.external_id in step_refs for step in steps):
                summary.count("records_unchanged")
                continue
            state = writer.snapshot_of(record)
            last_at = record.updated_at
            rows, last_at, state = _step_events(writer, record.pk, steps, step_refs, state, actor, last_at, process,
                                                version, item)
            writer.add_events(rows)
            if ref.fingerprint != item.fingerprint:
                if state != final:
                    writer.add_events(transition_events(definition, process, version, state, final, writer.context(
                        record.pk, max(item.updated_at or last_at, last_at), SYSTEM_ACTOR,
                        {**item.source, "snapshot": True})))
                before = record.stage
                writer.add_events(_field_events(writer, record, item, actor, max(item.updated_at or last_at, last_at),
                                                final.stage, process, version))
                writer.apply_state(record, final)
                record.title = item.title[:2000]
                record.account = item.account or record.account
                record.currency = item.currency
                record.values = {**record.values, **item.values}
                if item.owner:
                    record.owner_id = actor(item.owner).id or record.owner_id
                if record.stage != before:
                    record.stage_entered_at = max(item.updated_at or last_at, last_at)
                record.closed_at = record.stage_entered_at if record.outcome else None
                ref.fingerprint = item.fingerprint
                ref.save(update_fields=["fingerprint"])
            record.updated_at = max(record.updated_at, last_at)
            record.version += 1
            record.save()
            summary.count("records_updated")
            writer.insert_refs(step_kind, [(step.external_id, record.pk, "", {}) for step in steps
                                           if step.external_id not in step_refs])
        writer.add_events(writer.link_customers(links, sources))
        writer.save_records(new_records)
        ref_rows, step_rows = [], []
        for (item, steps, initial, created_at), record in zip(new_items, new_records, strict=True):
            creator = actor(steps[0].actor if steps and steps[0].stage == initial.stage else item.owner)
            # Every column the record starts with, so that replaying its events gives the record
            # (``audit verify``): amount and close date as first seen, the classification it got.
            values = {"title": item.title, "currency": item.currency, "classification": record.classification,
                      **item.values}
            if item.account:
                values["account"] = item.account
            if initial.amount is not None:
                values["amount"] = initial.amount
            if initial.close_date:
                values["close_date"] = initial.close_date
            writer.add_events([created_event(
                process, version, initial, values, record.owner_id, definition.stage(initial.stage).probability,
                writer.context(record.pk, created_at, creator, item.source))])
            state = initial
            skip_first = bool(steps and steps[0].stage == initial.stage)
            rows, last_at, state = _step_events(writer, record.pk, steps[1:] if skip_first else steps, {}, state, actor,
                                                created_at, process, version, item)
            writer.add_events(rows)
            final = Snapshot(record.stage, item.amount, item.close_date, item.probability_override)
            if state != final:
                writer.add_events(transition_events(
                    definition, process, version, state, final,
                    writer.context(record.pk, max(item.updated_at or last_at, last_at), SYSTEM_ACTOR,
                                   {**item.source, "snapshot": True})))
            ref_rows.append((item.external_id, record.pk, item.fingerprint, dict(item.source)))
            step_rows.extend((step.external_id, record.pk, "", {}) for step in steps)
        writer.insert_refs(record_kind, ref_rows)
        writer.insert_refs(step_kind, step_rows)
        writer.flush_events()
        advance(len(part))


def _field_events(writer: ImportWriter, record: Any, item: RecordIn, actor: Any, at: datetime.datetime, stage: str,
                  process: str, version: int) -> list[EventRow]:
    """``field_changed`` events for what a re-import changes besides stage, amount, close date and probability
    (title, currency, owner, declared fields), so that replaying the record's events gives the record."""
    changes: list[tuple[str, Any, Any]] = [("title", record.title, item.title[:2000]),
                                           ("currency", record.currency, item.currency)]
    if item.owner and actor(item.owner).id:
        changes.append(("owner", record.owner_id, actor(item.owner).id))
    changes.extend((name, record.values.get(name), value) for name, value in item.values.items())
    return [EventRow(record_id=record.pk, kind="field_changed", at=at, actor_id=SYSTEM_ACTOR.id,
                     actor_name=SYSTEM_ACTOR.name, process=process, process_version=version, from_stage=stage,
                     payload={"field": name, "old": old, "new": new, "source": {**item.source, "snapshot": True}},
                     imported=True)
            for name, old, new in changes if old != new]


def _step_events(writer: ImportWriter, record_id: int, steps: list[StepIn], known: dict[str, Any], state: Snapshot,
                 actor: Any, last_at: datetime.datetime, process: str, version: int,
                 item: RecordIn) -> tuple[list[EventRow], datetime.datetime, Snapshot]:
    """Imported events for the steps not yet imported; the record's state and last time after them."""
    rows: list[EventRow] = []
    definition = writer.definition
    for step in steps:
        if step.external_id in known:
            continue
        who = actor(step.actor)
        at = max(step.at, last_at)
        source = {**item.source, **step.source}
        if step.stage and step.stage != state.stage:
            new = Snapshot(step.stage, state.amount, state.close_date, None)
            rows.extend(transition_events(definition, process, version, state, new,
                                          writer.context(record_id, at, who, source)))
            state = new
        elif step.activity:
            rows.append(EventRow(record_id=record_id, kind="activity_done", at=at, actor_id=who.id,
                                 actor_name=who.name, process=process, process_version=version,
                                 from_stage=state.stage, activity=step.activity,
                                 payload={"note": "", "source": source}, imported=True))
        last_at = at
    return rows, last_at, state

"""The quality loop on the engine: frozen inputs of a stage, and nonconformities raised by gate overrides.

- `freeze_inputs`: when a record enters a stage that declares ``freeze_inputs`` (e.g. a management review
  being held, ISO 9001 9.3.2), each input is assembled from the data by its ``source`` — reusing the
  reports (adherence, forecast accuracy), the assessments, the records of a kind, the training matrix and
  the risk register — and the whole is appended as one ``inputs_frozen`` event on the record. The event is
  what the review saw: pages read it back (`frozen_inputs`), later data never changes it, replay agrees.
- `raise_on_override`: when the library settings name a process in ``quality.raise_on_gate_override``,
  every gate override (outside that process) starts a record there, linked to the overridden record.

Nothing here names a process, stage or role of the default library: the YAML says which inputs and
which process.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Avg, Count, Q

from salesflow.engine import actions
from salesflow.engine.errors import EngineError
from salesflow.engine.state import EventDraft, Result
from salesflow.process.model import Classification, FieldType, FrozenInput, ProcessDefinition, Stage
from salesflow.records import eventlog
from salesflow.records.models import Event, Process, Record, RecordLink

#: Event kind of frozen inputs.
FROZEN = "inputs_frozen"
#: The most records an input of records lists one by one.
MAX_ITEMS = 100


def _window(item: FrozenInput, at: datetime.datetime) -> tuple[datetime.date, datetime.date]:
    end = at.date()
    return end - datetime.timedelta(days=item.days), end


def _adherence(item: FrozenInput, at: datetime.datetime) -> dict[str, Any]:
    return _report("adherence", item, at, by="type")


def _forecast_accuracy(item: FrozenInput, at: datetime.datetime) -> dict[str, Any]:
    return _report("accuracy", item, at)


def _report(kind: str, item: FrozenInput, at: datetime.datetime, by: str | None = None) -> dict[str, Any]:
    from salesflow.analytics.reports import run_report
    from salesflow.analytics.reports.base import Params
    from salesflow.analytics.source import data_for

    start, end = _window(item, at)
    with data_for("duckdb", None, now=at) as data:
        report = run_report(kind, data, Params(date_from=start, date_to=end, by=by, all_processes=True))
    result: dict[str, Any] = {"summary": report.summary, "report": kind, "from": start.isoformat(),
                              "to": end.isoformat()}
    main = report.tables.get(report.main) if hasattr(report, "main") else None
    if kind == "adherence" and main is not None:
        result["rows"] = [{"group": row["group"], "score": row.get("score"), "forward_moves": row["forward_moves"],
                           "gates_overridden": row["gates_overridden"], "sla_breaches": row["sla_breaches"]}
                          for row in main.rows]
    return result


def _assessments(item: FrozenInput, at: datetime.datetime) -> dict[str, Any]:
    from salesflow.quality.models import Assessment

    start, end = _window(item, at)
    rows = []
    for key in item.checklists:
        found = Assessment.objects.filter(checklist__key=key, date__gte=start, date__lte=end, created_at__lte=at)
        stats = found.aggregate(count=Count("id"), average=Avg("score_percent"), passed=Count("id", filter=Q(passed=True)),
                                critical=Count("id", filter=~Q(failed_critical=[])))
        count = stats["count"] or 0
        rows.append({"checklist": key, "assessments": count,
                     "average_score": round(float(stats["average"]), 1) if stats["average"] is not None else None,
                     "pass_rate": round(stats["passed"] / count, 4) if count else None,
                     "failed_critical": stats["critical"] or 0})
    total = sum(row["assessments"] for row in rows)
    scored = [row for row in rows if row["average_score"] is not None]
    average = (round(sum(row["average_score"] * row["assessments"] for row in scored) / total, 1)
               if total else None)
    return {"from": start.isoformat(), "to": end.isoformat(), "assessments": total, "average_score": average,
            "checklists": rows}


def _records(item: FrozenInput, at: datetime.datetime) -> dict[str, Any]:
    start, _end = _window(item, at)
    processes = list(Process.objects.filter(record_type=item.record).order_by("key"))
    records = Record.objects.filter(process__in=processes, created_at__lte=at).select_related("process")
    by_stage: dict[str, int] = {}
    items = []
    for record in records.order_by("id"):
        by_stage[record.stage] = by_stage.get(record.stage, 0) + 1
        if record.classification in (Classification.public.value, Classification.internal.value) \
                and len(items) < MAX_ITEMS:
            items.append({"id": record.pk, "title": record.title, "process": record.process.key,
                          "stage": record.stage, "outcome": record.outcome or None,
                          "created": record.created_at.date().isoformat()})
    open_count = sum(1 for record in records if not record.outcome)
    return {"record": item.record, "processes": [process.key for process in processes], "total": len(records),
            "open": open_count, "closed": len(records) - open_count, "by_stage": dict(sorted(by_stage.items())),
            "created_since": records.filter(created_at__date__gte=start).count(), "items": items}


def _training(item: FrozenInput, at: datetime.datetime) -> dict[str, Any]:
    from salesflow.guidelines.training import training_matrix

    counts = training_matrix(today=at.date()).counts()
    asked = sum(counts.values())
    done = counts.get("acknowledged", 0)
    return {"counts": counts, "coverage": round(done / asked, 4) if asked else None}


def _risks(item: FrozenInput, at: datetime.datetime) -> dict[str, Any]:
    from salesflow.risks.models import STATUSES, RiskEntry
    from salesflow.risks.services import register_summary

    entries = sorted(RiskEntry.objects.filter(created_at__lte=at),
                     key=lambda entry: (STATUSES.index(entry.status), -entry.score, entry.pk))
    return register_summary(entries)


#: source → the function assembling that input.
SOURCES: dict[str, Callable[[FrozenInput, datetime.datetime], dict[str, Any]]] = {
    "adherence": _adherence, "forecast_accuracy": _forecast_accuracy, "assessments": _assessments,
    "records": _records, "training": _training, "risks": _risks,
}


def _plain(data: Any) -> Any:
    """JSON-safe data (dates and decimals as text): what the event stores."""
    def default(value: Any) -> Any:
        if isinstance(value, (datetime.date, datetime.datetime, Decimal)):
            return str(value)
        return repr(value)
    return json.loads(json.dumps(data, default=default))


def assemble(stage: Stage, at: datetime.datetime) -> list[dict[str, Any]]:
    """Every input the stage declares, assembled as of ``at`` (an input that fails says why, the others stay)."""
    inputs = []
    for item in stage.freeze_inputs:
        entry: dict[str, Any] = {"id": item.id, "source": item.source.value,
                                 "title": dict(item.title) if item.title else {"en": item.id}}
        try:
            with transaction.atomic():
                entry["data"] = _plain(SOURCES[item.source.value](item, at))
        except (EngineError, ValueError, LookupError) as error:
            entry["error"] = str(getattr(error, "message", error))[:500]
        inputs.append(entry)
    return inputs


def freeze_inputs(record: Record, definition: ProcessDefinition, user: Any | None, at: datetime.datetime,
                  role: str = "") -> Event | None:
    """Append the ``inputs_frozen`` event of the stage the record is in (None when it declares no inputs)."""
    stage = definition.stage(record.stage)
    if not stage.freeze_inputs:
        return None
    from salesflow.records.services import actorship

    payload = {"stage": stage.id, "as_of": at.isoformat(), "inputs": assemble(stage, at)}
    return eventlog.append([EventDraft(kind=FROZEN, role=role, from_stage=stage.id, payload=payload)],
                           actor=actorship(user), at=at, record_id=record.pk, process=record.process.key,
                           process_version=record.process_version.version)[0]


def frozen_inputs(record: Record) -> dict[str, Any] | None:
    """The inputs last frozen on the record (from its event), or None."""
    event = Event.objects.filter(record=record, kind=FROZEN).order_by("-seq").first()
    if event is None:
        return None
    return {"seq": event.seq, "at": event.at, "stage": event.payload.get("stage"),
            "inputs": event.payload.get("inputs", [])}


# --- nonconformities raised by gate overrides ---------------------------------------------------------

def _holder(role: str) -> Any | None:
    """The first active user holding ``role`` (by id), or None."""
    from salesflow.people.models import User

    return User.objects.filter(is_active=True, roles__id=role).order_by("id").first()


def raise_on_override(record: Record, definition: ProcessDefinition, result: Result, user: Any | None,
                      at: datetime.datetime) -> Record | None:
    """Start a record in the process the library settings name for gate overrides (None when none applies)."""
    overrides = [event for event in result.events if event.kind == "gate_overridden"]
    if not overrides or user is None:
        return None
    from salesflow.people import access

    key = access.policy().settings.quality.raise_on_gate_override
    if not key or key == record.process.key:
        return None
    process = Process.objects.filter(key=key).first()
    version = process.current_version() if process is not None and process.retired_at is None else None
    if version is None:
        return None
    from salesflow.records.services import actor_for, actorship, definition_of

    target = definition_of(version)
    override = overrides[0]
    reason = str(override.payload.get("reason", ""))
    unmet = "; ".join(str(item.get("message", "")) for item in override.payload.get("unmet", []))
    description = (f"Gate override on {definition.record} {record.pk} ({record.title}) from {override.from_stage} to "
                   f"{override.to_stage}. Reason: {reason}. Unmet: {unmet}")[:10_000]
    values: dict[str, Any] = {"title": f"Gate override: {record.title}"[:300]}
    for name, field in target.fields.items():
        if field.type == FieldType.text and field.required and field.default is None:
            values[name] = description
        elif field.type == FieldType.choice and "gate_override" in field.choice_ids():
            values[name] = "gate_override"
    owner = _holder(target.guideline.responsible) or user
    try:
        with transaction.atomic():
            creation = actions.create(target, actor_for(user), values, owner.pk, handed_over_by=override.role)
            raised = Record(process=process, process_version=version, created_at=at, updated_at=at,
                            stage_entered_at=at, customer_id=record.customer_id, account=record.account)
            raised.apply_state(creation.state)
            raised.save()
            RecordLink.objects.create(source=record, target=raised, kind=target.record, created_at=at)
            eventlog.append([*creation.events,
                             EventDraft(kind="nonconformity_raised", role=override.role,
                                        payload={"gate_override": {"record": record.pk, "from": override.from_stage,
                                                                   "to": override.to_stage, "reason": reason}})],
                            actor=actorship(user), at=at, record_id=raised.pk, process=process.key,
                            process_version=version.version)
            eventlog.append([EventDraft(kind="link_added", role=override.role, from_stage=record.stage,
                                        payload={"target": raised.pk, "kind": target.record, "process": key})],
                            actor=actorship(user), at=at, record_id=record.pk, process=record.process.key,
                            process_version=record.process_version.version)
    except EngineError:
        return None
    return raised


def _pct(value: Any, scale: float = 1.0) -> str:
    return "–" if value is None else f"{float(value) * scale:.1f} %"


def figures(item: dict[str, Any]) -> list[tuple[str, str]]:
    """The key figures of a frozen input as (label, value) pairs in the active language."""
    from django.utils.translation import gettext as _

    data = item.get("data") or {}
    source = item.get("source")
    if source == "adherence":
        summary = data.get("summary", {})
        return [(_("Adherence score"), _pct(summary.get("score"))), (_("Gates"), str(summary.get("forward_moves", 0))),
                (_("Overridden"), str(summary.get("gates_overridden", 0))),
                (_("SLA breaches"), str(summary.get("sla_breaches", 0)))]
    if source == "forecast_accuracy":
        summary = data.get("summary", {})
        return [(_("Snapshots"), str(summary.get("snapshots", 0))), (_("MAPE"), _pct(summary.get("mape"), 100)),
                (_("Bias"), _pct(summary.get("bias"), 100))]
    if source == "assessments":
        return [(_("Assessments"), str(data.get("assessments", 0))), (_("Average score"), _pct(data.get("average_score")))]
    if source == "records":
        return [(_("Total"), str(data.get("total", 0))), (_("Open"), str(data.get("open", 0))),
                (_("Closed"), str(data.get("closed", 0)))]
    if source == "training":
        return [(_("Coverage"), _pct(data.get("coverage"), 100))]
    if source == "risks":
        levels = data.get("open_by_level", {})
        return [(_("Open"), str(len(data.get("open", [])))), (_("High"), str(levels.get("high", 0))),
                (_("Medium"), str(levels.get("medium", 0))), (_("Low"), str(levels.get("low", 0)))]
    return []


def headline(item: dict[str, Any]) -> str:
    """The key figures of a frozen input on one line."""
    return ", ".join(f"{label} {value}" for label, value in figures(item))

"""``/api/processes``: the process library (read only), each process as its current version defines it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from salesflow.api.errors import responses
from salesflow.api.schemas import MigrateIn, MigrationOut, ProcessList, ProcessOut, Text
from salesflow.process.model import ProcessDefinition, Requirements
from salesflow.records import services
from salesflow.records.models import Process, ProcessVersion

router = Router(tags=["processes"])


def _requirements(requires: Requirements | None) -> dict[str, list[str]] | None:
    if requires is None:
        return None
    return {"activities": list(requires.activities), "fields": list(requires.fields),
            "approvals": list(requires.approvals)}


def _text(value: Any) -> dict[str, str] | None:
    return dict(value) if value else None


def definition_data(definition: ProcessDefinition) -> dict[str, Any]:
    """Stages (with activities and gates), roles, approvals and fields of a definition."""
    stages = []
    for stage in definition.stages:
        gate = stage.gate
        stages.append({
            "id": stage.id, "title": _text(stage.title) or {"en": stage.display_title()},
            "probability": stage.probability, "forecast_category": stage.effective_forecast_category().value,
            "max_days": stage.max_days, "outcome": stage.outcome.value if stage.outcome else None,
            "activities": [{"id": activity.id, "title": dict(activity.title), "responsible": activity.responsible,
                            "accountable": activity.accountable, "required": activity.required,
                            "customer_contact": activity.customer_contact} for activity in stage.activities],
            "gate": {"decision": _text(gate.decision), "decided_by": gate.decided_by,
                     "delegable_to": list(gate.delegable_to), "requires": _requirements(gate.requires)}
            if gate else None,
            "requires": _requirements(stage.requires),
        })
    return {
        "description": _text(definition.description),
        "responsible": definition.guideline.responsible,
        "stages": stages,
        "roles": [{"id": role_id, "title": dict(role.title)} for role_id, role in definition.roles.items()],
        "approvals": [{"id": approval_id, "title": dict(approval.title), "role": approval.role,
                       "by_amount": [{"up_to": band.up_to, "role": band.role} for band in approval.by_amount]}
                      for approval_id, approval in definition.approvals.items()],
        "fields": [{"name": name, "type": field.type.value, "title": _text(field.title), "required": field.required,
                    "choices": field.choice_ids()} for name, field in definition.fields.items()],
    }


def process_data(process: Process) -> dict[str, Any] | None:
    """A process as its current approved version (else its newest) defines it; None without versions."""
    current = process.current_version()
    version: ProcessVersion | None = current or process.versions.order_by("-version").first()
    if version is None:
        return None
    return {"key": process.key, "title": dict(process.title) or {"en": process.key},
            "record_type": process.record_type, "version": version.version, "status": version.status,
            "current": current is not None, **definition_data(services.definition_of(version))}


@router.get("", response=responses({200: ProcessList}), summary="List processes", operation_id="list_processes")
def list_processes(request: HttpRequest) -> dict[str, Any]:
    """Every process of the library with its stages, roles, approvals and fields."""
    items = [data for data in (process_data(process) for process in Process.objects.order_by("key")) if data]
    return {"count": len(items), "items": items}


@router.get("/{key}", response=responses({200: ProcessOut}, 400, 404), summary="Read a process",
            operation_id="get_process")
def get_process(request: HttpRequest, key: Text) -> dict[str, Any]:
    """One process by key."""
    data = process_data(services.get_process(key))
    if data is None:
        raise services.NotFound(f"process {key} has no version")
    return data


@router.post("/{key}/migrate", response=responses({200: MigrationOut}, 400, 403, 404, 409),
             summary="Migrate running records to a newer version", operation_id="migrate_process_records")
def migrate_records(request: HttpRequest, key: Text, payload: MigrateIn) -> dict[str, Any]:
    """Move the running records (that the caller may see) to the approved version in force, with a stage map.

    ``dry_run`` (the default) lists every record with its mapped stage and what changes; otherwise they
    move, one ``record_migrated`` event each. Needs the library-settings right ``migrate_records``; a
    stage the target no longer has must be mapped (400, nothing changed); a target not in force is 409.
    """
    from salesflow.records.migration import do_migrate_records, preview_migration

    run = preview_migration if payload.dry_run else do_migrate_records
    return run(key, payload.to, dict(payload.map), request.auth).to_data()

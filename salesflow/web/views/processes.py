"""The process library as readable pages: each process with its guideline, roles, stages, activities and gates."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from salesflow.process.model import ProcessDefinition
from salesflow.records import services
from salesflow.records.models import Process
from salesflow.web import labels, presenters
from salesflow.web.templatetags.salesflow_web import current_language


@login_required
@require_GET
def process_list(request: HttpRequest) -> HttpResponse:
    """Every process of the library with its current version."""
    language = current_language()
    rows = []
    for process in Process.objects.order_by("key"):
        version = process.current_version() or process.versions.order_by("-version").first()
        definition = services.definition_of(version) if version else None
        rows.append({
            "process": process, "title": process.title_in(language), "version": version,
            "description": definition.description.get_text(language) if definition and definition.description else "",
            "stages": [stage.display_title(language) for stage in definition.stages] if definition else [],
            "responsible": definition.role_title(definition.guideline.responsible, language) if definition else "",
        })
    return render(request, "web/process_list.html", {"rows": rows})


def _requirements(definition: ProcessDefinition, requires: Any, language: str) -> list[str]:
    if requires is None:
        return []
    activities = definition.activities()
    texts = [activities[item][1].title.get_text(language) for item in requires.activities if item in activities]
    texts += [presenters.field_title(definition, item, language) for item in requires.fields]
    texts += [definition.approvals[item].title.get_text(language) for item in requires.approvals
              if item in definition.approvals]
    return texts


@login_required
@require_GET
def process_detail(request: HttpRequest, key: str) -> HttpResponse:
    """One process: guideline metadata, roles and tasks, stages with activities (RACI) and gates, approvals."""
    language = current_language()
    process = Process.objects.filter(key=key).first()
    if process is None:
        raise Http404
    version = process.current_version() or process.versions.order_by("-version").first()
    if version is None:
        raise Http404
    definition = services.definition_of(version)
    guideline = definition.guideline
    stages = []
    for stage in definition.stages:
        gate = stage.gate
        stages.append({
            "id": stage.id, "title": stage.display_title(language), "probability": stage.probability,
            "forecast": stage.effective_forecast_category().value, "max_days": stage.max_days,
            "outcome": stage.outcome.value if stage.outcome else "",
            "description": stage.description.get_text(language) if stage.description else "",
            "activities": [{"id": activity.id, "title": activity.title.get_text(language),
                            "description": activity.description.get_text(language) if activity.description else "",
                            "raci": presenters.raci(definition, activity, language), "required": activity.required,
                            "customer_contact": activity.customer_contact,
                            "requires": _requirements(definition, activity.requires, language)}
                           for activity in stage.activities],
            "gate": {
                "decision": gate.decision.get_text(language) if gate and gate.decision else "",
                "decided_by": definition.role_title(gate.decided_by, language) if gate and gate.decided_by else "",
                "delegable_to": presenters.role_titles(definition, gate.delegable_to, language) if gate else [],
                "on_no": gate.on_no.get_text(language) if gate and gate.on_no else "",
                "requires": _requirements(definition, definition.gate_requirements(stage), language),
            } if not stage.is_outcome else None,
            "entry": _requirements(definition, stage.requires, language),
        })
    approvals = [{"title": approval.title.get_text(language),
                  "description": approval.description.get_text(language) if approval.description else "",
                  "fixed_role": definition.role_title(approval.role, language) if approval.role else "",
                  "bands": [{"up_to": band.up_to, "role": definition.role_title(band.role, language)}
                            for band in approval.by_amount]}
                 for approval in definition.approvals.values()]
    rights = [(labels.label(labels.RIGHTS, name), presenters.role_titles(definition, roles, language))
              for name, roles in definition.rights.model_dump().items() if roles]
    context = {
        "process": process, "version": version, "definition": definition,
        "title": definition.title_text(language),
        "description": definition.description.get_text(language) if definition.description else "",
        "guideline": {
            "responsible": definition.role_title(guideline.responsible, language),
            "associated_process": guideline.associated_process.get_text(language),
            "status": guideline.status.value, "classification": guideline.classification.value,
            "goal": guideline.goal.get_text(language) if guideline.goal else "",
            "scope": guideline.scope.get_text(language) if guideline.scope else "",
            "inputs": [item.get_text(language) for item in guideline.inputs],
            "outputs": [item.get_text(language) for item in guideline.outputs],
            "notes": [item.get_text(language) for item in guideline.notes],
            "depends_on": guideline.depends_on,
        },
        "roles": [{"id": role_id, "title": role.title.get_text(language),
                   "description": role.description.get_text(language) if role.description else "",
                   "tasks": [task.get_text(language) for task in role.tasks]}
                  for role_id, role in definition.roles.items()],
        "stages": stages, "approvals": approvals, "rights": rights,
    }
    return render(request, "web/process_detail.html", context)

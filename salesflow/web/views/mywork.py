"""My work: what waits for me first (decisions, approvals, consultations), my notifications, then my own work.

Candidates are narrowed in SQL (visible, open, in a stage that asks something of one of my roles)
and then checked by the engine's own gate functions; each list shows at most `LIMIT` entries.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from salesflow.engine import authority
from salesflow.engine.gates import approval_holds, decision_holds, gate_unmet, record_amount
from salesflow.process.model import ProcessDefinition
from salesflow.records import asks, queries, services
from salesflow.records.models import Process
from salesflow.web import presenters, relative
from salesflow.web.templatetags.salesflow_web import current_language
from salesflow.web.views.notifications import notification_groups
from salesflow.web.views.records import HEAVY

LIMIT = 50
#: How many candidate records are examined per list at most (keeps the page fast for oversight roles).
SCAN = 2000


def current_definitions() -> list[tuple[Process, ProcessDefinition]]:
    """Every process with its current approved definition."""
    from salesflow.process.model import Status
    from salesflow.records.models import ProcessVersion

    current: dict[int, Any] = {}
    for version in ProcessVersion.objects.filter(status=Status.approved.value, scheduled=False).order_by(
            "process_id", "-version"):  # one query, whatever the size of the library
        current.setdefault(version.process_id, version)
    return [(process, services.definition_of(current[process.pk])) for process in Process.objects.order_by("key")
            if process.pk in current]


def _open_visible(user: Any) -> Any:
    return queries.records_for(user, queries.RecordFilter(status="open", sort="stage_entered")).defer(*HEAVY)


def _stream(query: Any) -> Any:
    """Candidates one chunk at a time, so a list can stop as soon as it is full."""
    return query[:SCAN].iterator(chunk_size=200)


def decisions_for(user: Any, language: str) -> list[dict[str, Any]]:
    """Open records whose gate is ready except for a decision I may take (by role or delegation)."""
    actor = services.actor_for(user)
    roles = user.role_ids()
    wanted = Q(pk__in=[])
    for process, definition in current_definitions():
        for stage in definition.open_stages:
            if not (stage.gate and stage.gate.decision):
                continue
            in_stage = Q(process=process, stage=stage.id)
            if stage.gate.decided_by in roles:
                wanted |= in_stage
            elif set(stage.gate.delegable_to) & roles:
                wanted |= in_stage & (Q(**{f"progress__delegations__{stage.id}__user_id": user.pk})
                                      | Q(progress__delegations__has_key="*"))
    found = []
    for record in _stream(_open_visible(user).filter(wanted)):
        definition = services.definition_of(record.process_version)
        state = record.to_state()
        stage = definition.stage(record.stage)
        if decision_holds(state, stage) or gate_unmet(definition, state, stage, language):
            continue
        if authority.decider_role(definition, state, stage, actor) is None:
            continue
        found.append({"record": record, "question": stage.gate.decision.get_text(language),
                      "stage": stage.display_title(language), "days": presenters.days_in_stage(record)})
        if len(found) >= LIMIT:
            break
    known = asks.latest_asks([item["record"].pk for item in found])
    for item in found:
        ask = known.get((item["record"].pk, "decision", item["record"].stage))
        item["ask"] = ask if ask is not None and ask.open else None
    return requested_first(found)


def requested_first(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What someone asked me for first (oldest request first), then the rest in their order."""
    asked = sorted((item for item in items if item.get("ask")), key=lambda item: item["ask"].at)
    return asked + [item for item in items if not item.get("ask")]


def approvals_for(user: Any, language: str) -> list[dict[str, Any]]:
    """Approvals the current stage needs that I may grant for the record's amount."""
    actor = services.actor_for(user)
    wanted = Q(pk__in=[])
    stage_approvals: dict[tuple[int, str], list[str]] = {}
    for process, definition in current_definitions():
        for stage in definition.open_stages:
            needed = list(definition.gate_requirements(stage).approvals)
            for activity in stage.activities:
                if activity.requires:
                    needed += [item for item in activity.requires.approvals if item not in needed]
            if needed:
                stage_approvals[(process.pk, stage.id)] = needed
                wanted |= Q(process=process, stage=stage.id)
    found = []
    for record in _stream(_open_visible(user).filter(wanted).exclude(amount=None)):
        definition = services.definition_of(record.process_version)
        state = record.to_state()
        for approval_id in stage_approvals.get((record.process_id, record.stage), []):
            if approval_id not in definition.approvals or approval_holds(definition, state, approval_id):
                continue
            approval = definition.approvals[approval_id]
            amount = record_amount(state)
            if authority.approval_role(approval, amount, actor) is None:
                continue
            band = authority.band_for(approval, amount) if approval.by_amount and amount is not None else None
            band_role = approval.by_amount[band].role if band is not None else approval.role
            found.append({"record": record, "id": approval_id, "title": approval.title.get_text(language),
                          "amount": amount, "band_role": definition.role_title(band_role or "", language)})
        if len(found) >= LIMIT:
            break
    known = asks.latest_asks([item["record"].pk for item in found])
    waiting = []
    for item in found[:LIMIT]:
        ask = known.get((item["record"].pk, "approval", item["id"]))
        if ask is not None and ask.refused:
            continue  # refused: it waits for the requester, not for me, until it is asked for again
        item["ask"] = ask if ask is not None and ask.open else None
        waiting.append(item)
    return requested_first(waiting)


def overdue_for(user: Any, language: str) -> list[dict[str, Any]]:
    """My open records that have been in their stage longer than the stage's time limit."""
    now = timezone.now()
    wanted = Q(pk__in=[])
    for process, definition in current_definitions():
        for stage in definition.open_stages:
            if stage.max_days is not None:
                wanted |= Q(process=process, stage=stage.id,
                            stage_entered_at__lt=now - datetime.timedelta(days=stage.max_days))
    found = []
    for record in _open_visible(user).filter(owner=user).filter(wanted)[:LIMIT]:
        definition = services.definition_of(record.process_version)
        stage = definition.stage(record.stage)
        found.append({"record": record, "stage": stage.display_title(language),
                      "days": presenters.days_in_stage(record, now), "max_days": stage.max_days})
    return found


def stale_for(user: Any, language: str) -> list[dict[str, Any]]:
    """My open records without any event for longer than their stage's ``stale_days``."""
    from salesflow.records import hygiene

    now = timezone.now()
    wanted = Q(pk__in=[])
    for process, definition in current_definitions():
        for stage in definition.open_stages:
            if stage.stale_days is not None:  # untouched records first narrowed in SQL, then checked on the log
                wanted |= Q(process=process, stage=stage.id,
                            updated_at__lt=now - datetime.timedelta(days=stage.stale_days))
    records = list(_open_visible(user).filter(owner=user).filter(wanted)[:SCAN])
    info = hygiene.stale_info(records, now)
    found = []
    for record in records:
        item = info.get(record.pk)
        if item and item["stale"]:
            stage = services.definition_of(record.process_version).stage(record.stage)
            found.append({"record": record, "stage": stage.display_title(language), **item})
    found.sort(key=lambda item: -item["days"])
    return found[:LIMIT]


def stale_section(user: Any, language: str) -> Section | None:
    """My stale records (only shown when there are any)."""
    items = stale_for(user, language)
    return Section("stale", "web/my_work/stale.html", items, total=len(items)) if items else None


def activities_for(user: Any, language: str, limit: int = LIMIT) -> list[dict[str, Any]]:
    """Open activities of the current stage that my roles may do, on records I own or where a field names me.

    Only activities whose RACI (responsible, accountable, ``done_by``) or a delegated decision lets me do
    them; another role's work on my record is theirs, not mine. The overdue ones first.
    """
    named = Q(owner=user)
    for _process, definition in current_definitions():
        for name, declared in definition.fields.items():
            if declared.type.value == "user":
                named |= Q(**{f"values__{name}": user.pk})
    roles = user.role_ids()
    actor = services.actor_for(user)
    found = []
    today = timezone.localdate()
    for record in _stream(_open_visible(user).filter(named)):
        definition = services.definition_of(record.process_version)
        state = record.to_state()
        stage = definition.stage(record.stage)
        named_roles = {declared.role for name, declared in definition.fields.items()
                       if declared.type.value == "user" and declared.role and state.values.get(name) == user.pk}
        for activity in stage.activities:
            if activity.id in state.done:
                continue
            mine = record.owner_id == user.pk or activity.responsible in named_roles & roles
            if not mine or authority.activity_role(definition, state, actor, activity.id) is None:
                continue
            due = None
            if activity.max_days is not None:
                due = timezone.localdate(record.stage_entered_at + datetime.timedelta(days=activity.max_days))
            found.append({"record": record, "title": activity.title.get_text(language),
                          "stage": stage.display_title(language), "required": activity.required,
                          "responsible": definition.role_title(activity.responsible, language),
                          "due": due, "overdue": bool(due and due < today),
                          "relative": relative.due_view(due, today)})
        if len(found) >= limit:
            break
    found.sort(key=lambda item: (item["due"] is None, item["due"] or today))
    return found[:limit]


def consultations_for(user: Any, language: str) -> list[dict[str, Any]]:
    """Consultation requests to one of my roles on records I may see, not answered yet (oldest first)."""
    from salesflow.people import access
    from salesflow.records.models import Consultation

    requests = (Consultation.objects.filter(answered_at__isnull=True, role__in=list(user.role_ids()),
                                            record__in=access.visible_records(user).values("pk"))
                .select_related("record", "record__process_version").order_by("requested_at", "pk")[:LIMIT])
    found = []
    for request in requests:
        definition = services.definition_of(request.record.process_version)
        activities = definition.activities()
        title = activities[request.activity][1].title.get_text(language) if request.activity in activities \
            else request.activity
        found.append({"record": request.record, "activity": request.activity, "title": title,
                      "role": definition.role_title(request.role, language), "question": request.question,
                      "asked_by": request.requested_by_name, "asked_at": request.requested_at})
    return found


@dataclass
class Section:
    """One section of My work: its anchor, its template (which reads ``section.items``) and its entries.

    ``waiting`` sections (what someone waits for from me) come first. Other features add their sections
    to `SECTIONS` (a builder taking the user and the language, returning a `Section` or None).
    """

    id: str
    template: str
    items: list[dict[str, Any]] = field(default_factory=list)
    waiting: bool = False
    total: int = 0
    shown: int = 0


def decisions_section(user: Any, language: str) -> Section:
    """Decisions waiting for me (requested ones first)."""
    items = decisions_for(user, language)
    return Section("decisions", "web/my_work/decisions.html", items, waiting=True, total=len(items))


def approvals_section(user: Any, language: str) -> Section:
    """Approvals waiting for me (requested ones first; refused ones wait for the requester)."""
    items = approvals_for(user, language)
    return Section("approvals", "web/my_work/approvals.html", items, waiting=True, total=len(items))


def consultations_section(user: Any, language: str) -> Section | None:
    """Consultation requests to my roles (only shown when there are any)."""
    items = consultations_for(user, language)
    return Section("consultations", "web/my_work/consultations.html", items, waiting=True,
                   total=len(items)) if items else None


def overdue_section(user: Any, language: str) -> Section:
    """My records past their stage's time limit."""
    items = overdue_for(user, language)
    return Section("overdue", "web/my_work/overdue.html", items, total=len(items))


def activities_section(user: Any, language: str) -> Section:
    """My open activities: the first `SHOWN`, with a link to the full list."""
    items = activities_for(user, language)
    return Section("activities", "web/my_work/activities.html", items[:SHOWN], total=len(items),
                   shown=min(SHOWN, len(items)))


def one_to_one_section(user: Any, language: str) -> Section | None:
    """Actions agreed in my 1:1s, as manager or as the person met (only shown when there are any)."""
    from salesflow.coaching.services import open_actions

    today = timezone.localdate()
    items = [{"action": action, "meeting": action.meeting, "overdue": action.due < today,
              "other": action.meeting.person if action.meeting.manager_id == user.pk else action.meeting.manager}
             for action in open_actions(user)[:FULL_LIMIT]]
    return Section("one-to-one", "web/my_work/one_to_one.html", items, total=len(items)) if items else None


#: The sections of My work, in order; waiting ones are shown first, then notifications, then the rest.
SECTIONS: list[Callable[[Any, str], Section | None]] = [
    decisions_section, approvals_section, consultations_section, overdue_section, stale_section,
    activities_section, one_to_one_section,
]
#: How many open activities My work shows before linking to the full list.
SHOWN = 8
#: The most activities the full list shows.
FULL_LIMIT = 500


def sections_for(user: Any, language: str) -> list[Section]:
    """Every section of My work that has something to show (waiting ones first, in `SECTIONS` order)."""
    built = [section for section in (builder(user, language) for builder in SECTIONS) if section is not None]
    return [section for section in built if section.waiting] + [section for section in built if not section.waiting]


@login_required
@require_GET
def my_work(request: HttpRequest) -> HttpResponse:
    """The start page: what waits for me first, then my notifications, then my own work."""
    language = current_language()
    user = request.user
    sections = sections_for(user, language)
    by_id = {section.id: section for section in sections}
    context = {
        "waiting": [section for section in sections if section.waiting],
        "own": [section for section in sections if not section.waiting],
        "sections": by_id,
        "limit": LIMIT,
        "notifications": notification_groups(user, language),
        "first_steps": not queries.records_for(user).exists(),
    }
    for name in ("decisions", "approvals", "overdue", "consultations"):
        context[name] = by_id[name].items if name in by_id else []
    context["activities"] = by_id["activities"].items if "activities" in by_id else []
    return render(request, "web/my_work.html", context)


@login_required
@require_GET
def my_activities(request: HttpRequest) -> HttpResponse:
    """All my open activities (the list My work shortens)."""
    items = activities_for(request.user, current_language(), FULL_LIMIT)
    return render(request, "web/my_work_activities.html", {"activities": items, "limit": FULL_LIMIT})

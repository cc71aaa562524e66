"""The record list (filters, sort, pages), the record page and creating a record."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from salesflow.engine import actions, authority
from salesflow.engine.errors import BadInput, EngineError
from salesflow.lists.panel import list_tools
from salesflow.people.models import Team, User
from salesflow.people.security import log_security_event
from salesflow.process.model import Classification
from salesflow.records import asks, hygiene, queries, services
from salesflow.records.models import Process, Record
from salesflow.web import chain, labels, presenters
from salesflow.web.forms import RecordForm
from salesflow.web.i18n import localize
from salesflow.web.templatetags.salesflow_web import current_language
from salesflow.web.views.common import feedback_for, is_htmx, status_of, visible_record

PAGE_SIZE = 50
#: Columns of the joined process version that lists never need (definitions are cached by version).
HEAVY = ("process_version__definition", "process_version__source")


# --- the list ------------------------------------------------------------------------------------

def filter_options(process_key: str | None, language: str) -> dict[str, Any]:
    """Choices of the filter form: processes, stages (of the chosen process, or all), owners, teams."""
    processes = list(Process.objects.order_by("key"))
    stages: list[tuple[str, str]] = []
    seen: set[str] = set()
    for process in processes:
        if process_key and process.key != process_key:
            continue
        version = process.current_version() or process.versions.order_by("-version").first()
        if version is None:
            continue
        for stage in services.definition_of(version).stages:
            if stage.id not in seen:
                seen.add(stage.id)
                stages.append((stage.id, stage.display_title(language)))
    owners = User.objects.filter(is_active=True).exclude(roles=None).distinct().order_by("first_name", "username")
    return {
        "processes": [(process.key, process.title_in(language)) for process in processes],
        "stages": stages,
        "owners": [(user.username, user.display_name) for user in owners],
        "teams": list(Team.objects.values_list("name", flat=True)),
        "classifications": [(item.value, labels.label(labels.CLASSIFICATIONS, item.value)) for item in Classification],
        "statuses": list(labels.STATUSES.items()),
        "sorts": list(labels.SORTS.items()),
    }


def row_of(record: Record, language: str, now: Any) -> dict[str, Any]:
    """A record as one row of a list or one card of the board."""
    definition = services.definition_of(record.process_version)
    stage = definition.stage(record.stage) if definition.has_stage(record.stage) else None
    probability = record.probability_override if record.probability_override is not None else (
        stage.probability if stage else 0)
    return {
        "record": record, "id": record.pk, "title": record.title, "account": record.account,
        "amount": record.amount, "currency": record.currency, "close_date": record.close_date,
        "owner": record.owner.display_name if record.owner else "—",
        "stage": stage.display_title(language) if stage else record.stage, "stage_id": record.stage,
        "probability": probability, "overridden": record.probability_override is not None,
        "days": presenters.days_in_stage(record, now), "overdue": presenters.is_overdue(definition, record, now),
        "max_days": stage.max_days if stage else None, "classification": record.classification,
        "outcome": record.outcome, "version": record.version, "process": record.process.title_in(language),
    }


@login_required
@require_GET
def record_list(request: HttpRequest) -> HttpResponse:
    """Every record the user may see, filtered, sorted and paginated (50 a page)."""
    language = current_language()
    error = ""
    params = request.GET.copy()
    if "status" not in params:
        params["status"] = "open"
    try:
        flt = queries.filter_from_params(params)
    except BadInput as refusal:
        error = localize(refusal.message)
        flt = queries.RecordFilter(status="open")
    paginator = Paginator(queries.records_for(request.user, flt).defer(*HEAVY), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    now = timezone.now()
    context = {
        "filter": flt, "params": params, "page": page, "error": error,
        "rows": [row_of(record, language, now) for record in page.object_list],
        "options": filter_options(flt.process, language), "total": paginator.count,
        **list_heading(flt.process, language),
        **list_tools(request, "records", params, export="record_list_export"),
    }
    template = "web/partials/record_results.html" if is_htmx(request) and request.headers.get(
        "HX-Target") == "results" else "web/record_list.html"
    return render(request, template, context, status=400 if error else 200)


# --- the record page -----------------------------------------------------------------------------

def list_heading(process_key: str | None, language: str) -> dict[str, Any]:
    """The list's heading: the chosen process's title (else "Records"), and whether it lists opportunities."""
    process = Process.objects.filter(key=process_key).first() if process_key else None
    return {"list_title": process.title_in(language) if process else "",
            "lists_opportunities": process is None or process.record_type == "opportunity"}


def actions_panel(record: Record, user: Any, language: str) -> dict[str, Any] | None:
    """The record's actions that become tasks (library settings quality.actions_to_tasks), or None."""
    from salesflow.quality.review_actions import actions_panel as panel

    return panel(record, user, language)


def frozen_inputs_view(record: Record, language: str) -> dict[str, Any] | None:
    """The inputs frozen on the record (e.g. a management review's), with their key figures, or None."""
    from salesflow.quality import loop

    frozen = loop.frozen_inputs(record)
    if frozen is None:
        return None
    items = [{"id": item["id"], "title": item["title"].get(language) or item["title"].get("en") or item["id"],
              "error": item.get("error"), "figures": loop.figures(item)} for item in frozen["inputs"]]
    return {"at": frozen["at"], "seq": frozen["seq"], "items": items}


def record_context(request: HttpRequest, record: Record, feedback: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything the record page shows, for the signed-in user."""
    user = request.user
    language = current_language()
    definition = services.definition_of(record.process_version)
    state = record.to_state()
    stage = definition.stage(record.stage)
    actor = services.actor_for(user)
    is_open = not record.outcome
    now = timezone.now()
    targets = []
    may_move = is_open and authority.mover_role(definition, state, actor, [stage]) is not None
    if may_move:
        current_index = definition.stage_index(record.stage)
        for target in actions.allowed_targets(definition, state):
            target_stage = definition.stage(target)
            direction = ("outcome" if target_stage.is_outcome else
                         "back" if definition.stage_index(target) < current_index else "forward")
            targets.append({"id": target, "title": target_stage.display_title(language), "direction": direction,
                            "outcome": target_stage.outcome.value if target_stage.outcome else ""})
    closing = []
    if is_open:
        for outcome_stage in definition.outcome_stages:
            rows = presenters.activity_rows(definition, state, actor, outcome_stage, record, language)
            requires = outcome_stage.requires.activities if outcome_stage.requires else []
            for row in rows:
                row["required"] = row["id"] in requires
            closing.append({"id": outcome_stage.id, "title": outcome_stage.display_title(language),
                            "outcome": outcome_stage.outcome.value if outcome_stage.outcome else "",
                            "activities": rows, "required_total": len(requires),
                            "required_done": sum(1 for item in requires if item in state.done),
                            "started": any(row["done"] for row in rows)})
    members = list(record.members.order_by("first_name", "username"))
    manage_members = services.members_manager_role(record, user) is not None
    member_candidates = []
    if manage_members:
        member_candidates = [(person.username, person.display_name) for person in
                             User.objects.filter(is_active=True).exclude(roles=None).exclude(
                                 pk__in=[m.pk for m in members]).exclude(pk=record.owner_id).distinct()
                             .order_by("first_name", "username")]
    decision = presenters.decision_view(definition, state, actor, stage, language) if is_open else None
    approvals = presenters.approval_rows(definition, state, actor, language, is_open, record.pk)
    found = asks.latest_asks([record.pk])
    if decision is not None:
        decision["ask"] = found.get((record.pk, "decision", record.stage))
    for row in approvals:
        row["ask"] = found.get((record.pk, "approval", row["id"]))
    fields = presenters.field_rows(definition, record, state, language)
    may_change = chain.may_edit(user, record, definition)
    edit_form = None
    if is_open and authority.editor_role(definition, state, actor) is not None:
        edit_form = RecordForm(definition, language, creating=False, fixed=services.quoted_fields(record.pk, definition),
                               initial={row["name"]: row["input"] for row in fields})
    return {
        "frozen_inputs": frozen_inputs_view(record, language),
        "review_actions": actions_panel(record, user, language),
        "record": record, "definition": definition, "stage": stage, "is_open": is_open,
        "process_title": definition.title_text(language),
        "stage_title": stage.display_title(language),
        "stage_description": stage.description.get_text(language) if stage.description else "",
        "path": presenters.stage_path(definition, record, language),
        "probability": actions.effective_probability(definition, state),
        "stage_probability": stage.probability,
        "forecast": stage.effective_forecast_category().value,
        "days": presenters.days_in_stage(record, now), "overdue": presenters.is_overdue(definition, record, now),
        "slips": hygiene.slip_counts([record.pk]).get(record.pk, 0),
        "staleness": hygiene.stale_info([record], now).get(record.pk),
        "activities": presenters.activity_rows(definition, state, actor, stage, record, language) if is_open else [],
        "closing": closing,
        "checklist": presenters.checklist(definition, state, stage, language) if is_open else [],
        "decision": decision,
        "approvals": approvals,
        "fields": fields,
        "edit_form": edit_form,
        "may_set_probability": is_open and authority.probability_role(definition, state, actor) is not None,
        "targets": targets, "may_move": may_move,
        "handling_rules": [note.get_text(language) for note in definition.guideline.notes],
        "members": members, "manage_members": manage_members, "member_candidates": member_candidates,
        "member_section": record.classification in (Classification.confidential.value,
                                                    Classification.strictly_confidential.value) or bool(members),
        "timeline": presenters.timeline(record, definition, language, user=user),
        "feedback": feedback,
        "handoff_targets": {target["id"] for target in targets if chain.has_handoffs(definition, target["id"])},
        "links": chain.link_rows(record, user, language, may_change),
        "may_link": may_change,
        "chain": chain.chain_rows(record, user, language),
        "customer": chain.customer_view(record, user),
        "startable": chain.startable_processes(record, user, language),
        "documents": chain.document_groups(record),
        "may_upload": may_change,
        "max_document_mb": chain.max_document_megabytes(),
        "in_corporate": _in_corporate(record),
    }


def _in_corporate(record: Record) -> dict[str, Any] | None:
    """The record's amount in the corporate currency at today's rate (None when it is in that currency or has
    no amount; ``converted`` None when there is no rate)."""
    from salesflow.currency.services import to_corporate
    from salesflow.currency.settings import corporate_currency

    corporate = corporate_currency()
    if record.amount is None or (record.currency or corporate) == corporate:
        return None
    conversion = to_corporate(record.amount, record.currency)
    return {"currency": corporate, "converted": conversion.converted if conversion else None,
            "rate": conversion.rate.normalize() if conversion else None,
            "date": conversion.date if conversion else timezone.localdate()}


def render_record(request: HttpRequest, record: Record, feedback: dict[str, Any] | None = None,
                  status: int = 200) -> HttpResponse:
    """The record page (with an inline refusal when ``feedback`` is given)."""
    return render(request, "web/record_detail.html", record_context(request, record, feedback), status=status)


@login_required
@require_GET
def record_detail(request: HttpRequest, record_id: int) -> HttpResponse:
    """A record's page: path, guidance, gate, decision, approvals, fields, members and timeline."""
    record = visible_record(request, record_id)
    if record.classification == Classification.strictly_confidential.value:
        log_security_event("view_strictly_confidential", request.user, request=request, record_id=record.pk)
    return render_record(request, record)


# --- creating ------------------------------------------------------------------------------------

def creatable_processes(user: Any, language: str) -> list[tuple[Process, Any]]:
    """Processes with an approved version, not retired, in which the user may create records."""
    actor = services.actor_for(user)
    found = []
    for process in Process.objects.filter(retired_at__isnull=True).order_by("key"):
        version = process.current_version()
        if version is None:
            continue
        definition = services.definition_of(version)
        if authority.creator_role(definition, actor) is not None:
            found.append((process, definition))
    return found


def _linked_source(request: HttpRequest) -> Record | None:
    """The record a new record is started from (``link_from``), if given and visible."""
    raw = request.POST.get("link_from") or request.GET.get("link_from") or ""
    if not raw:
        return None
    return visible_record(request, raw)


def _duplicate_check(definition: Any, form: RecordForm) -> tuple[str, str] | None:
    """Wire the company / e-mail inputs of processes with a duplicate check to the htmx check."""
    names = chain.duplicate_fields(definition)
    if names is None:
        return None
    attrs = {"hx-post": reverse("record_duplicates"), "hx-trigger": "input changed delay:500ms, change",
             "hx-target": "#duplicates", "hx-swap": "innerHTML",
             "hx-include": "closest form", "aria-describedby": "duplicates"}
    for name in names:
        if name and name in form.fields:
            form.fields[name].widget.attrs.update(attrs)
    return names


def _duplicates_for(request: HttpRequest, names: tuple[str, str] | None, values: dict[str, Any]) -> list[dict]:
    if names is None:
        return []
    company, email = (str(values.get(name) or "") if name else "" for name in names)
    return chain.duplicate_rows(company, email, request.user)


def _fingerprint(names: tuple[str, str] | None, values: dict[str, Any]) -> str:
    """What the duplicates were confirmed for (a changed company or e-mail asks again)."""
    return "|".join(str(values.get(name) or "").strip().lower() for name in (names or ()) if name)


@login_required
@require_http_methods(["GET", "POST"])
def record_create(request: HttpRequest) -> HttpResponse:
    """Start a record of a process: the creator owns it unless another owner is chosen.

    ``link_from`` starts it linked to a record of a process its ``linked_from`` names (the form is
    prefilled from that record). Processes whose hand-offs find or create a customer account (leads)
    check for duplicates first: as the company and e-mail are typed, and once more on submit, where
    existing accounts or leads ask for a confirmation ("create anyway").
    """
    language = current_language()
    choices = creatable_processes(request.user, language)
    if not choices:
        raise PermissionDenied(_("Your roles do not allow creating records."))
    default = next(((p, d) for p, d in choices if p.record_type == "opportunity"), choices[0])
    wanted = request.POST.get("process") or request.GET.get("process") or default[0].key
    process, definition = next(((p, d) for p, d in choices if p.key == wanted), default)
    source = _linked_source(request)
    context: dict[str, Any] = {"process": process, "choices": [(p, d.title_text(language)) for p, d in choices],
                               "source": source, "duplicates": [], "confirm_duplicates": False,
                               "record_kind": definition.title_text(language)}
    if source is not None:
        context["source_process"] = source.process.title_in(language)
    initial = {"owner": request.user.username, "classification": definition.guideline.classification.value,
               "currency": "EUR"}
    if source is not None:
        initial.update({"title": source.title, "account": source.account})
    picked = picked_account(request)
    context["picked"] = picked
    if picked is not None and source is None:
        initial["account"] = picked.name
    if request.method == "POST":
        form = RecordForm(definition, language, request.POST, initial=initial)
        account_picker(form)
        names = _duplicate_check(definition, form)
        if form.is_valid():
            values = form.values()
            duplicates = _duplicates_for(request, names, values)
            fingerprint = _fingerprint(names, values)
            if duplicates and request.POST.get("duplicates_confirmed") != fingerprint:
                context.update({"form": form, "duplicates": duplicates, "confirm_duplicates": True,
                                "fingerprint": fingerprint})
                return render(request, "web/record_create.html", context, status=200)
            try:
                record = services.do_create_record(process.key, request.user, values,
                                                   link_from=source.pk if source is not None else None,
                                                   customer_id=picked.pk if picked is not None else None)
            except EngineError as refusal:
                form.show_error(localize(refusal.message))
                return render(request, "web/record_create.html", {**context, "form": form},
                              status=status_of(refusal))
            messages.success(request, _("Created “%(title)s”.") % {"title": record.title})
            return redirect(reverse("record", args=[record.pk]))
        status = 400
    else:
        form = RecordForm(definition, language, initial=initial)
        account_picker(form)
        _duplicate_check(definition, form)
        status = 200
    return render(request, "web/record_create.html", {**context, "form": form}, status=status)


def picked_account(request: HttpRequest) -> Any:
    """The account picked on the create form (``customer``: its id), None when none (or it no longer exists)."""
    from salesflow.accounts.models import Account

    raw = (request.POST.get("customer") or request.GET.get("customer") or "").strip()
    return Account.objects.filter(pk=int(raw)).first() if raw.isdigit() and len(raw) < 16 else None


def account_picker(form: Any) -> None:
    """Make the form's account field the picker's search box: typing asks for matching accounts (htmx)."""
    field = form.fields.get("account")
    if field is None:
        return
    field.widget.attrs.update({
        "hx-get": reverse("customer_search"), "hx-trigger": "input changed delay:250ms, focus",
        "hx-target": "#account-options", "hx-swap": "outerHTML", "hx-sync": "this:replace",
        "autocomplete": "off", "role": "combobox", "aria-autocomplete": "list", "aria-controls": "account-options",
        "aria-expanded": "false", "class": "account-search"})


@login_required
@require_POST
def record_duplicates(request: HttpRequest) -> HttpResponse:
    """The htmx check of the create form: existing accounts and leads with the typed company or e-mail."""
    process = Process.objects.filter(key=request.POST.get("process", "")).first()
    version = process.current_version() if process is not None else None
    names = chain.duplicate_fields(services.definition_of(version)) if version is not None else None
    values = {name: request.POST.get(name, "")[:300] for name in (names or ()) if name}
    duplicates = _duplicates_for(request, names, values)
    return render(request, "web/partials/duplicates.html", {"duplicates": duplicates})


def refusal_page(request: HttpRequest, record: Record, refusal: EngineError) -> HttpResponse:
    """The record page again, with the refusal shown inline."""
    record = Record.objects.select_related("process", "process_version", "owner").get(pk=record.pk)
    return render_record(request, record, feedback_for(refusal, record), status=status_of(refusal))

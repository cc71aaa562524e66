"""Account pages: the account list (segment, won revenue, pipeline), recomputing the ABC segmentation,
the account page (contacts, account plans, records by process, the account timeline) and starting an
account plan.

Accounts are internal data every member of sales staff sees; figures, plans, records and events come
only from records the signed-in user may see (`salesflow.accounts.overview`).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from itertools import groupby
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from salesflow.accounts import overview
from salesflow.accounts.models import Account
from salesflow.accounts.segmentation import (
    DEFAULT_A_SHARE,
    DEFAULT_B_SHARE,
    DEFAULT_WINDOW_DAYS,
    MAX_WINDOW_DAYS,
    do_segment_accounts,
)
from salesflow.engine import authority
from salesflow.engine.errors import BadInput, EngineError
from salesflow.engine.handoffs import schedule_due
from salesflow.lists.panel import list_tools
from salesflow.people import access
from salesflow.people.models import User
from salesflow.process.model import ProcessDefinition
from salesflow.records import services
from salesflow.records.chain import links_of
from salesflow.records.models import Process, Record
from salesflow.records.redaction import reader_payloads
from salesflow.web import presenters
from salesflow.web.forms import RecordForm
from salesflow.web.i18n import localize
from salesflow.web.templatetags.salesflow_web import current_language
from salesflow.web.views.common import feedback_for, is_htmx, status_of

PAGE_SIZE = 50
EVENTS_PAGE_SIZE = 50
#: Records listed per process group on the account page (the record list has them all).
GROUP_LIMIT = 200


def staff_only(request: HttpRequest) -> None:
    """Accounts are for sales staff (users holding a role)."""
    if not access.is_staff_member(request.user):
        raise PermissionDenied(_("Your roles do not allow this."))


# --- recomputing the segmentation ----------------------------------------------------------------

class SegmentationForm(forms.Form):
    """The parameters of an ABC segmentation: window in days, A and B thresholds in percent."""

    window_days = forms.IntegerField(label=gettext_lazy("Window (days)"), min_value=1, max_value=MAX_WINDOW_DAYS,
                                     initial=DEFAULT_WINDOW_DAYS)
    a_share = forms.DecimalField(label=gettext_lazy("A threshold (percent)"), min_value=Decimal("0.01"),
                                 max_value=Decimal("100"), max_digits=5, decimal_places=2, initial=DEFAULT_A_SHARE)
    b_share = forms.DecimalField(label=gettext_lazy("B threshold (percent)"), min_value=Decimal("0.01"),
                                 max_value=Decimal("100"), max_digits=5, decimal_places=2, initial=DEFAULT_B_SHARE)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        a, b = data.get("a_share"), data.get("b_share")
        if a is not None and b is not None and a >= b:
            self.add_error("b_share", _("The B threshold must be above the A threshold (%(a)s %%).") % {"a": a})
        return data


def segmentation_initial() -> dict[str, Any]:
    """The form's defaults: the window of the latest segmentation, else the standard parameters."""
    return {"window_days": overview.revenue_window().days, "a_share": DEFAULT_A_SHARE, "b_share": DEFAULT_B_SHARE}


def summary_message(data: dict[str, Any]) -> str:
    """A segmentation summary as one sentence."""
    return _("%(accounts)s accounts segmented on won revenue from %(start)s to %(end)s: A %(a)s, B %(b)s, "
             "C %(c)s; %(changed)s changed.") % {
        "accounts": data["accounts"], "start": data["window"]["from"], "end": data["window"]["to"],
        "a": data["counts"]["A"], "b": data["counts"]["B"], "c": data["counts"]["C"], "changed": data["changed"]}


# --- the list ------------------------------------------------------------------------------------

def list_context(request: HttpRequest, segmentation_form: SegmentationForm | None = None) -> tuple[dict, int]:
    """The account list for the signed-in user (and the segmentation form for those who may use it)."""
    error = ""
    try:
        flt = overview.filter_from_params(request.GET)
    except BadInput as refusal:
        error = localize(refusal.message)
        flt = overview.AccountFilter()
    window = overview.revenue_window()
    paginator = Paginator(overview.accounts_for(request.user, flt, window), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    may_segment = overview.may_segment(request.user)
    if may_segment and segmentation_form is None:
        segmentation_form = SegmentationForm(initial=segmentation_initial())
    context = {
        "filter": flt, "params": request.GET, "page": page, "accounts": list(page.object_list),
        "total": paginator.count, "error": error, "window": window, "may_segment": may_segment,
        "segmentation_form": segmentation_form if may_segment else None,
        "segments": [("A", "A"), ("B", "B"), ("C", "C"), ("none", _("not segmented"))],
        **list_tools(request, "accounts", request.GET, export="account_list_export"),
    }
    return context, 400 if error else 200


@login_required
@require_GET
def account_list(request: HttpRequest) -> HttpResponse:
    """Every account with its segment, won revenue, customer status, open pipeline and record count."""
    staff_only(request)
    context, status = list_context(request)
    from salesflow.accounts.services import may_edit

    context["may_create"] = may_edit(request.user)
    template = "web/accounts_results.html" if is_htmx(request) and request.headers.get(
        "HX-Target") == "account-results" else "web/accounts.html"
    return render(request, template, context, status=status)


@login_required
@require_POST
def account_segmentation(request: HttpRequest) -> HttpResponse:
    """Recompute the ABC segmentation (roles with the library right ``segmentation``); others are refused (403)."""
    if not overview.may_segment(request.user):
        raise PermissionDenied(_("Your roles do not include the right to recompute the segmentation."))
    form = SegmentationForm(request.POST)
    if form.is_valid():
        try:
            summary = do_segment_accounts(request.user, form.cleaned_data["window_days"],
                                          form.cleaned_data["a_share"], form.cleaned_data["b_share"])
        except EngineError as refusal:
            form.add_error(None, localize(refusal.message))
            context, _status = list_context(request, form)
            return render(request, "web/accounts.html", context, status=status_of(refusal))
        messages.success(request, summary_message(summary.to_data()))
        return redirect(reverse("customers"))
    context, _status = list_context(request, form)
    return render(request, "web/accounts.html", context, status=400)


# --- the account page ----------------------------------------------------------------------------

def _definition(record: Record) -> ProcessDefinition:
    return services.definition_of(record.process_version)


def key_dates(definition: ProcessDefinition, record: Record, language: str) -> list[dict[str, Any]]:
    """The dates the process's schedules count towards (a contract's end and notice date, a deadline)."""
    state = record.to_state()
    dates: list[dict[str, Any]] = []
    seen: set[str] = set()
    for schedule in definition.schedules:
        raw = record.values.get(schedule.date_field)
        if raw and schedule.date_field not in seen:
            seen.add(schedule.date_field)
            try:
                day = datetime.date.fromisoformat(str(raw))
            except ValueError:
                continue
            dates.append({"label": presenters.field_title(definition, schedule.date_field, language), "date": day})
        key = f"{schedule.date_field}-{schedule.minus_days_field}"
        if schedule.minus_days_field and key not in seen:
            seen.add(key)
            due = schedule_due(schedule, state)
            if due is not None:
                dates.append({"label": _("Notice date"), "date": due})
    return dates


def record_row(record: Record, language: str) -> dict[str, Any]:
    """A record of the account as one row: stage, amount, owner, key dates."""
    definition = _definition(record)
    return {"id": record.pk, "title": record.title, "url": reverse("record", args=[record.pk]),
            "stage": presenters.stage_title(definition, record.stage, language), "outcome": record.outcome,
            "amount": record.amount, "currency": record.currency, "close_date": record.close_date,
            "owner": record.owner.display_name if record.owner else "—", "created_at": record.created_at,
            "dates": key_dates(definition, record, language)}


def record_groups(records: list[Record], language: str) -> list[dict[str, Any]]:
    """The records grouped by process, in the order of the sales chain."""
    ordered = sorted(records, key=lambda item: (overview.chain_rank(item.process.record_type), item.process.key))
    groups = []
    for _key, items in groupby(ordered, key=lambda item: item.process.key):
        items = list(items)
        process = items[0].process
        groups.append({"key": process.key, "title": process.title_in(language), "kind": process.record_type,
                       "count": len(items), "rows": [record_row(item, language) for item in items[:GROUP_LIMIT]],
                       "more": max(0, len(items) - GROUP_LIMIT)})
    return groups


def _date_value(record: Record, name: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(record.values.get(name) or ""))
    except ValueError:
        return None


def plan_rows(account: Account, plans: list[Record], user: Any, language: str) -> list[dict[str, Any]]:
    """Account plans: strategy, target against won revenue in the plan period, the opportunities that serve it."""
    rows = []
    for plan in plans:
        definition = _definition(plan)
        start, end = _date_value(plan, "period_start"), _date_value(plan, "period_end")
        target = plan.values.get("target_revenue")
        won = overview.won_revenue_between(account, user, start, end)
        opportunities = [link.record for link in links_of(plan, user)
                         if link.record.process.record_type == overview.OPPORTUNITY_RECORD_TYPE]
        try:
            target_value = Decimal(str(target)) if target not in (None, "") else None
        except ArithmeticError:
            target_value = None
        rows.append({
            "id": plan.pk, "title": plan.title, "url": reverse("record", args=[plan.pk]),
            "stage": presenters.stage_title(definition, plan.stage, language), "outcome": plan.outcome,
            "strategy": presenters.display_value(definition, "strategy", plan.values.get("strategy"), {}, language),
            "target": target_value, "won": won, "currency": plan.currency, "start": start, "end": end,
            "reached": int(won * 100 / target_value) if target_value else None,
            "opportunities": [{"id": item.pk, "title": item.title, "url": reverse("record", args=[item.pk]),
                               "stage": presenters.stage_title(_definition(item), item.stage, language),
                               "outcome": item.outcome, "amount": item.amount, "currency": item.currency}
                              for item in opportunities],
        })
    return rows


def _names(events: list[Any]) -> dict[int, str]:
    ids = {value for event in events if event.kind == "field_changed"
           for value in ((event.payload or {}).get("old"), (event.payload or {}).get("new")) if isinstance(value, int)}
    return {user.pk: user.display_name for user in User.objects.filter(pk__in=ids)} if ids else {}


def account_timeline(account: Account, user: Any, records: dict[int, Record], page_number: Any,
                     language: str) -> tuple[Any, list[dict[str, Any]]]:
    """One page of the events of the account's visible records, newest first, in the record timeline's words."""
    page = Paginator(overview.account_events(account, user), EVENTS_PAGE_SIZE).get_page(page_number)
    events = list(page.object_list)
    names = _names(events)
    payloads = reader_payloads(events, user)
    entries = []
    for event in events:
        record = records.get(event.record_id)
        if record is None:  # hidden meanwhile
            continue
        entry = presenters.describe_event(event, _definition(record), names, language, payloads[event.seq])
        entry.update({"record_id": record.pk, "record_title": record.title,
                      "record_url": reverse("record", args=[record.pk]), "process": record.process.title_in(language)})
        entries.append(entry)
    return page, entries


def plan_processes(user: Any) -> list[Process]:
    """Processes of account plans (with an approved version) in which ``user`` may start records."""
    if access.is_read_only(user):
        return []
    actor = services.actor_for(user)
    found = []
    for process in Process.objects.filter(record_type=overview.ACCOUNT_PLAN_RECORD_TYPE).order_by("key"):
        version = process.current_version()
        if version is not None and authority.creator_role(services.definition_of(version), actor) is not None:
            found.append(process)
    return found


class MergedAway(Exception):
    """The account was merged into another one (``survivor``)."""

    def __init__(self, survivor: int) -> None:
        super().__init__(survivor)
        self.survivor = survivor


def visible_account(request: HttpRequest, account_id: int) -> Account:
    """The account with the user's figures; `MergedAway` for a merged account, 404 when it does not exist."""
    staff_only(request)
    account = overview.account_for(request.user, account_id)
    if account is None:
        from salesflow.accounts.services import merged_into

        survivor = merged_into(account_id)
        if survivor is not None:
            raise MergedAway(survivor)
        raise Http404(_("No such account."))
    return account


@login_required
@require_GET
def account_detail(request: HttpRequest, account_id: int) -> HttpResponse:
    """An account: segment and status, contacts, account plans, records by process, the account timeline.
    A merged account's address leads to the account it was merged into."""
    from salesflow.accounts import services as account_services
    from salesflow.web.views.records import creatable_processes

    try:
        account = visible_account(request, account_id)
    except MergedAway as merged:
        messages.info(request, _("That account was merged into this one."))
        return redirect(reverse("customer", args=[merged.survivor]))
    language = current_language()
    user = request.user
    records = list(overview.account_records(account, user))
    by_id = {record.pk: record for record in records}
    plans = [record for record in records if record.process.record_type == overview.ACCOUNT_PLAN_RECORD_TYPE]
    events_page, timeline = account_timeline(account, user, by_id, request.GET.get("events"), language)
    context = {
        "account": account, "window": overview.revenue_window(),
        "contacts": list(account.contacts.all()),
        "plans": plan_rows(account, plans, user, language),
        "groups": record_groups(records, language), "record_total": len(records),
        "events_page": events_page, "timeline": timeline,
        "plan_processes": [(process, process.title_in(language)) for process in plan_processes(user)],
        "may_edit": account_services.may_edit(user), "may_merge": account_services.may_merge(user),
        "may_create_records": account_services.may_edit(user) and bool(creatable_processes(user, language)),
    }
    if is_htmx(request) and request.headers.get("HX-Target") == "account-timeline":
        return render(request, "web/accounts_timeline.html", context)
    return render(request, "web/accounts_detail.html", context)


# --- starting an account plan --------------------------------------------------------------------

def plan_form(definition: ProcessDefinition, language: str, data: Any = None,
              initial: dict[str, Any] | None = None) -> RecordForm:
    """The record form of the plan process without the account (the plan's customer is the account)."""
    form = RecordForm(definition, language, data, initial=initial)
    form.fields.pop("account", None)
    return form


@login_required
@require_http_methods(["GET", "POST"])
def account_plan_create(request: HttpRequest, account_id: int) -> HttpResponse:
    """Start an account plan for the account (a record of the account-management process, its customer set)."""
    account = visible_account(request, account_id)
    language = current_language()
    processes = plan_processes(request.user)
    if not processes:
        raise PermissionDenied(_("Your roles do not allow starting account plans."))
    wanted = request.POST.get("process") or request.GET.get("process") or ""
    process = next((item for item in processes if item.key == wanted), processes[0])
    definition = services.definition_of(process.current_version())
    year = datetime.date.today().year
    initial = {"title": _("Account plan %(account)s %(year)s") % {"account": account.name, "year": year},
               "owner": request.user.username, "currency": "EUR",
               "classification": definition.guideline.classification.value,
               "period_start": f"{year}-01-01", "period_end": f"{year}-12-31"}
    context: dict[str, Any] = {"account": account, "process": process, "title": definition.title_text(language),
                               "feedback": None}
    if request.method == "POST":
        form = plan_form(definition, language, request.POST, initial=initial)
        if form.is_valid():
            try:
                record = services.do_create_record(process.key, request.user, form.values(), customer_id=account.pk)
            except EngineError as refusal:
                if not form.show_error(localize(refusal.message)):
                    context["feedback"] = feedback_for(refusal)
                return render(request, "web/accounts_plan_new.html", {**context, "form": form},
                              status=status_of(refusal))
            messages.success(request, _("Created “%(title)s”.") % {"title": record.title})
            return redirect(reverse("record", args=[record.pk]))
        return render(request, "web/accounts_plan_new.html", {**context, "form": form}, status=400)
    return render(request, "web/accounts_plan_new.html",
                  {**context, "form": plan_form(definition, language, initial=initial)})

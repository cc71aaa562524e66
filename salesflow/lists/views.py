"""Web views: saving and deleting a saved filter, the record list's export, the audit-trail browser and its export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from salesflow.engine.errors import BadInput, EngineError
from salesflow.lists import exports, presenters, saved, trail
from salesflow.lists.panel import list_tools
from salesflow.people import access
from salesflow.people.models import User
from salesflow.records import queries
from salesflow.records.models import Event, Process
from salesflow.web.event_kinds import kind_choices
from salesflow.web.i18n import localize
from salesflow.web.templatetags.salesflow_web import current_language
from salesflow.web.views.common import is_htmx, safe_next

PAGE_SIZE = 50


def _download(download: exports.Download) -> HttpResponse:
    response = HttpResponse(download.content, content_type=download.content_type)
    response["Content-Disposition"] = f'attachment; filename="{download.name}"'
    response["X-Row-Count"] = str(download.rows)
    return response


def _refused(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "lists/refused.html", {"message": message}, status=400)


# --- saved filters -------------------------------------------------------------------------------

@login_required
@require_POST
def save_filter(request: HttpRequest) -> HttpResponse:
    """Save the list's filter in use under a name; back to the list showing it."""
    try:
        spec = saved.spec_of(request.POST.get("list"))
    except BadInput as refusal:
        return _refused(request, localize(refusal.message))
    if not access.is_staff_member(request.user):
        raise PermissionDenied(_("Your roles do not allow this."))
    try:
        item = saved.do_save_filter(request.user, spec.key, request.POST.get("name"), request.POST)
    except EngineError as refusal:
        messages.error(request, _("The filter was not saved: %(reason)s") % {"reason": localize(refusal.message)})
        return redirect(spec.url(spec.query_of(request.POST)))
    messages.success(request, _("Filter “%(name)s” saved.") % {"name": item.name})
    return redirect(spec.url(item.query))


@login_required
@require_POST
def delete_filter(request: HttpRequest, filter_id: int) -> HttpResponse:
    """Delete one of the user's saved filters; back to the list."""
    try:
        item = saved.do_delete_filter(request.user, filter_id)
    except EngineError:
        raise Http404(_("No such saved filter.")) from None
    messages.success(request, _("Filter “%(name)s” deleted.") % {"name": item.name})
    return redirect(safe_next(request, saved.LISTS[item.list].url({})))


# --- the record list's export --------------------------------------------------------------------

@login_required
@require_GET
def record_list_export(request: HttpRequest) -> HttpResponse:
    """The record list as the user sees it with the same filters (``status`` open unless given), as CSV or xlsx."""
    params = request.GET.copy()
    if "status" not in params:
        params["status"] = "open"
    try:
        fmt = exports.format_of(params.get("format"))
        flt = queries.filter_from_params(params)
        return _download(exports.export_records(request.user, flt, fmt, current_language(), request=request))
    except BadInput as refusal:
        return _refused(request, localize(refusal.message))


@login_required
@require_GET
def account_list_export(request: HttpRequest) -> HttpResponse:
    """The account list as the user sees it with the same filters, as CSV or xlsx."""
    from salesflow.accounts.overview import filter_from_params

    if not access.is_staff_member(request.user):
        raise PermissionDenied(_("Your roles do not allow this."))
    try:
        fmt = exports.format_of(request.GET.get("format"))
        flt = filter_from_params(request.GET)
        return _download(exports.export_accounts(request.user, flt, fmt, request=request))
    except BadInput as refusal:
        return _refused(request, localize(refusal.message))


# --- the audit trail -----------------------------------------------------------------------------

def _browsing(request: HttpRequest) -> None:
    if not trail.may_browse(request.user):
        raise PermissionDenied(_("Your roles do not include the right to browse the audit trail."))


def trail_options() -> dict[str, Any]:
    """Choices of the audit trail's filter form: users, processes, event kinds."""
    return {"users": [(user.username, user.display_name) for user in User.objects.order_by("username")],
            "processes": [(p.key, p.title_in(current_language())) for p in Process.objects.order_by("key")],
            "kinds": kind_choices(list(Event.objects.order_by("kind").values_list("kind", flat=True).distinct()))}


@login_required
@require_GET
def audit_trail(request: HttpRequest) -> HttpResponse:
    """The audit trail, filtered and paginated (50 events a page), for holders of the right ``audit_trail``."""
    _browsing(request)
    error = ""
    try:
        flt = trail.filter_from_params(request.GET)
    except BadInput as refusal:
        error = localize(refusal.message)
        flt = trail.TrailFilter()
    paginator = Paginator(trail.events_for(request.user, flt), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    context = {"filter": flt, "page": page, "total": paginator.count, "error": error,
               "rows": presenters.rows(list(page.object_list), request.user, current_language()),
               "options": trail_options(),
               **list_tools(request, "audit", flt.as_params(), export="audit_trail_export")}
    template = "lists/audit_results.html" if is_htmx(request) and request.headers.get(
        "HX-Target") == "audit-results" else "lists/audit_trail.html"
    return render(request, template, context, status=400 if error else 200)


@login_required
@require_GET
def audit_trail_export(request: HttpRequest) -> HttpResponse:
    """The filtered audit trail as CSV or xlsx (events of records the user may not see left out)."""
    _browsing(request)
    try:
        fmt = exports.format_of(request.GET.get("format"))
        flt = trail.filter_from_params(request.GET)
        return _download(exports.export_events(request.user, flt, fmt, request=request))
    except BadInput as refusal:
        return _refused(request, localize(refusal.message))

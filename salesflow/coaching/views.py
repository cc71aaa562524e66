"""Coaching pages: the people a manager coaches (1:1s against the cadence, activity coverage, stalled records,
adherence) and one person's page with their 1:1 meetings, agreed actions and the form to record a 1:1.

The figures are the coaching report's (`salesflow.analytics.reports.coaching`) as the viewer may see them.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from salesflow.analytics.reports import Params, run_report
from salesflow.analytics.source import data_for
from salesflow.coaching.models import Meeting
from salesflow.coaching.services import (
    cadence,
    do_complete_action,
    do_hold_meeting,
    may_coach_view,
    parse_actions,
    visible_meetings,
)
from salesflow.engine.errors import BadInput, EngineError
from salesflow.people import access
from salesflow.people.models import User


def _staff(request: HttpRequest) -> None:
    if not access.is_staff_member(request.user):
        raise PermissionDenied


def _report(user: Any) -> Any:
    with data_for("duckdb", user) as data:
        return run_report("coaching", data, Params())


@login_required
@require_GET
def coaching_list(request: HttpRequest) -> HttpResponse:
    """The people the viewer may see coaching figures of (their own reports; everyone for oversight roles)."""
    _staff(request)
    report = _report(request.user)
    people = report.tables["people"].rows
    usernames = {user.username: user for user in User.objects.filter(
        username__in=[row["person"] for row in people] + [row["manager"] for row in people if row.get("manager")])}
    rows = [dict(row, user=usernames.get(row["person"]), manager_user=usernames.get(row.get("manager") or ""))
            for row in people]
    return render(request, "coaching/list.html", {"rows": rows, "summary": report.summary,
                                                   "settings": cadence()})


@login_required
@require_http_methods(["GET", "POST"])
def person_page(request: HttpRequest, username: str) -> HttpResponse:
    """One person's coaching page; their manager records a 1:1 here."""
    _staff(request)
    person = User.objects.filter(username=username, is_active=True).select_related("manager").first()
    if person is None or not may_coach_view(request.user, person):
        raise Http404
    is_manager = person.manager_id == request.user.pk and not access.is_read_only(request.user)
    form = {"date": timezone.localdate().isoformat(), "notes": "", "actions": ""}
    if request.method == "POST":
        if not is_manager:
            raise PermissionDenied
        form = {key: request.POST.get(key, "") for key in form}
        try:
            try:
                day = datetime.date.fromisoformat(form["date"].strip())
            except ValueError:
                raise BadInput(f"date: YYYY-MM-DD expected, got {form['date'][:40]!r}") from None
            do_hold_meeting(request.user, person, day, form["notes"].strip(), parse_actions(form["actions"]))
            messages.success(request, _("1:1 recorded."))
            return redirect("coaching_person", username=person.username)
        except EngineError as problem:
            messages.error(request, problem.message)
    report = _report(request.user)
    row = next((item for item in report.tables["people"].rows if item["person"] == person.username), None)
    records = [item for item in report.tables["records"].rows if item["owner"] == person.username]
    meetings = visible_meetings(request.user, Meeting.objects.filter(person=person)).select_related(
        "manager").prefetch_related("actions")
    return render(request, "coaching/person.html", {
        "person": person, "row": row, "records": records, "stalled": [item for item in records if item["stalled"]],
        "meetings": meetings, "is_manager": is_manager, "form": form, "settings": cadence(),
        "summary": report.summary, "today": timezone.localdate()}, status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def action_done(request: HttpRequest, action_id: int) -> HttpResponse:
    """Mark an agreed action done (its manager or its person)."""
    _staff(request)
    try:
        do_complete_action(action_id, request.user)
        messages.success(request, _("Action done."))
    except EngineError as problem:
        messages.error(request, problem.message)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    return redirect(target or "/")

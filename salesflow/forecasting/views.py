"""The forecast page of the controlling section: the roll-up of a period, my submission, adjustments of the teams
I manage (or of the organisation), the weekly locks and who forecasts better."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from salesflow.analytics.periods import parse_period, period_containing
from salesflow.engine.errors import EngineError
from salesflow.forecasting import locks, services
from salesflow.people import access
from salesflow.web.i18n import localize


def _period(request: HttpRequest) -> str:
    text = (request.GET.get("period") or request.POST.get("period") or "").strip()
    if text:
        try:
            return parse_period(text).key
        except EngineError as problem:
            messages.error(request, localize(problem.message))
    return period_containing(timezone.now(), "quarter").key


def _post(request: HttpRequest, period: str) -> None:
    user = request.user
    if request.POST.get("action") == "adjust":
        team = request.POST.get("team") or None
        item = services.do_adjust(user, period, team, request.POST.get("commit", ""), request.POST.get("note", ""),
                                  request.POST.get("best_case") or None)
        messages.success(request, _("Forecast of %(scope)s for %(period)s adjusted.") % {
            "scope": item.team.name if item.team else _("the organisation"), "period": item.period})
    else:
        item = services.do_submit(user, period, request.POST.get("commit", ""), request.POST.get("best_case", ""),
                                  request.POST.get("note", ""))
        messages.success(request, _("Your forecast for %(period)s is submitted.") % {"period": item.period})


@login_required
@require_http_methods(["GET", "POST"])
def forecast_page(request: HttpRequest) -> HttpResponse:
    """The roll-up of a period with the forms to submit and adjust."""
    if not access.is_staff_member(request.user) and not request.user.is_superuser:
        raise PermissionDenied
    period = _period(request)
    if request.method == "POST":
        try:
            _post(request, period)
        except EngineError as problem:
            messages.error(request, localize(problem.message))
        return redirect(f"{request.path}?{urlencode({'period': period})}")
    data = services.rollup_data(period, request.user)
    nodes = services.team_nodes()
    adjustable = sorted(nodes) if services.may_adjust_all(request.user) else sorted(services.managed_teams(
        request.user, nodes))
    mine = services.latest_submissions(period).get(request.user.username)
    accuracy: dict[str, Any] = locks.accuracy() if (services.may_adjust_all(request.user) or access.has_right(
        request.user, "forecast_accuracy")) else {"rows": [], "periods": []}
    return render(request, "forecasting/forecast.html", {
        "period": period, "data": data, "rows": data["rows"], "adjustable": adjustable,
        "may_adjust_all": services.may_adjust_all(request.user), "mine": mine, "accuracy": accuracy,
        "previous": parse_period(period).previous().key, "next": parse_period(period).next().key,
    })

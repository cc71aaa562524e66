"""Channel partner pages: the list of partners and one partner's page (people, tier, region, mystery-shopping
scores over time, channel satisfaction, partner-sourced leads and their outcome); holders of the
``manage_partners`` right mark accounts as partners and set tier and region."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from salesflow.accounts.models import Account
from salesflow.accounts.partners import (
    LEAD_STATUSES,
    do_set_partner,
    may_manage_partners,
    partner_page,
    partners,
)
from salesflow.engine.errors import EngineError
from salesflow.people import access


def _staff(request: HttpRequest) -> None:
    if not access.is_staff_member(request.user):
        raise PermissionDenied


@login_required
@require_GET
def partner_list(request: HttpRequest) -> HttpResponse:
    """Every channel partner with its tier, region and latest figures."""
    _staff(request)
    rows = []
    for partner in partners():
        page = partner_page(partner, request.user)
        rows.append({"partner": partner, "mystery": page.mystery_average, "satisfaction": page.satisfaction_average,
                     "leads": len(page.leads), "won": page.lead_outcomes.get("won", 0),
                     "last": page.mystery_shopping[-1] if page.mystery_shopping else None})
    customers = (Account.objects.exclude(kind=Account.PARTNER).order_by("name")[:500]
                 if may_manage_partners(request.user) else [])
    return render(request, "web/partners.html", {"rows": rows, "customers": customers,
                                                 "may_manage": may_manage_partners(request.user)})


def _chart(page: Any) -> dict[str, Any]:
    values = [{"date": row["date"].isoformat(), "score": row["score"], "measure": _("Mystery shopping")}
              for row in page.mystery_shopping]
    values += [{"date": row["date"].isoformat(), "score": row["score"], "measure": _("Channel satisfaction")}
               for row in page.satisfaction]
    return {"$schema": "https://vega.github.io/schema/vega-lite/v5.json", "width": 560, "height": 220,
            "data": {"values": values}, "mark": {"type": "line", "point": True, "tooltip": True},
            "config": {"font": "system-ui, sans-serif", "view": {"stroke": None}},
            "encoding": {"x": {"field": "date", "type": "temporal", "title": None,
                               "axis": {"format": "%Y-%m", "tickCount": "month", "labelOverlap": True}},
                         "y": {"field": "score", "type": "quantitative", "title": "%", "scale": {"domain": [0, 100]}},
                         "color": {"field": "measure", "type": "nominal", "title": None}}}


@login_required
@require_GET
def partner_detail(request: HttpRequest, account_id: int) -> HttpResponse:
    """One partner's page."""
    _staff(request)
    partner = Account.objects.filter(pk=account_id, kind=Account.PARTNER).first()
    if partner is None:
        raise Http404
    page = partner_page(partner, request.user)
    outcomes = [(status, page.lead_outcomes[status]) for status in LEAD_STATUSES if page.lead_outcomes.get(status)]
    return render(request, "web/partner_detail.html", {
        "page": page, "partner": partner, "outcomes": outcomes, "spec": json.dumps(_chart(page)),
        "may_manage": may_manage_partners(request.user)})


@login_required
@require_POST
def partner_set(request: HttpRequest) -> HttpResponse:
    """Mark an account as a partner, or change a partner's tier and region."""
    _staff(request)
    if not may_manage_partners(request.user):
        raise PermissionDenied
    account = Account.objects.filter(pk=str(request.POST.get("account", "")).strip() or 0).first() \
        if str(request.POST.get("account", "")).strip().isdigit() else None
    if account is None:
        messages.error(request, _("Choose an account."))
        return redirect("partners")
    try:
        do_set_partner(account, request.POST.get("tier", ""), request.POST.get("region", ""), by=request.user)
        messages.success(request, _("Partner saved."))
    except EngineError as problem:
        messages.error(request, problem.message)
        return redirect("partners")
    return redirect("partner", account_id=account.pk)

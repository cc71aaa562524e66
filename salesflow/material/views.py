"""Web page of the material catalogue: every item with its stock per location, low stock highlighted."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from salesflow.material import services
from salesflow.material.models import StockMovement
from salesflow.people import access
from salesflow.web.templatetags.salesflow_web import current_language


def kind_label(kind: str) -> str:
    """The kind of material in the reader's language."""
    return {"sales_kit": _("Sales kit"), "promotion": _("Promotion material"),
            "representation": _("Representation material")}.get(kind, kind)


def movement_label(kind: str) -> str:
    """The kind of movement in the reader's language."""
    return {"received": _("Received"), "issued": _("Issued"), "adjusted": _("Adjusted")}.get(kind, kind)


@login_required
@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    """The catalogue with a column per stock location; cells at or below the reorder level are marked low."""
    if not services.may_view(request.user):
        raise Http404
    language = current_language()
    places = services.locations()
    rows = []
    for row in services.catalogue(language):
        cells = [{"location": place, "quantity": row["stock"].get(place), "low": place in row["low_stock"]}
                 for place in places]
        rows.append({**row, "kind_label": kind_label(row["kind"]), "cells": cells})
    hidden = StockMovement.objects.exclude(record__isnull=True).exclude(
        record__in=access.visible_records(request.user).values("pk")).values("pk")
    movements = StockMovement.objects.select_related("item").exclude(pk__in=hidden)[:30]
    recent = [{"movement": item, "name": item.item.name_in(language), "kind": movement_label(item.kind)}
              for item in movements]
    low = sum(1 for row in rows if row["low_stock"])
    return render(request, "material/catalogue.html", {
        "rows": rows, "locations": places, "recent": recent, "low_count": low,
        "may_manage": services.may_manage(request.user)})

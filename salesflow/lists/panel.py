"""The tools above a list: its saved filters (reopen, delete), saving the filter in use, exporting what it shows."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse

from salesflow.lists.registry import LISTS
from salesflow.lists.saved import filters_of


def list_tools(request: HttpRequest, list_key: str, params: Any, export: str | None = None) -> dict[str, Any]:
    """``tools`` for the template ``lists/list_tools.html``: the user's saved filters of the list, the list's
    current parameters (``params``, as the list read them) and the export link (URL name ``export``)."""
    spec = LISTS[list_key]
    query = spec.query_of(params)
    saved = [{"id": item.pk, "name": item.name, "url": spec.url(item.query), "current": item.query == query}
             for item in filters_of(request.user, list_key)]
    export_url = ""
    if export:
        export_url = reverse(export) + "?" + urlencode(query)
    return {"tools": {"list": list_key, "saved": saved, "query": query, "current_url": spec.url(query),
                      "export_url": export_url}}

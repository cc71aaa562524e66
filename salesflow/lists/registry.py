"""The lists a user may save filters of: their page, the query parameters they read and how they check them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse


def _records(params: Any) -> Any:
    from salesflow.records.queries import filter_from_params

    return filter_from_params(params)


def _accounts(params: Any) -> Any:
    from salesflow.accounts.overview import filter_from_params

    return filter_from_params(params)


def _audit(params: Any) -> Any:
    from salesflow.lists.trail import filter_from_params

    return filter_from_params(params)


@dataclass(frozen=True)
class ListSpec:
    """A list with saved filters: its page (URL name), its parameters, their check (raises `BadInput`)."""

    key: str
    url_name: str
    params: tuple[str, ...]
    check: Callable[[Any], Any]

    def query_of(self, params: Any) -> dict[str, str]:
        """The list's own parameters of ``params`` (a dict or QueryDict), empty ones and the page left out."""
        return {name: str(params.get(name)).strip() for name in self.params
                if params.get(name) not in (None, "") and str(params.get(name)).strip()}

    def url(self, query: dict[str, str]) -> str:
        """The list's page showing ``query``."""
        ordered = [(name, query[name]) for name in self.params if name in query]  # the list's order, not the store's
        return reverse(self.url_name) + (f"?{urlencode(ordered)}" if query else "")


LISTS: dict[str, ListSpec] = {
    "records": ListSpec("records", "records", ("q", "process", "stage", "status", "owner", "team", "classification",
                                               "close_from", "close_to", "sort"), _records),
    "board": ListSpec("board", "board", ("process", "owner", "team", "classification", "q"), _records),
    "accounts": ListSpec("accounts", "customers", ("q", "segment", "customer", "sort"), _accounts),
    "audit": ListSpec("audit", "audit_trail", ("user", "record", "process", "kind", "date_from", "date_to"), _audit),
}

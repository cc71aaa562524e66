"""Saved filters: a user names the filter of a list, reopens it later, deletes it. Each change is an event."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from salesflow.engine.errors import BadInput
from salesflow.engine.state import EventDraft
from salesflow.engine.texts import N_
from salesflow.lists.models import SavedFilter
from salesflow.lists.registry import LISTS, ListSpec
from salesflow.records import eventlog
from salesflow.records.services import NotFound, actorship

MAX_NAME = 80
#: Saved filters a user may keep per list.
MAX_PER_LIST = 50


def spec_of(list_key: Any) -> ListSpec:
    """The list ``list_key`` names; `BadInput` for any other."""
    spec = LISTS.get(str(list_key or ""))
    if spec is None:
        raise BadInput(N_("list: one of %(lists)s expected, got %(value)s", lists=", ".join(LISTS),
                          value=repr(str(list_key)[:40])))
    return spec


def filters_of(user: Any, list_key: str) -> list[SavedFilter]:
    """The user's saved filters of a list, by name."""
    return list(SavedFilter.objects.filter(user=user, list=list_key).order_by("name", "id"))


def filter_data(saved: SavedFilter) -> dict[str, Any]:
    """A saved filter as the API and the CLI show it (``url`` reopens it)."""
    return {"id": saved.pk, "list": saved.list, "name": saved.name, "query": saved.query,
            "url": LISTS[saved.list].url(saved.query), "created_at": saved.created_at}


def _name(value: Any) -> str:
    name = " ".join(str(value or "").split())
    if not name:
        raise BadInput(N_("name: a name for the filter is required"))
    if len(name) > MAX_NAME:
        raise BadInput(N_("name: at most %(limit)s characters, got %(length)s", limit=MAX_NAME, length=len(name)))
    if "\x00" in name:
        raise BadInput(N_("name: must not contain NUL characters"))
    return name


def do_save_filter(user: Any, list_key: Any, name: Any, params: Any) -> SavedFilter:
    """Save (or replace, under the same name) the user's filter of a list; the parameters are checked as the list
    checks them (`BadInput` names the bad one). Appends a ``filter_saved`` event."""
    spec = spec_of(list_key)
    name = _name(name)
    query = spec.query_of(params)
    spec.check(query)
    with transaction.atomic():
        saved = SavedFilter.objects.select_for_update().filter(user=user, list=spec.key, name=name).first()
        if saved is None:
            if SavedFilter.objects.filter(user=user, list=spec.key).count() >= MAX_PER_LIST:
                raise BadInput(N_("name: at most %(limit)s saved filters per list; delete one first", limit=MAX_PER_LIST))
            saved = SavedFilter(user=user, list=spec.key, name=name, created_at=timezone.now())
        saved.query = query
        saved.save()
        eventlog.append([EventDraft(kind="filter_saved", payload={"list": spec.key, "name": name, "query": query})],
                        actor=actorship(user), at=timezone.now())
    return saved


def do_delete_filter(user: Any, filter_id: Any) -> SavedFilter:
    """Delete one of the user's saved filters (another user's is `NotFound`); appends a ``filter_deleted`` event."""
    with transaction.atomic():
        saved = SavedFilter.objects.select_for_update().filter(
            user=user, pk=filter_id if str(filter_id).isdigit() else 0).first()
        if saved is None:
            raise NotFound(N_("saved filter %(id)s: no such filter of yours", id=str(filter_id)[:20]))
        eventlog.append([EventDraft(kind="filter_deleted", payload={"list": saved.list, "name": saved.name})],
                        actor=actorship(user), at=timezone.now())
        filter_id = saved.pk
        saved.delete()
        saved.pk = filter_id  # the answer names the filter that was deleted
    return saved

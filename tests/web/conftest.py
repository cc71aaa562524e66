"""Fixtures of the web tests: a cast of users per access situation, signed-in clients, a clean cache."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from salesflow.people.services import do_add_user
from salesflow.records import services
from tests.access_cases import AccessCast

PASSWORD = "web-test-password-1"


@pytest.fixture(autouse=True)
def _clean_cache() -> None:
    """Every test starts with an empty cache (login throttling counts live in the database, rolled back per test)."""
    cache.clear()


@pytest.fixture
def cast(db: Any) -> AccessCast:
    """Users in every access situation and one record per classification (owned by cast ``owner``)."""
    return AccessCast.build()


@pytest.fixture
def client_for(db: Any) -> Callable[[Any], Client]:
    """A test client signed in as the given user."""
    def make(user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client
    return make


@pytest.fixture
def people(db: Any) -> dict[str, Any]:
    """A small sales team: Head of Sales, two KAMs (teams North/South), a bid manager, an auditor."""
    return {
        "head": do_add_user("head", ["head_of_sales"], ["North", "South"], password=PASSWORD,
                            first_name="Helena", last_name="Hoffmann"),
        "kam": do_add_user("kam", ["kam"], ["North"], password=PASSWORD, first_name="Kai", last_name="Becker"),
        "kam2": do_add_user("kam2", ["kam"], ["South"], password=PASSWORD, first_name="Lena", last_name="Wolf"),
        "bid": do_add_user("bid", ["bid_manager"], ["North"], password=PASSWORD, first_name="Bernd"),
        "auditor": do_add_user("auditor", ["auditor"], [], password=PASSWORD, first_name="Arne"),
    }


@pytest.fixture
def opportunity(people: dict[str, Any]) -> Any:
    """An internal opportunity of 120 000 EUR owned by the KAM, in Qualification."""
    return services.do_create_record("opportunity-management", people["kam"], {
        "title": "Grid monitoring", "account": "Nordwind Energie", "amount": "120000",
    })

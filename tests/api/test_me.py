"""GET /api/me: the caller with roles, teams and whether they may only read."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_me(people, api_as) -> None:
    body = api_as(people["head"]).get("/api/me").json()
    assert body == {"id": people["head"].pk, "username": "head", "name": "Helena Hoffmann", "email": "",
                    "roles": ["head_of_sales"], "teams": ["North", "South"], "read_only": False}
    assert api_as(people["auditor"]).get("/api/me").json()["read_only"] is True

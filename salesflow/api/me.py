"""``/api/me``: who the API sees (the token's user or the signed-in user)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from salesflow.api.errors import responses
from salesflow.api.schemas import MeOut
from salesflow.people import access

router = Router(tags=["users"])


@router.get("/me", response=responses({200: MeOut}), summary="The calling user", operation_id="me")
def me(request: HttpRequest) -> dict[str, Any]:
    """The calling user with roles and teams."""
    user = request.auth
    return {"id": user.pk, "username": user.username, "name": user.display_name, "email": user.email,
            "roles": sorted(user.role_ids()), "teams": sorted(user.teams.values_list("name", flat=True)),
            "read_only": access.is_read_only(user)}

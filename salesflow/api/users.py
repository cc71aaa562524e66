"""``/api/users``: user administration for administrators; ``/api/me/password``: change one's own password.

The same services as the web pages and ``salesflow user …`` (`salesflow.people.lifecycle`), so the
same rules hold: only administrators (system role ``admin`` or superuser) administer users, unknown
roles and teams are refused naming the value, the last administrator cannot be removed, and each
change is a ``security.*`` event naming who did it with the state before and after.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.contrib.auth import SESSION_KEY, update_session_auth_hash
from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from salesflow.api.errors import responses
from salesflow.api.schemas import Text
from salesflow.people import lifecycle

router = Router(tags=["users"])
me_router = Router(tags=["users"])

Name = Annotated[Text, Field(min_length=1, max_length=150)]
Names = Annotated[list[Name], Field(max_length=100)]
Password = Annotated[Text, Field(min_length=1, max_length=lifecycle.MAX_PASSWORD)]


class UserOut(Schema):
    """A user with roles, teams and state."""

    id: int
    username: str
    name: str
    email: str
    active: bool
    superuser: bool
    roles: list[str]
    teams: list[str]
    password_set: bool = Field(description="False for a user who cannot sign in with a password yet (e.g. imported).")
    must_change_password: bool = Field(description="True after a one-time password, until the user changes it.")
    last_login: str | None
    joined: str


class UserUpdateIn(Schema):
    """Roles and teams to grant and to take away (role ids of the library or system roles; team names)."""

    add_roles: Names = []
    remove_roles: Names = []
    add_teams: Names = []
    remove_teams: Names = []


class OneTimePasswordIn(Schema):
    """The one-time password to set; omit it to have one generated (returned once)."""

    password: Password | None = None


class OneTimePasswordOut(Schema):
    """The user, and the generated one-time password (null when it was given in the request)."""

    user: UserOut
    password: str | None = Field(description="Generated one-time password, shown once; null when you gave one.")


class PasswordChangeIn(Schema):
    """One's current password and the new one."""

    current_password: Password
    new_password: Password


def _admin(request: HttpRequest) -> Any:
    lifecycle.require_administrator(request.auth)
    return request.auth


def _user(username: str) -> Any:
    return lifecycle.find_user(username)


@router.get("", response=responses({200: list[UserOut]}, 400, 403), summary="List users", operation_id="list_users")
def list_users(request: HttpRequest, active: bool | None = None) -> list[dict[str, Any]]:
    """Every user (``active=true|false`` to filter) with roles, teams and state. Administrators only."""
    _admin(request)
    return [lifecycle.user_row(user) for user in lifecycle.list_users(active=active)]


@router.get("/{username}", response=responses({200: UserOut}, 400, 403, 404), summary="Read a user",
            operation_id="read_user")
def read_user(request: HttpRequest, username: str) -> dict[str, Any]:
    """One user. Administrators only."""
    _admin(request)
    return lifecycle.user_row(_user(username))


@router.patch("/{username}", response=responses({200: UserOut}, 400, 403, 404, 409),
              summary="Grant or take away roles and teams", operation_id="update_user")
def update_user(request: HttpRequest, username: str, payload: UserUpdateIn) -> dict[str, Any]:
    """Grant and take away roles and teams, at once for every session and token of the user."""
    admin = _admin(request)
    user, _changed = lifecycle.update_user(username, add_roles=payload.add_roles, remove_roles=payload.remove_roles,
                                           add_teams=payload.add_teams, remove_teams=payload.remove_teams,
                                           by=admin, request=request)
    return lifecycle.user_row(user)


@router.post("/{username}/deactivate", response=responses({200: UserOut}, 400, 403, 404, 409),
             summary="Deactivate a user", operation_id="deactivate_user")
def deactivate_user(request: HttpRequest, username: str) -> dict[str, Any]:
    """No sign-in any more: sessions end and API tokens are revoked at once; the history stays."""
    return lifecycle.user_row(lifecycle.deactivate_user(username, by=_admin(request), request=request))


@router.post("/{username}/reactivate", response=responses({200: UserOut}, 400, 403, 404, 409),
             summary="Reactivate (or activate an imported) user", operation_id="reactivate_user")
def reactivate_user(request: HttpRequest, username: str) -> dict[str, Any]:
    """Sign-in possible again (with a password: set a one-time one if the user has none)."""
    return lifecycle.user_row(lifecycle.reactivate_user(username, by=_admin(request), request=request))


@router.post("/{username}/password", response=responses({200: OneTimePasswordOut}, 400, 403, 404),
             summary="Set a one-time password", operation_id="set_one_time_password")
def set_one_time_password(request: HttpRequest, username: str,
                          payload: OneTimePasswordIn | None = None) -> dict[str, Any]:
    """A password the user must change at the next sign-in (generated when none is given)."""
    given = payload.password if payload is not None else None
    user, password = lifecycle.set_one_time_password(username, given, by=_admin(request), request=request)
    return {"user": lifecycle.user_row(user), "password": password if given is None else None}


@me_router.post("/me/password", response=responses({200: UserOut}, 400, 429), summary="Change your own password",
                operation_id="change_own_password")
def change_own_password(request: HttpRequest, payload: PasswordChangeIn) -> dict[str, Any]:
    """Your current password and a new one (validated, different). A wrong current password counts as a
    failed sign-in for your account."""
    from salesflow.people import throttle

    seconds = throttle.locked_for(request, request.auth.username)
    if seconds:
        from salesflow.api.auth import TooManyAttempts

        raise TooManyAttempts(seconds, "sign-in attempts for your account")
    user = lifecycle.change_own_password(request.auth, payload.current_password, payload.new_password, request=request)
    if hasattr(request, "session") and request.session.get(SESSION_KEY) == str(user.pk):
        update_session_auth_hash(request, user)  # this browser stays signed in; other sessions end
    return lifecycle.user_row(user)

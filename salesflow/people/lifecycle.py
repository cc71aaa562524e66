"""Users over their whole life (ISO 27001 A.5.16 identity management, A.5.18 access rights).

Administrators list users, grant and take away roles and teams, deactivate leavers and reactivate
them (or activate imported users), and set one-time passwords that must be changed at the next
sign-in; every user changes their own password. Each change is a ``security.*`` event in the
hash-chained event log naming who did it, whom it concerns, and the state before and after.

Who administers users is not a role of the process library: it is the system role ``admin``
(a role of the library settings, present whatever processes are loaded) or a Django superuser.
The command line acts in the administrator's context (whoever runs it can read the database); with
``--as NAME`` the act is recorded under that user, who must be an administrator.

Effects are immediate: rights are read from the database on every request, a deactivated user's
sessions are deleted and their API tokens revoked in the same transaction, and a new password ends
every session signed in with the old one (Django's session hash).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from salesflow.engine.errors import BadInput, Conflict, NotPermitted
from salesflow.people.models import ApiToken, Role, Team, User
from salesflow.people.security import log_security_event

#: The system role that administers users (a system role, not a role of the process library).
ADMIN_ROLE = "admin"
#: Longest password accepted (a password file is read only this far).
MAX_PASSWORD = 4096
#: Length of a generated one-time password (URL-safe characters).
GENERATED_LENGTH = 16


def administers_users(user: Any) -> bool:
    """True for an active signed-in user who may administer users: a superuser or a holder of ``admin``."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser or ADMIN_ROLE in user.role_ids())


def require_administrator(by: Any | None) -> None:
    """Refuse unless ``by`` administers users (None: the command line's administrator context)."""
    if by is not None and not administers_users(by):
        raise NotPermitted(f"{getattr(by, 'username', by)} may not administer users: that needs the "
                           f"{ADMIN_ROLE!r} role or a superuser")


def find_user(name_or_id: Any) -> Any:
    """A user by user name (or numeric id), active or not. Raises `NotFound` naming the value."""
    from salesflow.records.services import NotFound

    text = str(name_or_id or "").strip()
    if "\x00" in text or len(text) > 150:
        raise NotFound(f"unknown user {text[:40]!r}")
    user = User.objects.filter(username=text).first() if text else None
    if user is None and text.isdigit():
        user = User.objects.filter(pk=int(text)).first()
    if user is None:
        raise NotFound(f"unknown user {text!r}")
    return user


def user_row(user: Any) -> dict[str, Any]:
    """A user as JSON-ready data (the ``user list --json`` and API shape)."""
    return {
        "id": user.pk, "username": user.username, "name": user.display_name, "email": user.email,
        "active": user.is_active, "superuser": user.is_superuser,
        "roles": sorted(role.id for role in user.roles.all()),
        "teams": sorted(team.name for team in user.teams.all()),
        "password_set": user.has_usable_password(), "must_change_password": user.must_change_password,
        "last_login": user.last_login.isoformat() if user.last_login else None,
        "joined": user.date_joined.isoformat(),
    }


def list_users(*, active: bool | None = None) -> list[Any]:
    """Every user (or only the active / inactive ones) with roles and teams, by user name."""
    users = User.objects.prefetch_related("roles", "teams").order_by("username")
    if active is not None:
        users = users.filter(is_active=active)
    return list(users)


def _clean_names(values: Iterable[Any]) -> list[str]:
    return sorted({str(value).strip() for value in values if str(value or "").strip()})


def _unknown(kind: str, wanted: list[str], known: set[str]) -> str:
    """A message naming the unknown values of a kind (empty when all are known)."""
    unknown = [value for value in wanted if value not in known]
    if not unknown:
        return ""
    listed = ", ".join(sorted(known)) or "none"
    return f"unknown {kind}(s): {', '.join(repr(value) for value in unknown)} (known {kind}s: {listed})"


def _another_administrator(user: Any) -> bool:
    """Whether an active administrator other than ``user`` exists."""
    others = User.objects.filter(is_active=True).filter(Q(is_superuser=True) | Q(roles__id=ADMIN_ROLE))
    return others.exclude(pk=user.pk).exists()


def update_user(name: Any, *, add_roles: Iterable[str] = (), remove_roles: Iterable[str] = (),
                add_teams: Iterable[str] = (), remove_teams: Iterable[str] = (), by: Any | None = None,
                request: Any | None = None) -> tuple[Any, bool]:
    """Grant and take away roles and teams; returns (user, whether anything changed).

    Unknown roles (not in the loaded library nor system roles) and unknown teams are refused naming
    the value; a role both added and removed is refused. Granting what the user holds, or taking
    what they do not, changes nothing. The change is one ``security.user_updated`` event.
    """
    require_administrator(by)
    add_roles, remove_roles = _clean_names(add_roles), _clean_names(remove_roles)
    add_teams, remove_teams = _clean_names(add_teams), _clean_names(remove_teams)
    problems = [_unknown("role", add_roles + remove_roles, set(Role.objects.values_list("id", flat=True))),
                _unknown("team", add_teams + remove_teams, set(Team.objects.values_list("name", flat=True)))]
    if any(problems):
        raise BadInput("; ".join(problem for problem in problems if problem))
    for kind, added, removed in (("role", add_roles, remove_roles), ("team", add_teams, remove_teams)):
        both = sorted(set(added) & set(removed))
        if both:
            raise BadInput(f"{kind} {both[0]!r} is both added and removed")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=find_user(name).pk)
        roles_before = sorted(user.roles.values_list("id", flat=True))
        teams_before = sorted(user.teams.values_list("name", flat=True))
        roles_after = sorted((set(roles_before) | set(add_roles)) - set(remove_roles))
        teams_after = sorted((set(teams_before) | set(add_teams)) - set(remove_teams))
        if roles_after == roles_before and teams_after == teams_before:
            return user, False
        if ADMIN_ROLE in roles_before and ADMIN_ROLE not in roles_after and user.is_active and \
                not user.is_superuser and not _another_administrator(user):
            raise Conflict(f"{user.username} is the last administrator: grant {ADMIN_ROLE!r} to someone else first")
        user.roles.set(roles_after)
        user.teams.set(list(Team.objects.filter(name__in=teams_after)))
        user._role_ids = None
        log_security_event(
            "user_updated", by, name="system", request=request, username=user.username,
            before={"roles": roles_before, "teams": teams_before},
            after={"roles": roles_after, "teams": teams_after},
            roles_added=sorted(set(roles_after) - set(roles_before)),
            roles_removed=sorted(set(roles_before) - set(roles_after)),
            teams_added=sorted(set(teams_after) - set(teams_before)),
            teams_removed=sorted(set(teams_before) - set(teams_after)))
    return user, True


def create_team(name: str, *, by: Any | None = None, request: Any | None = None) -> Any:
    """Create a team (refused when it exists); a ``security.team_created`` event."""
    require_administrator(by)
    label = " ".join(str(name or "").split())
    if not label:
        raise BadInput("a team name is required")
    max_length = Team._meta.get_field("name").max_length
    if len(label) > max_length:
        raise BadInput(f"team name {label[:40]!r}…: at most {max_length} characters")
    with transaction.atomic():
        if Team.objects.filter(name=label).exists():
            raise Conflict(f"team {label!r} already exists")
        team = Team.objects.create(name=label)
        log_security_event("team_created", by, name="system", request=request, team=label)
    return team


def end_sessions(user: Any) -> int:
    """Delete every stored session signed in as ``user``; returns how many (database sessions only).

    Other session engines still stop an inactive user at once (Django's authentication refuses an
    inactive user on every request); the database engine is Salesflow's default.
    """
    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":
        return 0
    from django.contrib.sessions.models import Session

    ended = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).only("session_key", "session_data").iterator():
        if str(session.get_decoded().get(SESSION_KEY, "")) == str(user.pk):
            ended.append(session.session_key)
    Session.objects.filter(session_key__in=ended).delete()
    return len(ended)


def deactivate_user(name: Any, *, by: Any | None = None, request: Any | None = None) -> Any:
    """Deactivate a user (a leaver): no sign-in, sessions ended and API tokens revoked at once.

    The user and everything they did stay in the records and the event log. Refused for oneself,
    for an inactive user and for the last administrator.
    """
    require_administrator(by)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=find_user(name).pk)
        if by is not None and by.pk == user.pk:
            raise Conflict("you cannot deactivate yourself: ask another administrator")
        if not user.is_active:
            raise Conflict(f"{user.username} is already deactivated")
        if (user.is_superuser or ADMIN_ROLE in user.role_ids()) and not _another_administrator(user):
            raise Conflict(f"{user.username} is the last administrator: make someone else an administrator first")
        now = timezone.now()
        user.is_active = False
        user.save(update_fields=["is_active"])
        tokens_revoked = (ApiToken.objects.filter(user=user, revoked_at__isnull=True)
                          .exclude(expires_at__lte=now).update(revoked_at=now))
        sessions_ended = end_sessions(user)
        log_security_event("user_deactivated", by, name="system", request=request, username=user.username,
                           before={"active": True}, after={"active": False},
                           sessions_ended=sessions_ended, tokens_revoked=tokens_revoked)
    return user


def reactivate_user(name: Any, *, by: Any | None = None, request: Any | None = None) -> Any:
    """Reactivate a deactivated user, or activate an imported one. Their old API tokens stay revoked.

    A user without a usable password (e.g. imported) can sign in once an administrator sets a
    one-time password.
    """
    require_administrator(by)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=find_user(name).pk)
        if user.is_active:
            raise Conflict(f"{user.username} is already active")
        user.is_active = True
        user.save(update_fields=["is_active"])
        log_security_event("user_reactivated", by, name="system", request=request, username=user.username,
                           before={"active": False}, after={"active": True},
                           password_set=user.has_usable_password())
    return user


def generate_password() -> str:
    """A random one-time password (URL-safe letters and digits)."""
    return secrets.token_urlsafe(GENERATED_LENGTH)[:GENERATED_LENGTH]


def _validated(password: str, user: Any, field: str = "password") -> str:
    if not isinstance(password, str) or not password:
        raise BadInput(f"{field}: a password is required")
    if len(password) > MAX_PASSWORD:
        raise BadInput(f"{field}: at most {MAX_PASSWORD} characters")
    if "\x00" in password:
        raise BadInput(f"{field}: must not contain NUL characters")
    try:
        validate_password(password, user)
    except ValidationError as invalid:
        raise BadInput(f"{field}: " + " ".join(invalid.messages)) from None
    return password


def set_one_time_password(name: Any, password: str | None = None, *, by: Any | None = None,
                          request: Any | None = None) -> tuple[Any, str]:
    """Set a one-time password the user must change at the next sign-in; returns (user, password).

    Without ``password`` one is generated (shown once, never stored in clear or logged). The
    user's sessions end, and a sign-in lock on the account is lifted.
    """
    from salesflow.people import throttle

    require_administrator(by)
    generated = password is None
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=find_user(name).pk)
        password = generate_password() if generated else _validated(password, user)
        before = user.must_change_password
        user.set_password(password)
        user.must_change_password = True
        user.save(update_fields=["password", "must_change_password"])
        sessions_ended = end_sessions(user)
        lock_lifted = throttle.unlock_account(user.username)
        log_security_event("password_reset", by, name="system", request=request, username=user.username,
                           one_time=True, generated=generated, before={"must_change_password": before},
                           after={"must_change_password": True}, sessions_ended=sessions_ended,
                           lock_lifted=lock_lifted)
    return user, password


def password_changed(user: Any, *, request: Any | None = None, was_required: bool | None = None) -> None:
    """Record that a user changed their own password (clearing a one-time password's change duty)."""
    before = user.must_change_password if was_required is None else was_required
    if user.must_change_password:
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
    log_security_event("password_changed", user, request=request, username=user.username,
                       before={"must_change_password": before}, after={"must_change_password": False})


def change_own_password(user: Any, current: str, new: str, *, request: Any | None = None) -> Any:
    """A user changes their own password: the current one is checked, the new one validated and different.

    A wrong current password counts as a failed sign-in for the account (see `throttle`).
    """
    from salesflow.people import throttle

    if not isinstance(current, str) or len(current) > MAX_PASSWORD or not user.check_password(current):
        throttle.record_failure(request, user.username)
        raise BadInput("current_password: the current password is not correct")
    new = _validated(new, user, "new_password")
    if new == current:
        raise BadInput("new_password: choose a password different from the current one")
    with transaction.atomic():
        was_required = user.must_change_password
        user.set_password(new)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        password_changed(user, request=request, was_required=was_required)
    return user

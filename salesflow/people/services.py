"""Actions on users, roles and teams; each is recorded in the event log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from salesflow.engine.errors import BadInput, Conflict
from salesflow.engine.state import EventDraft
from salesflow.people.models import Role, Team
from salesflow.records import eventlog
from salesflow.records.services import actorship

User = get_user_model()


def do_add_user(username: str, roles: list[str], teams: list[str] | None = None, *, password: str | None = None,
                email: str = "", first_name: str = "", last_name: str = "", is_superuser: bool = False,
                by: Any | None = None) -> Any:
    """Create a user with roles and teams. Unknown roles are refused (listing the known ones)."""
    username = username.strip()
    if not username:
        raise BadInput("a user name is required")
    known = set(Role.objects.values_list("id", flat=True))
    unknown = [role for role in roles if role not in known]
    if unknown:
        raise BadInput(f"unknown role(s): {', '.join(unknown)} (known roles: {', '.join(sorted(known))})")
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise Conflict(f"user {username!r} already exists")
        user = User(username=username, email=email, first_name=first_name, last_name=last_name,
                    is_superuser=is_superuser, is_staff=is_superuser)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        user.roles.set(roles)
        team_objects = [Team.objects.get_or_create(name=name.strip())[0] for name in teams or [] if name.strip()]
        user.teams.set(team_objects)
        eventlog.append(
            [EventDraft(kind="user_added", payload={"username": username, "roles": sorted(roles),
                                                     "teams": sorted(team.name for team in team_objects)})],
            actor=actorship(by), at=timezone.now(),
        )
    return user

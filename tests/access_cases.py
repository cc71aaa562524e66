"""Shared cast for permission tests of views and API endpoints (NetBox-style generic checks).

`AccessCast.build()` creates, in the test database, one user per access situation and one record
per classification, so a test can ask for every interface: anonymous → login/401, a user without
the right → 403 (or 404 for a hidden record), a user with it → 2xx.

    cast = AccessCast.build()
    cast.users["other_kam"]   # KAM of another team: must not see confidential records of team North
    cast.records["confidential"]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from salesflow.people.models import User
from salesflow.people.services import do_add_user
from salesflow.records import services

PASSWORD = "cast-password-1"

#: name → (roles, teams)
CAST_USERS: dict[str, tuple[list[str], list[str]]] = {
    "owner": (["kam"], ["North"]),            # owns every cast record
    "team_mate": (["kam"], ["North"]),        # same team as the owner
    "other_kam": (["kam"], ["South"]),        # another team
    "head": (["head_of_sales"], []),          # oversight: sees confidential, not strictly confidential
    "auditor": (["auditor"], []),             # read-only oversight
    "member": (["sales_support"], ["South"]),  # named member of the strictly confidential record
    "no_role": ([], []),                       # signed in, but no role: sees nothing
}

#: classification → who may see a record of it (by cast user name)
VISIBLE_TO: dict[str, set[str]] = {
    "public": {"owner", "team_mate", "other_kam", "head", "auditor", "member"},
    "internal": {"owner", "team_mate", "other_kam", "head", "auditor", "member"},
    "confidential": {"owner", "team_mate", "head", "auditor"},
    "strictly_confidential": {"owner", "member"},
}


@dataclass
class AccessCast:
    """The users and records of a permission test."""

    users: dict[str, User] = field(default_factory=dict)
    records: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def build(cls, process: str = "opportunity-management") -> AccessCast:
        """Create the cast in the current test database."""
        cast = cls()
        for name, (roles, teams) in CAST_USERS.items():
            cast.users[name] = do_add_user(f"cast_{name}", roles, teams, password=PASSWORD)
        for classification in VISIBLE_TO:
            record = services.do_create_record(process, cast.users["owner"], {
                "title": f"Cast {classification}", "amount": "120000", "classification": classification,
            })
            cast.records[classification] = record
        cast.records["strictly_confidential"].members.add(cast.users["member"])
        return cast

    def can_see(self, user_name: str, classification: str) -> bool:
        """Whether the cast user may see the cast record of this classification."""
        return user_name in VISIBLE_TO[classification]

"""The demo users: one or more per role the default library declares (password: `DEMO_PASSWORD`)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import make_password

from salesflow.people.models import User
from salesflow.people.services import do_add_user

DEMO_PASSWORD = "salesflow-demo"

#: (user name, first name, last name, roles, teams)
DEMO_USERS: list[tuple[str, str, str, list[str], list[str]]] = [
    ("head", "Helena", "Hoffmann", ["head_of_sales"], ["North", "South"]),
    ("kam", "Kai", "Becker", ["kam"], ["North"]),
    ("kam2", "Lena", "Wolf", ["kam"], ["South"]),
    ("bidmanager", "Bernd", "Maier", ["bid_manager"], ["North", "South"]),
    ("support", "Sara", "Yilmaz", ["sales_support"], ["North", "South"]),
    ("marketing", "Mara", "Lindner", ["marketing"], []),
    ("legal", "Leon", "Brandt", ["legal"], ["North", "South"]),
    ("backoffice", "Bianca", "Kraus", ["order_manager"], ["North", "South"]),
    ("finance", "Frank", "Seidel", ["finance"], ["North", "South"]),
    ("director", "Dana", "Richter", ["managing_director"], ["North", "South"]),
    ("internal", "Ivo", "Schulz", ["internal"], ["North", "South"]),
    ("presales", "Paula", "Schmitt", ["presales_engineer"], ["North", "South"]),
    ("ops", "Olga", "Neumann", ["sales_ops"], []),
    ("quality", "Quentin", "Vogel", ["sales_quality"], []),
    ("auditor", "Arne", "Krüger", ["auditor"], []),
    ("admin", "Ada", "Admin", ["admin"], []),
]


def demo_present() -> bool:
    """True when the demo users exist already."""
    return User.objects.filter(username="head").exists()


def create_users() -> dict[str, Any]:
    """Create the demo users through the people service (password: `DEMO_PASSWORD`).

    The password is hashed once and shared: hashing it per user (argon2) would cost seconds.
    """
    hashed = make_password(DEMO_PASSWORD)
    users = {}
    for username, first, last, roles, teams in DEMO_USERS:
        user = do_add_user(username, roles, teams, first_name=first, last_name=last,
                           email=f"{username}@example.com", is_superuser=username == "admin")
        user.password = hashed
        user.save(update_fields=["password"])
        users[username] = user
    return users

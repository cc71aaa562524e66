"""A company's first start: the first administrator and the chosen processes of the default library.

No demo data. The first administrator holds the system role ``admin`` and the responsible role of
each installed process (read from its guideline), so that they can run document control — approve,
retire — until they hand these roles on.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from salesflow.engine.errors import BadInput, Conflict
from salesflow.ops.models import Installation

ADMIN_ROLE = "admin"


def parse_process_choice(text: str, known: Collection[str]) -> list[str]:
    """``all`` | ``none`` | ``KEY,KEY…`` → the sorted keys; an unknown key is refused naming it."""
    value = (text or "").strip()
    if value == "all":
        return sorted(known)
    if value == "none":
        return []
    keys = [item.strip() for item in value.split(",") if item.strip()]
    if not keys:
        raise BadInput("--processes: all, none or a comma list of process ids expected")
    unknown = [key for key in keys if key not in known]
    if unknown:
        raise BadInput(f"--processes: unknown process {', '.join(unknown)} (the default library has "
                       f"{', '.join(sorted(known))})")
    return sorted(set(keys))


def check_admin(name: str, email: str, password: str) -> None:
    """Refuse an empty name, a bad address, or a password Django's validators reject (needs no database)."""
    from salesflow.people.models import User

    if not name.strip():
        raise BadInput("--admin: a user name is required")
    try:
        validate_email(email)
    except ValidationError:
        raise BadInput(f"--email: not an e-mail address: {email!r}") from None
    try:
        password_validation.validate_password(password, User(username=name, email=email))
    except ValidationError as error:
        raise BadInput("password: " + " ".join(error.messages)) from None


def do_initialise(name: str, email: str, password: str, processes: list[str],
                  at: datetime.datetime | None = None) -> tuple[Any, list[str]]:
    """Create the first administrator, install ``processes``, retire loaded defaults not chosen.

    Refused (nothing changed) when the database was initialised before or already has users.
    Returns the administrator and the process keys now in use.
    """
    from salesflow.guidelines.retirement import do_retire_process
    from salesflow.people.models import Role, User
    from salesflow.people.services import do_add_user
    from salesflow.records.library import load_default_library
    from salesflow.records.models import Process
    from salesflow.records.services import definition_of, sync_roles

    at = at or timezone.now()
    check_admin(name, email, password)
    with transaction.atomic():
        if Installation.objects.exists():
            raise Conflict("this database is initialised already (salesflow init runs once); add users with "
                           "`salesflow user add`")
        if User.objects.exists():
            raise Conflict(f"this database has {User.objects.count()} user(s) already: salesflow init sets up an "
                           "empty database (is it the demo database? point DATABASE_URL elsewhere)")
        load_default_library(keys=processes)
        for process in Process.objects.exclude(key__in=processes).filter(retired_at__isnull=True):
            do_retire_process(process.key, None, "not chosen at salesflow init", at)
        roles = {ADMIN_ROLE}
        for process in Process.objects.filter(key__in=processes):
            version = process.current_version()
            if version is not None:
                definition = definition_of(version)
                sync_roles(definition)
                roles.add(definition.guideline.responsible)
        Role.objects.get_or_create(id=ADMIN_ROLE, defaults={"title": {"en": "Administrator"}, "system": True})
        admin = do_add_user(name.strip(), sorted(roles), password=password, email=email.strip())
        Installation.objects.create(initialised_at=at, admin_name=admin.username, processes=processes)
    return admin, processes

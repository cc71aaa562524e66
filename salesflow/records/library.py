"""The default process library shipped in ``salesflow/library`` and how it reaches the database."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from salesflow.process.library_settings import SETTINGS_FILE_NAME
from salesflow.process.validate import ParsedSettings, ProcessInvalid, validate_library_paths

LIBRARY_DIR = Path(__file__).resolve().parent.parent / "library"


def default_library_keys() -> set[str]:
    """Process ids of the default library (by file name; the settings file is no process)."""
    return {path.stem for path in LIBRARY_DIR.glob("*.yaml") if path.name != SETTINGS_FILE_NAME}


@dataclass(frozen=True)
class SettingsLoadResult:
    """What loading a library settings file did: ``loaded`` or ``unchanged``."""

    file: str
    status: str
    roles: int


def do_load_library_settings(parsed: ParsedSettings, by: Any | None = None) -> SettingsLoadResult:
    """Put library settings in force (a new version) unless identical to those in force.

    Declares the library-wide roles (titles), and records a ``library_settings_loaded`` event with
    the access and rights it sets, so the audit trail shows who changed access and when.
    """
    from salesflow.people.models import Role
    from salesflow.records import eventlog
    from salesflow.records.eventlog import EventDraft
    from salesflow.records.models import LibrarySettingsVersion
    from salesflow.records.services import actorship

    settings = parsed.settings.library_settings
    sha = hashlib.sha256(parsed.source.encode("utf-8")).hexdigest()
    with transaction.atomic():
        current = LibrarySettingsVersion.objects.select_for_update().order_by("-id").first()
        if current is not None and current.sha256 == sha:
            return SettingsLoadResult(parsed.file, "unchanged", len(settings.roles))
        at = timezone.now()
        for role_id, role in settings.roles.items():
            Role.objects.update_or_create(id=role_id, defaults={"title": dict(role.title), "system": True})
        LibrarySettingsVersion.objects.create(
            source=parsed.source, data=settings.to_data(), sha256=sha, file=Path(parsed.file).name, loaded_at=at,
            loaded_by=by, loaded_by_name=by.display_name if by else "system")
        data = settings.to_data()
        eventlog.append([EventDraft(kind="library_settings_loaded", payload={
            "sha256": sha, "file": Path(parsed.file).name, "access": data["access"], "rights": data["rights"],
            "roles": sorted(settings.roles)})], actor=actorship(by), at=at)
    return SettingsLoadResult(parsed.file, "loaded", len(settings.roles))


def load_default_library() -> list[Any]:
    """Load every default process version that the database does not hold yet (idempotent).

    The shipped library is installed as its files say (the system installs it at migrate and for the
    demo); changes to a running library go through ``process propose`` or ``process load --approved-by``.
    The default library settings are put in force only when no library settings were ever loaded:
    a company that loaded its own keeps them.
    """
    from salesflow.records.models import LibrarySettingsVersion, ProcessVersion
    from salesflow.records.services import do_load_process

    valid, settings, problems = validate_library_paths([LIBRARY_DIR])
    if problems:
        raise ProcessInvalid(problems)
    results: list[Any] = []
    if settings is not None and not LibrarySettingsVersion.objects.exists():
        results.append(do_load_library_settings(settings))
    for parsed in valid:
        definition = parsed.definition
        if ProcessVersion.objects.filter(process__key=definition.process, version=definition.version).exists():
            continue
        results.append(do_load_process(parsed, install=True))
    return results


def load_default_library_after_migrate(sender: Any, **kwargs: Any) -> None:
    """post_migrate hook: a freshly migrated database already holds the default library."""
    from django.db import connections

    using = kwargs.get("using", "default")
    tables = connections[using].introspection.table_names()
    if "records_processversion" not in tables or "people_role" not in tables:
        return
    if "records_librarysettingsversion" not in tables:
        return
    load_default_library()

"""The default process library shipped in ``salesflow/library`` and how it reaches the database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from salesflow.process.validate import ProcessInvalid, validate_paths

LIBRARY_DIR = Path(__file__).resolve().parent.parent / "library"


def default_library_keys() -> set[str]:
    """Process ids of the default library (by file name)."""
    from salesflow.process.validate import NOT_PROCESSES

    return {path.stem for path in LIBRARY_DIR.glob("*.yaml") if path.name not in NOT_PROCESSES}


def load_default_library() -> list[Any]:
    """Load every default process version that the database does not hold yet (idempotent)."""
    from salesflow.records.models import ProcessVersion
    from salesflow.records.services import do_load_process

    valid, problems = validate_paths([LIBRARY_DIR])
    if problems:
        raise ProcessInvalid(problems)
    results = []
    for parsed in valid:
        definition = parsed.definition
        if ProcessVersion.objects.filter(process__key=definition.process, version=definition.version).exists():
            continue
        results.append(do_load_process(parsed))
    return results


def load_default_library_after_migrate(sender: Any, **kwargs: Any) -> None:
    """post_migrate hook: a freshly migrated database already holds the default library."""
    from django.db import connections

    using = kwargs.get("using", "default")
    tables = connections[using].introspection.table_names()
    if "records_processversion" not in tables or "people_role" not in tables:
        return
    from salesflow.people.models import SYSTEM_ROLES, Role

    for role_id, title in SYSTEM_ROLES.items():
        Role.objects.using(using).get_or_create(id=role_id, defaults={"title": title, "system": True})
    load_default_library()

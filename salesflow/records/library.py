"""The default process library shipped in ``salesflow/library`` and how it reaches the database."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from salesflow.process.validate import ProcessInvalid, validate_paths

LIBRARY_DIR = Path(__file__).resolve().parent.parent / "library"


def default_library_keys() -> set[str]:
    """Process ids of the default library (by file name)."""
    return {path.stem for path in LIBRARY_DIR.glob("*.yaml")}


#: Off while ``salesflow init`` migrates: the company chooses its processes itself.
_autoload = ContextVar("salesflow_library_autoload", default=True)


@contextmanager
def no_autoload() -> Iterator[None]:
    """Within the block, migrating does not load the default library."""
    token = _autoload.set(False)
    try:
        yield
    finally:
        _autoload.reset(token)


def load_default_library(keys: Collection[str] | None = None, by: Any | None = None) -> list[Any]:
    """Load every default process version (of ``keys``, default all) the database does not hold yet (idempotent).

    Processes a chosen one depends on through hand-offs need not be chosen: a hand-off to a process
    that is not installed is reported by validation of that process only when it is loaded.
    """
    from salesflow.records.models import ProcessVersion
    from salesflow.records.services import do_load_process

    valid, problems = validate_paths([LIBRARY_DIR])
    if problems:
        raise ProcessInvalid(problems)
    results = []
    for parsed in valid:
        definition = parsed.definition
        if keys is not None and definition.process not in keys:
            continue
        if ProcessVersion.objects.filter(process__key=definition.process, version=definition.version).exists():
            continue
        results.append(do_load_process(parsed, by))
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
    if not _autoload.get() or is_initialised(using):
        return
    load_default_library()


def is_initialised(using: str = "default") -> bool:
    """Whether ``salesflow init`` set this database up (then migrating loads no processes by itself)."""
    from django.db import connections

    if "ops_installation" not in connections[using].introspection.table_names():
        return False
    from salesflow.ops.models import Installation

    return Installation.objects.using(using).exists()

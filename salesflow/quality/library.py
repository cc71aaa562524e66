"""The default checklists shipped in ``salesflow/library/checklists`` and the library roles they need."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from salesflow.process.checklist import validate_checklist_paths
from salesflow.process.loader import YamlProblem, load_yaml
from salesflow.process.validate import ProcessInvalid
from salesflow.records.library import LIBRARY_DIR

CHECKLIST_DIR = LIBRARY_DIR / "checklists"
#: The library settings file; its ``library_settings.roles`` declares library-wide roles with their titles.
SETTINGS_FILE = LIBRARY_DIR / "library-settings.yaml"


def library_roles(path: Path = SETTINGS_FILE) -> dict[str, dict[str, str]]:
    """Role id → title by language, as the library settings file declares them (empty without the file)."""
    try:
        data, _lines = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, YamlProblem):
        return {}
    roles = ((data or {}).get("library_settings") or {}).get("roles") or {} if isinstance(data, dict) else {}
    result = {}
    for role_id, role in roles.items() if isinstance(roles, dict) else ():
        title = role.get("title") if isinstance(role, dict) else None
        result[str(role_id)] = dict(title) if isinstance(title, dict) else {"en": str(title or role_id)}
    return result


def sync_library_roles() -> None:
    """Make the roles of the library settings known (normally loaded with the library settings already)."""
    from salesflow.people.models import Role

    for role_id, title in library_roles().items():
        Role.objects.get_or_create(id=role_id, defaults={"title": title, "system": True})


def known_roles() -> set[str]:
    """Role ids a checklist may name as responsible: every role known to the database and the library settings."""
    from salesflow.people.models import Role

    return set(Role.objects.values_list("id", flat=True)) | set(library_roles())


def load_default_checklists() -> list[Any]:
    """Load every default checklist version the database does not hold yet (idempotent)."""
    from salesflow.quality.models import ChecklistVersion
    from salesflow.quality.services import do_load_checklist

    sync_library_roles()
    valid, problems = validate_checklist_paths([CHECKLIST_DIR], known_roles())
    if problems:
        raise ProcessInvalid(problems)
    results = []
    for parsed in valid:
        definition = parsed.definition
        if ChecklistVersion.objects.filter(key=definition.checklist, version=definition.version).exists():
            continue
        results.append(do_load_checklist(parsed))
    return results


def load_default_checklists_after_migrate(sender: Any, **kwargs: Any) -> None:
    """post_migrate hook: a freshly migrated database already holds the default checklists."""
    from django.db import connections

    using = kwargs.get("using", "default")
    tables = connections[using].introspection.table_names()
    if "quality_checklistversion" not in tables or "people_role" not in tables:
        return
    load_default_checklists()

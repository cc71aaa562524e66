"""Who may migrate is the library-settings right ``migrate_records``, not a role named in code."""

from __future__ import annotations

from salesflow.people import access
from salesflow.records.models import Event, LibrarySettingsVersion


def _grant(roles: list[str]) -> None:
    """Put library settings in force whose ``migrate_records`` names ``roles``."""
    current = LibrarySettingsVersion.objects.order_by("-id").first()
    data = dict(current.data)
    data["rights"] = {**data.get("rights", {}), "migrate_records": roles}
    LibrarySettingsVersion.objects.create(source=current.source, data=data, sha256="test", loaded_at=current.loaded_at)
    access.forget_policy()


def test_right_is_enforced_and_comes_from_the_library_settings(cli, setup) -> None:
    from tests.migration.conftest import PROCESS, TARGET

    args = ("process", "migrate", PROCESS, "--to", str(TARGET), "--map", "negotiation=closing", "--dry-run")
    events = Event.objects.count()
    for user, why in ((setup.kam, "right migrate_records to head_of_sales, sales_ops"),
                      (setup.auditor, "read-only")):
        refused = cli(*args, "--as", user.username)
        assert refused.code == 4, refused
        assert why in refused.err
    assert cli(*args, "--as", setup.head.username).code == 0

    _grant(["kam"])
    assert cli(*args, "--as", setup.kam.username).code == 0
    refused = cli(*args, "--as", setup.head.username)
    assert refused.code == 4 and "migrate_records to kam" in refused.err
    assert Event.objects.count() == events

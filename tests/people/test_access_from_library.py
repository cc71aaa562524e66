"""The access rules come from the library: settings for oversight, read-only and rights; each process's
definition for who sees its confidential records. One filter and `can_view` agree."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesflow.people import access
from salesflow.people.services import do_add_user
from salesflow.process.validate import validate_library_paths
from salesflow.records import services
from salesflow.records.library import do_load_library_settings

pytestmark = pytest.mark.django_db

FOREIGN = Path(__file__).resolve().parents[1] / "process" / "fixtures" / "foreign-bid-library"


@pytest.fixture
def team() -> dict:
    return {
        "kam": do_add_user("lib_kam", ["kam"], ["North"]),
        "kam2": do_add_user("lib_kam2", ["kam"], ["South"]),
        "director": do_add_user("lib_director", ["managing_director"]),
        "auditor": do_add_user("lib_auditor", ["auditor"]),
        "ops": do_add_user("lib_ops", ["sales_ops"]),
    }


def test_rights_and_read_only_roles_are_those_of_the_settings(team) -> None:
    assert access.is_read_only(team["auditor"]) and not access.is_read_only(team["ops"])
    assert access.has_right(team["ops"], "segmentation") and not access.has_right(team["kam"], "segmentation")
    assert access.has_right(team["auditor"], "audit_pack")
    assert access.roles_with_right("planning") == {"head_of_sales", "sales_ops", "admin"}
    assert access.role_title("sales_ops", "de") == "Vertriebssteuerung / Qualität"

    _valid, settings, problems = validate_library_paths([FOREIGN])
    assert problems == [] and settings is not None
    do_load_library_settings(settings)
    # the foreign library declares neither auditors nor Sales Ops: their rights are gone at once
    assert not access.is_read_only(team["auditor"])
    assert not access.has_right(team["auditor"], "audit_pack") and not access.has_right(team["ops"], "segmentation")


def test_the_process_decides_who_sees_its_confidential_records(team) -> None:
    record = services.do_create_record("opportunity-management", team["kam"], {
        "title": "Takeover", "amount": "900000", "classification": "confidential"})
    seen = {name for name, user in team.items() if access.can_view(user, record)}
    # owner; the director approves large offers; oversight: auditor, Sales Ops; not the KAM of South
    assert seen == {"kam", "director", "auditor", "ops"}
    for name, user in team.items():
        in_filter = access.visible_records(user).filter(pk=record.pk).exists()
        assert in_filter == (name in seen), name


def test_can_view_decides_oversight_and_process_roles_without_a_query(team, django_assert_num_queries) -> None:
    record = services.do_create_record("opportunity-management", team["kam"], {
        "title": "Takeover", "classification": "confidential"})
    director, auditor = team["director"], team["auditor"]
    assert access.can_view(director, record) and access.can_view(auditor, record)  # rules and roles cached
    with django_assert_num_queries(0):
        assert access.can_view(director, record)
        assert access.can_view(auditor, record)

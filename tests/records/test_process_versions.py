"""Process versions: records keep theirs, versions are never rewritten, the default library is there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from salesflow.engine.errors import BadInput
from salesflow.people.models import Role
from salesflow.process.validate import parse_valid
from salesflow.records import eventlog, services
from salesflow.records.library import default_library_keys
from salesflow.records.models import Event, Process, ProcessVersion

pytestmark = pytest.mark.django_db

LIBRARY_FILE = Path(__file__).resolve().parents[2] / "salesflow" / "library" / "opportunity-management.yaml"
#: The shipped library version (the tests do not pin its number: the library moves on).
V1 = LIBRARY_FILE.read_text(encoding="utf-8")
CURRENT = int(re.search(r"(?m)^version: (\d+)$", V1).group(1))
NEXT = CURRENT + 1


def version_2(extra: str = "") -> str:
    """The shipped text as the next version, with another Solution Design probability."""
    text = V1.replace(f"\nversion: {CURRENT}\n", f"\nversion: {NEXT}\n", 1).replace("    probability: 30\n",
                                                                                    "    probability: 35\n", 1)
    assert text != V1 and "probability: 35" in text
    return text + extra


def test_default_library_is_present_after_migrate() -> None:
    process = Process.objects.get(key="opportunity-management")
    version = process.current_version()
    assert (version.version, version.status, version.sha256) == (CURRENT, "approved", services.hashlib.sha256(
        V1.encode("utf-8")).hexdigest())
    assert version.source == V1
    assert {"head_of_sales", "kam", "bid_manager", "sales_support", "internal", "managing_director",
            "sales_ops", "auditor", "admin"} <= set(Role.objects.values_list("id", flat=True))
    assert Event.objects.filter(kind="process_version_added", process="opportunity-management").count() == 1
    assert eventlog.verify().ok


def test_records_keep_their_version_when_a_new_one_is_approved(people, record) -> None:
    result = services.do_load_process(parse_valid(version_2(), "v2.yaml", default_library_keys()), people["head"])
    assert (result.process, result.version, result.status) == ("opportunity-management", NEXT, "added")
    statuses = dict(ProcessVersion.objects.filter(process__key="opportunity-management")
                    .values_list("version", "status"))
    assert statuses == {CURRENT: "obsolete", NEXT: "approved"}
    added = Event.objects.filter(kind="process_version_added").order_by("-seq").first()
    assert (added.process_version, added.payload["obsoleted"]) == (NEXT, [CURRENT])

    newer = services.do_create_record("opportunity-management", people["kam"], {"title": "Newer"})
    older = services.get_record(record.pk)
    assert services.record_data(older)["process_version"] == CURRENT
    assert services.record_data(newer)["process_version"] == NEXT
    assert services.definition_of(older.process_version).stage("solution_design").probability == 30
    assert services.definition_of(newer.process_version).stage("solution_design").probability == 35
    # The old record still runs under the version it was created with.
    services.do_complete_activity(record.pk, people["kam"], "risk_analysis")
    assert services.get_record(record.pk).process_version.version == CURRENT


def test_same_version_with_other_content_is_refused() -> None:
    changed = V1.replace("    probability: 30\n", "    probability: 35\n", 1)
    with pytest.raises(BadInput, match="already loaded with different content"):
        services.do_load_process(parse_valid(changed, "changed.yaml", default_library_keys()))
    assert ProcessVersion.objects.filter(process__key="opportunity-management").count() == 1


def test_identical_content_is_unchanged(cli) -> None:
    seq = Event.objects.count()
    result = services.do_load_process(parse_valid(V1, "again.yaml", default_library_keys()))
    assert result.status == "unchanged"
    loaded = cli("process", "load", LIBRARY_FILE)
    assert loaded.code == 0, loaded
    assert loaded.out.strip() == f"{LIBRARY_FILE}: opportunity-management v{CURRENT} unchanged"
    assert Event.objects.count() == seq


def test_cli_refuses_a_rewritten_version(cli, tmp_path) -> None:
    changed = tmp_path / "changed.yaml"
    changed.write_text(V1.replace("    probability: 30\n", "    probability: 35\n", 1), encoding="utf-8")
    result = cli("process", "load", changed)
    assert result.code == 1, result
    assert "give the changed process a new version number" in result.err

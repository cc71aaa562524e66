"""``process migrate`` moves the running records: one ``record_migrated`` event each, and ``audit verify`` passes."""

from __future__ import annotations

from salesflow.records.models import Event, Record
from salesflow.records.replay import check_records
from tests.migration.conftest import CURRENT, PROCESS, TARGET


def test_migration_writes_one_event_per_record_and_verify_passes(cli, setup) -> None:
    running = [record.pk for stage, record in setup.records.items() if stage != "lost"]
    lost = setup.records["lost"]
    result = cli("process", "migrate", PROCESS, "--to", str(TARGET), "--map", "negotiation=closing",
                 "--as", setup.ops.username, "--json")
    assert result.code == 0, result
    assert result.json()["moved"] == 3

    events = Event.objects.filter(kind="record_migrated")
    assert sorted(events.values_list("record_id", flat=True)) == sorted(running)
    moved = Event.objects.get(kind="record_migrated", record_id=setup.records["negotiation"].pk)
    assert (moved.from_stage, moved.to_stage, moved.process_version) == ("negotiation", "closing", TARGET)
    assert moved.payload["from_version"] == CURRENT and moved.actor_id == setup.ops.pk

    records = {record.pk: record for record in Record.objects.select_related("process_version")}
    assert {records[pk].process_version.version for pk in running} == {TARGET}
    assert records[setup.records["negotiation"].pk].stage == "closing"
    assert records[setup.records["qualification"].pk].progress["done"].keys() == {"risk_analysis"}
    assert records[lost.pk].process_version.version == CURRENT  # closed records finish under their version

    verify = cli("audit", "verify")
    assert verify.code == 0, verify
    assert "4 records agree with their events" in verify.out

    # Nothing is left to move: a second run lists nothing.
    again = cli("process", "migrate", PROCESS, "--to", str(TARGET), "--dry-run", "--as", setup.ops.username, "--json")
    assert again.code == 0 and again.json()["records"] == []


def test_replay_notices_a_record_put_on_another_version_without_its_event(setup) -> None:
    """The process version is replayed: a record moved to v3 in the database alone disagrees with its events."""
    from salesflow.records.models import ProcessVersion

    record = setup.records["proposal"]
    Record.objects.filter(pk=record.pk).update(
        process_version=ProcessVersion.objects.get(process__key=PROCESS, version=TARGET))
    report = check_records()
    assert not report.ok
    assert any(f"record {record.pk}: process version is {TARGET}" in problem for problem in report.problems)

"""``process migrate --dry-run`` lists every running record with its mapped stage and changes nothing."""

from __future__ import annotations

from salesflow.records.models import Event, Record
from tests.migration.conftest import CURRENT, PROCESS, TARGET


def test_dry_run_lists_every_running_record_and_its_mapped_stage(cli, setup) -> None:
    events = Event.objects.count()
    result = cli("process", "migrate", PROCESS, "--to", TARGET, "--map", "negotiation=closing", "--dry-run",
                 "--as", setup.head.username, "--json")
    assert result.code == 0, result
    data = result.json()
    assert data["dry_run"] is True and data["moved"] == 0 and data["to_version"] == TARGET
    rows = {row["id"]: row for row in data["records"]}
    running = {stage: record.pk for stage, record in setup.records.items() if stage != "lost"}
    assert set(rows) == set(running.values())  # the lost (closed) record is not listed
    assert rows[running["negotiation"]]["to_stage"] == "closing" and rows[running["negotiation"]]["mapped"]
    assert rows[running["qualification"]]["to_stage"] == "qualification"
    assert rows[running["proposal"]]["probability"] == {"from": 50, "to": 60}
    assert rows[running["qualification"]]["from_version"] == CURRENT
    assert any("risk" not in item for item in rows[running["qualification"]]["unmet_gate"])
    # nothing changed
    assert Event.objects.count() == events
    assert set(Record.objects.filter(pk__in=running.values()).values_list("process_version__version", flat=True)) \
        == {CURRENT}

    text = cli("process", "migrate", PROCESS, "--to", TARGET, "--map", "negotiation=closing", "--dry-run",
               "--as", setup.head.username)
    assert text.code == 0, text
    assert "would move 3 running record(s)" in text.out
    assert f"#{running['negotiation']}" in text.out and "negotiation → closing" in text.out
    assert "probability 50% → 60%" in text.out

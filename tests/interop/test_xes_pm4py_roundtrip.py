"""Our data → XES → pm4py (same cases, events, directly-follows counts) → XES → our importer, and back."""

from __future__ import annotations

import datetime
from collections import Counter
from pathlib import Path

import pytest

from salesflow.interop.xes import iter_xes, read_xes_table
from salesflow.records import services
from salesflow.records.models import Event, Record
from tests.interop.conftest import shared
from tests.records.conftest import add_people

pm4py = pytest.importorskip("pm4py", reason="pm4py (AGPL, dev extra) is needed for the interoperability tests")

pytestmark = pytest.mark.django_db
T0 = datetime.datetime(2025, 1, 6, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def history(db):
    """Records with stage moves and activities at distinct times."""
    people = add_people()
    kam, head = people["kam"], people["head"]
    minute = 0

    def at() -> datetime.datetime:
        nonlocal minute
        minute += 7
        return T0 + datetime.timedelta(minutes=minute)

    for number in range(6):
        record = services.do_create_record("opportunity-management", kam, {"title": f"Deal {number} & <co>",
                                                                           "amount": str(1000 * (number + 1))}, at=at())
        services.do_complete_activity(record.pk, kam, "risk_analysis", at=at())
        if number % 2 == 0:
            services.do_complete_activity(record.pk, kam, "customer_workshop", at=at())
            services.do_set_fields(record.pk, head, {"budget": "1000", "decision_date": "2025-12-01"}, at=at())
            services.do_move(record.pk, head, "solution_design", override_reason="test", at=at())
        if number % 3 == 0:
            services.do_complete_activity(record.pk, kam, "customer_informed", at=at())
            services.do_move(record.pk, head, "lost", override_reason="test", at=at())


def our_traces() -> dict[str, list[str]]:
    """Per record, the activity sequence the export should contain (from the event log)."""
    traces: dict[str, list[str]] = {}
    for record_id, kind, to_stage, activity in Event.objects.filter(
            kind__in=["record_created", "stage_changed", "activity_done"]).order_by("record_id", "seq").values_list(
            "record_id", "kind", "to_stage", "activity"):
        traces.setdefault(str(record_id), []).append(activity if kind == "activity_done" else to_stage)
    return traces


def directly_follows(traces: dict[str, list[str]]) -> Counter:
    return Counter(pair for steps in traces.values() for pair in zip(steps, steps[1:], strict=False))


def test_pm4py_reads_our_xes_with_the_same_cases_events_and_dfg(cli, history, tmp_path: Path) -> None:
    target = tmp_path / "log.xes"
    result = cli("export", "xes", "-o", target, "--json")
    assert result.code == 0, result
    expected = our_traces()
    assert result.json()["events"] == sum(len(steps) for steps in expected.values())
    log = pm4py.read_xes(str(target))
    assert set(log["case:concept:name"]) == set(expected)
    assert len(log) == sum(len(steps) for steps in expected.values())
    dfg, _, _ = pm4py.discover_dfg(log)
    assert Counter(dict(dfg)) == directly_follows(expected)
    ours = read_xes_table(target)
    mine: dict[str, list[str]] = {}
    for case, activity in zip(ours.column("case").to_pylist(), ours.column("activity").to_pylist(), strict=True):
        mine.setdefault(case, []).append(activity)
    assert mine == expected
    assert set(log["case:title"]) == set(Record.objects.values_list("title", flat=True))


def test_our_reader_reads_pm4pys_export(tmp_path: Path) -> None:
    source = shared("eventlogs/running-example.xes")
    log = pm4py.read_xes(str(source))
    written = tmp_path / "pm4py.xes"
    pm4py.write_xes(log, str(written))
    theirs = [(row["case:concept:name"], row["concept:name"], row["time:timestamp"].to_pydatetime())
              for _, row in log.iterrows()]
    ours = [(event.case, event.activity, event.timestamp) for event in iter_xes(written)]
    assert sorted(ours) == sorted(theirs)
    assert len(ours) == 42


def test_our_xes_goes_through_pm4py_and_back_into_records(cli, history, tmp_path: Path) -> None:
    exported = tmp_path / "ours.xes"
    assert cli("export", "xes", "-o", exported).code == 0
    rewritten = tmp_path / "via-pm4py.xes"
    pm4py.write_xes(pm4py.read_xes(str(exported)), str(rewritten))
    mapping = tmp_path / "map.yaml"
    mapping.write_text("activities:\n" + "".join(f"  {name}: {{stage: {name}}}\n" for name in
                                                  ("qualification", "solution_design", "lost"))
                       + "".join(f"  {name}: {{activity: {name}}}\n" for name in
                                 ("risk_analysis", "customer_workshop", "customer_informed"))
                       + "title: title\nsystem: round-trip\n", encoding="utf-8")
    originals = {record.title: record.stage for record in Record.objects.all()}
    result = cli("import", "xes", rewritten, "--process", "opportunity-management", "--map", mapping, "--json")
    assert result.code == 0, result
    assert result.json()["records"]["created"] == len(originals)
    copies = Record.objects.exclude(title__in=[]).filter(events__imported=True).distinct()
    assert {record.title: record.stage for record in copies} == originals

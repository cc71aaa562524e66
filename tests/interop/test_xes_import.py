"""An external XES log comes in as records of a process; importing it again changes nothing."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from salesflow.records.eventlog import verify
from salesflow.records.models import Event, Record
from tests.interop.conftest import counts, shared

pytestmark = pytest.mark.django_db

MAPPING = """activities:
  A_SUBMITTED: qualification
  A_PREACCEPTED: solution_design
  O_CREATED: proposal
  O_SENT: negotiation
  A_APPROVED: won
  A_DECLINED: lost
  A_CANCELLED: lost
  W_Completeren aanvraag: {activity: risk_analysis}
unmapped: ignore
amount: AMOUNT_REQ
system: bpic2012
"""


def bpic_slice(tmp_path: Path, traces: int = 400) -> Path:
    """The first ``traces`` traces of BPIC 2012 as a smaller .xes.gz."""
    text = gzip.open(shared("eventlogs/bpic2012.xes.gz"), "rt", encoding="utf-8").read()
    cut = 0
    for _ in range(traces):
        cut = text.index("</trace>", cut) + len("</trace>")
    target = tmp_path / "bpic-slice.xes.gz"
    with gzip.open(target, "wt", encoding="utf-8") as out:
        out.write(text[:cut] + "\n</log>\n")
    return target


def test_bpic_slice_imports_as_records_and_again_changes_nothing(cli, tmp_path: Path) -> None:
    log = bpic_slice(tmp_path)
    mapping = tmp_path / "map.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    result = cli("import", "xes", log, "--process", "opportunity-management", "--map", mapping, "--json")
    assert result.code == 0, result
    assert result.json()["records"]["created"] == 400
    record = Record.objects.get(title="bpic-slice case 173688")
    assert record.amount == 20000
    kinds = list(Event.objects.filter(record=record).order_by("seq").values_list("kind", "to_stage", "activity"))
    assert kinds[0] == ("record_created", "qualification", "")
    assert ("stage_changed", "solution_design", "") in kinds
    assert all(Event.objects.filter(record=record).values_list("imported", flat=True))
    assert record.owner is None
    before = counts()
    again = cli("import", "xes", log, "--process", "opportunity-management", "--map", mapping, "--json")
    assert again.json()["records"]["unchanged"] == 400
    assert counts() == before
    assert verify().ok


def test_unmapped_activities_are_an_error_by_default(cli, tmp_path: Path) -> None:
    mapping = tmp_path / "map.yaml"
    mapping.write_text("activities:\n  register request: qualification\n", encoding="utf-8")
    before = counts()
    result = cli("import", "xes", shared("eventlogs/running-example.xes"), "--process", "opportunity-management",
                 "--map", mapping)
    assert result.code == 1
    assert "activity 'decide' (9 event(s)) is not mapped" in result.err
    assert counts() == before


def test_a_mapping_to_an_unknown_stage_is_refused(cli, tmp_path: Path) -> None:
    mapping = tmp_path / "map.yaml"
    mapping.write_text("activities:\n  decide: deliberation\n", encoding="utf-8")
    result = cli("import", "xes", shared("eventlogs/running-example.xes"), "--process", "opportunity-management",
                 "--map", mapping)
    assert result.code == 1
    assert "'decide' → 'deliberation': not a stage or activity of opportunity-management" in result.err

"""With ``quality.raise_on_gate_override`` in the library settings, a gate override raises a nonconformity."""

from __future__ import annotations

from pathlib import Path

from salesflow.records.models import Event, Record, RecordLink

SETTINGS = Path(__file__).resolve().parents[2] / "salesflow" / "library" / "library-settings.yaml"


def test_override_raises_a_linked_nonconformity_only_when_the_setting_says_so(cli, quality_people, tmp_path) -> None:
    opportunity = cli("record", "create", "opportunity-management", "--title", "Rushed deal", "--as", "kim",
                      "--json").json()["id"]
    assert cli("record", "move", opportunity, "solution_design", "--as", "hans", "--override", "Customer in a hurry").code == 0
    assert not Record.objects.filter(process__key="nonconformity").exists()

    text = SETTINGS.read_text(encoding="utf-8").replace("raise_on_gate_override: null",
                                                        "raise_on_gate_override: nonconformity")
    (tmp_path / "library-settings.yaml").write_text(text, encoding="utf-8")
    assert cli("process", "load", tmp_path / "library-settings.yaml").code == 0
    moved = cli("record", "move", opportunity, "proposal", "--as", "hans", "--override", "Offer needed today")
    assert moved.code == 0, moved
    raised = Record.objects.get(process__key="nonconformity")
    assert raised.values["source"] == "gate_override" and "Offer needed today" in raised.values["description"]
    assert raised.owner.username in ("quinn", "quirin")
    assert RecordLink.objects.filter(source_id=opportunity, target=raised).exists()
    assert Event.objects.get(record=raised, kind="nonconformity_raised").payload["gate_override"]["record"] == opportunity
    assert cli("audit", "verify").code == 0

"""Validation reports every kind of problem as ``file:line: message`` with the line it concerns."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesflow.process.graph import reachable_stages, targets
from salesflow.process.validate import read_file, validate_texts

LIBRARY_FILE = Path(__file__).resolve().parents[2] / "salesflow" / "library" / "opportunity-management.yaml"

BASE = """\
process: tiny
title: Tiny deals
version: 1
record: deal
guideline:
  responsible: boss
  status: approved
  depends_on: []
roles:
  boss:
    title: Boss
  rep:
    title: Sales rep
fields:
  size:
    type: choice
    choices: [small, big]
stages:
  - id: open
    probability: 20
    activities:
      - id: call
        title: Call the customer
        responsible: rep
        required: true
    gate:
      decision: Go on?
      decided_by: boss
      requires:
        fields: [size]
  - id: offer
    probability: 60
    gate:
      requires:
        approvals: [price]
  - id: won
    outcome: won
    probability: 100
  - id: lost
    outcome: lost
    probability: 0
approvals:
  price:
    title: Price approval
    by_amount:
      - up_to: 1000
        role: rep
      - role: boss
"""


def problems(text: str) -> list[str]:
    """Every problem of one process text, as printed."""
    _valid, found = validate_texts([("tiny.yaml", text)])
    return [str(problem) for problem in found]


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the only line containing ``needle``."""
    hits = [number for number, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(hits) == 1, (needle, hits)
    return hits[0]


def changed(old: str, new: str) -> str:
    assert BASE.count(old) == 1, old
    return BASE.replace(old, new)


def test_the_base_text_is_valid() -> None:
    assert problems(BASE) == []


def test_yaml_syntax_error() -> None:
    text = changed("title: Tiny deals", "title: Tiny: deals")
    assert problems(text) == [f"tiny.yaml:{line_of(text, 'Tiny: deals')}: YAML syntax error: "
                              "mapping values are not allowed here"]
    assert line_of(text, "Tiny: deals") == 2


def test_duplicate_key() -> None:
    text = changed("record: deal\n", "record: deal\nversion: 2\n")
    assert problems(text) == ["tiny.yaml:5: duplicate key 'version'"]


def test_unknown_key() -> None:
    text = changed("    title: Sales rep\n", "    title: Sales rep\n    colour: red\n")
    assert problems(text) == [f"tiny.yaml:{line_of(text, 'colour')}: unknown key 'colour' in roles.rep"]


def test_comma_inside_a_flow_mapping() -> None:
    text = changed(
        "      - id: call\n        title: Call the customer\n        responsible: rep\n        required: true\n",
        "      - {id: call, title: Call (phone, mail), responsible: rep, required: true}\n",
    )
    line = line_of(text, "{id: call")
    assert problems(text) == [
        f"tiny.yaml:{line}: unknown key 'mail)' in stages[0].activities[0] "
        "(inside {…} a comma separates keys: quote a text that contains commas)"
    ]


@pytest.mark.parametrize(("old", "new", "needle"), [
    ("        responsible: rep\n", "        responsible: clerk\n", "responsible: clerk"),
    ("      decided_by: boss\n", "      decided_by: clerk\n", "decided_by: clerk"),
    ("      - role: boss\n", "      - role: clerk\n", "role: clerk"),
    ("  responsible: boss\n", "  responsible: clerk\n", "  responsible: clerk"),
], ids=["activity", "gate", "approval_band", "guideline"])
def test_unknown_role(old: str, new: str, needle: str) -> None:
    text = changed(old, new)
    assert problems(text) == [f"tiny.yaml:{line_of(text, needle)}: unknown role 'clerk' "
                              "(declared roles: boss, rep)"]


@pytest.mark.parametrize(("old", "new", "message"), [
    ("        fields: [size]\n", "        fields: [size, colour]\n", "unknown field 'colour'"),
    ("        approvals: [price]\n", "        approvals: [discount]\n", "unknown approval 'discount'"),
    ("        fields: [size]\n", "        fields: [size]\n        activities: [visit]\n", "unknown activity 'visit'"),
], ids=["field", "approval", "activity"])
def test_unknown_reference_in_requires(old: str, new: str, message: str) -> None:
    text = changed(old, new)
    needle = new.strip().splitlines()[-1].strip()
    assert problems(text) == [f"tiny.yaml:{line_of(text, needle)}: {message}"]


def test_duplicate_stage_id() -> None:
    text = changed("  - id: offer\n", "  - id: open\n")
    lines = [number for number, line in enumerate(text.splitlines(), 1) if line == "  - id: open"]
    assert problems(text) == [f"tiny.yaml:{lines[1]}: duplicate stage id 'open'"]


def test_duplicate_activity_id() -> None:
    text = changed("  - id: offer\n    probability: 60\n",
                   "  - id: offer\n    probability: 60\n    activities:\n      - id: call\n"
                   "        title: Call again\n        responsible: rep\n")
    lines = [number for number, line in enumerate(text.splitlines(), 1) if line == "      - id: call"]
    assert problems(text) == [f"tiny.yaml:{lines[1]}: duplicate activity id 'call'"]


def test_probability_outside_0_to_100() -> None:
    text = changed("    probability: 60\n", "    probability: 160\n")
    assert problems(text) == [f"tiny.yaml:{line_of(text, '160')}: stages[1].probability: "
                              "Input should be less than or equal to 100 (got 160)"]


def test_probability_falling_along_the_forward_path() -> None:
    text = changed("    probability: 60\n", "    probability: 15\n")
    assert problems(text) == [f"tiny.yaml:{line_of(text, 'probability: 15')}: probability falls along the "
                              "forward path: open 20% → offer 15%"]


def test_no_outcome_stage() -> None:
    text = BASE.split("  - id: won\n")[0] + BASE.split("    probability: 0\n")[1]
    assert problems(text) == [f"tiny.yaml:{line_of(text, 'stages:')}: a process needs at least one outcome stage "
                              "(outcome: won or lost)"]


def test_outcome_as_first_stage() -> None:
    won = "  - id: won\n    outcome: won\n    probability: 100\n"
    text = BASE.replace(won, "").replace("stages:\n", "stages:\n" + won)
    assert problems(text) == [f"tiny.yaml:{line_of(text, 'id: won')}: the first stage cannot be an outcome "
                              "(records start there)"]


def test_unknown_depends_on_process() -> None:
    text = changed("  depends_on: []\n", "  depends_on:\n    - lead-management\n")
    assert problems(text) == [f"tiny.yaml:{line_of(text, '- lead-management')}: unknown process 'lead-management'"]


def test_known_depends_on_process() -> None:
    text = changed("  depends_on: []\n", "  depends_on: [lead-management]\n")
    _valid, found = validate_texts([("tiny.yaml", text)], known_processes={"lead-management"})
    assert found == []


def test_bands_must_rise() -> None:
    text = changed("      - role: boss\n", "      - up_to: 500\n        role: boss\n      - role: boss\n")
    assert problems(text) == [f"tiny.yaml:{line_of(text, 'up_to: 500')}: bands must rise: up_to must exceed "
                              "the band before"]


def test_choice_field_without_choices() -> None:
    text = changed("    choices: [small, big]\n", "")
    assert problems(text) == [f"tiny.yaml:{line_of(text, 'size:')}: a choice field needs choices"]


def test_several_problems_are_all_reported_sorted_by_line() -> None:
    text = changed("        responsible: rep\n", "        responsible: clerk\n").replace(
        "      decided_by: boss\n", "      decided_by: nobody\n")
    found = problems(text)
    assert [item.split(":")[1] for item in found] == [str(line_of(text, "clerk")), str(line_of(text, "nobody"))]


def test_unreachable_stages_cannot_occur_with_the_default_moves() -> None:
    # Every open stage reaches the next one and every outcome, so no stage of a valid file is unreachable.
    definition = read_file(LIBRARY_FILE).definition
    assert reachable_stages(definition) == {stage.id for stage in definition.stages}
    assert targets(definition, "qualification") == ["solution_design", "won", "lost"]
    assert targets(definition, "negotiation") == ["qualification", "solution_design", "proposal", "won", "lost"]
    assert targets(definition, "won") == []


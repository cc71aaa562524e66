"""The semantic diff names what changed in the process: stages, probabilities, gates, roles, activities."""

from __future__ import annotations

import json

import pytest
import yaml
from django.core.management import call_command

from salesflow.guidelines import services
from salesflow.guidelines.diff import semantic_diff, side_by_side, text_diff
from salesflow.process.model import ProcessDefinition
from tests.guidelines.conftest import CURRENT, NEXT, PROCESS, library_text, version_text


def _definition(text: str) -> ProcessDefinition:
    return ProcessDefinition.model_validate(yaml.safe_load(text))


def _changed_text() -> str:
    data = yaml.safe_load(library_text())
    data["version"] = NEXT
    stages = {stage["id"]: stage for stage in data["stages"]}
    stages["proposal"]["probability"] = 60
    stages["qualification"]["gate"]["decided_by"] = "kam"
    stages["negotiation"]["activities"].append({"id": "legal_review", "title": {"en": "Legal review", "de": "Rechtsprüfung"},
                                                "responsible": "internal"})
    data["roles"]["legal"] = {"title": {"en": "Legal", "de": "Recht"}}
    del data["roles"]["managing_director"]["tasks"][0]
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def test_identical_versions_have_no_changes() -> None:
    definition = _definition(library_text())
    assert semantic_diff(definition, definition) == []


def test_changes_are_named_by_part_item_and_attribute() -> None:
    changes = semantic_diff(_definition(library_text()), _definition(_changed_text()))
    found = {(c.section, c.item, c.attribute, c.kind): (c.old, c.new) for c in changes}
    assert found[("stage", "proposal", "probability", "changed")] == ("50 %", "60 %")
    assert found[("gate", "qualification", "decided_by", "changed")] == ("head_of_sales", "kam")
    assert found[("activity", "legal_review", "", "added")][1] == "Legal review"
    assert found[("stage", "negotiation", "activities", "changed")][1].endswith("legal_review")
    assert ("role", "legal", "", "added") in found
    assert ("role", "managing_director", "tasks", "changed") in found
    assert [c.section for c in changes] == sorted((c.section for c in changes),
                                                  key=["process", "guideline", "role", "stage", "gate", "activity",
                                                       "approval", "field", "transition", "rights"].index)


def test_german_diff_shows_german_titles() -> None:
    changes = semantic_diff(_definition(library_text()), _definition(_changed_text()), "de")
    added = next(c for c in changes if c.item == "legal_review")
    assert added.new == "Rechtsprüfung"


def test_text_and_side_by_side_views() -> None:
    old, new = library_text(), version_text(NEXT, proposal_probability=55)
    lines = text_diff(old, new, "v1", "v2")
    assert f"-version: {CURRENT}" in lines and f"+version: {NEXT}" in lines
    rows = side_by_side(old, new)
    assert ("replace", f"version: {CURRENT}", f"version: {NEXT}") in rows
    assert all(tag == "equal" for tag, left, right in rows if left == right and left.strip())


@pytest.mark.django_db
def test_cli_diff_between_stored_versions(cast, capsys: pytest.CaptureFixture[str]) -> None:
    services.do_propose_version(version_text(NEXT, proposal_probability=55), cast.author)
    call_command("process", "diff", PROCESS, str(CURRENT), str(NEXT), "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["from"] == CURRENT and data["to"] == NEXT
    assert {"section": "stage", "item": "proposal", "attribute": "probability", "kind": "changed",
            "old": "50 %", "new": "55 %"} in data["changes"]
    call_command("process", "diff", PROCESS, str(CURRENT), str(NEXT))
    assert "~ stage proposal: probability 50 % → 55 %" in capsys.readouterr().out

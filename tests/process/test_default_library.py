"""The default library's Opportunity Management guideline, checked against its seed guideline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from salesflow.process.loader import load_yaml
from salesflow.process.model import Outcome, ProcessDefinition, Text
from salesflow.process.validate import read_file, validate_paths

LIBRARY_DIR = Path(__file__).resolve().parents[2] / "salesflow" / "library"
LIBRARY_FILE = LIBRARY_DIR / "opportunity-management.yaml"

#: Names of the seeds' company and person: the product is generic and never names them.
FORBIDDEN_NAMES = ("kiwigrid", "sebastian", "stange", "staen")

#: Keys whose values are texts (mappings of language to string).
TEXT_KEYS = {
    "title",
    "description",
    "help",
    "decision",
    "on_no",
    "goal",
    "scope",
    "associated_process",
    "change_note",
}
#: Keys whose values are lists of texts.
TEXT_LIST_KEYS = {"tasks", "inputs", "outputs", "notes"}


@pytest.fixture(scope="module")
def definition() -> ProcessDefinition:
    return read_file(LIBRARY_FILE).definition


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    data, _lines = load_yaml(LIBRARY_FILE.read_text(encoding="utf-8"))
    return data


def test_validates_without_problems() -> None:
    # It hands off to and depends on other processes of the library: validated together with them.
    valid, problems = validate_paths([LIBRARY_DIR])
    assert [str(problem) for problem in problems] == []
    assert "opportunity-management" in [item.definition.process for item in valid]


def test_header(definition: ProcessDefinition) -> None:
    assert definition.process == "opportunity-management"
    assert definition.version >= 1
    assert definition.record == "opportunity"
    if definition.version > 1:
        assert definition.guideline.change_note is not None
    guideline = definition.guideline
    assert guideline.responsible == "head_of_sales"
    assert guideline.status == "approved"
    assert guideline.classification == "internal"
    assert guideline.goal["en"] == "Manage and edit opportunities"
    assert guideline.scope["en"] == "Sales & Business Development"
    assert guideline.associated_process["en"] == "Sales"
    assert guideline.depends_on == ["lead-management"]
    assert len(guideline.inputs) == 2
    assert len(guideline.outputs) == 2
    assert any(
        note["en"].startswith("IMPORTANT: When communicating with the customer") for note in guideline.notes
    )


def test_stages_in_order_with_probabilities(definition: ProcessDefinition) -> None:
    assert [(stage.id, stage.probability) for stage in definition.stages] == [
        ("qualification", 10),
        ("solution_design", 30),
        ("proposal", 50),
        ("negotiation", 80),
        ("won", 100),
        ("lost", 0),
    ]
    assert [stage.max_days for stage in definition.open_stages] == [30, 45, 30, 60]
    assert [stage.effective_forecast_category() for stage in definition.stages] == [
        "pipeline",
        "pipeline",
        "best_case",
        "commit",
        "closed",
        "omitted",
    ]
    assert definition.stage("won").outcome == Outcome.won
    assert definition.stage("lost").outcome == Outcome.lost


def test_roles_and_task_counts(definition: ProcessDefinition) -> None:
    # The seed's responsibility table, one task per list item; plus the Managing Director.
    assert {role_id: len(role.tasks) for role_id, role in definition.roles.items()} == {
        "head_of_sales": 5,
        "kam": 6,
        "bid_manager": 3,
        "sales_support": 4,
        "internal": 5,
        "managing_director": 1,
    }
    assert definition.roles["internal"].title == {"en": "Internal departments", "de": "Interne Fachbereiche"}
    assert definition.roles["managing_director"].title["de"] == "Geschäftsführung"


def test_fields(definition: ProcessDefinition) -> None:
    assert {name: field.type.value for name, field in definition.fields.items()} == {
        "budget": "money",
        "decision_date": "date",
        "bid_manager": "user",
        "type": "choice",
        "desired_solution": "text",
        "lost_reason": "choice",
        "lost_reason_note": "text",
    }
    assert definition.fields["bid_manager"].role == "bid_manager"
    assert definition.fields["type"].choice_ids() == [
        "new_business",
        "stabilisation",
        "cross_selling",
        "delivery_rate_increase",
        "new_product_launch",
    ]


def test_activity_ids(definition: ProcessDefinition) -> None:
    by_stage = {stage.id: [activity.id for activity in stage.activities] for stage in definition.stages}
    assert by_stage == {
        "qualification": ["risk_analysis", "customer_workshop", "qualification_support"],
        "solution_design": ["name_bid_manager", "customer_needs", "solution_design", "further_risk_analysis"],
        "proposal": ["prepare_offer", "erp_quotation", "send_offer"],
        "negotiation": ["customer_feedback", "contract_negotiation"],
        "won": ["contract_signed", "success_communicated", "kickoff_meeting", "final_offer"],
        "lost": ["customer_informed", "failure_communicated"],
    }


def test_gates(definition: ProcessDefinition) -> None:
    expected = {
        "qualification": (["risk_analysis", "customer_workshop"], ["budget", "decision_date"], []),
        "solution_design": (["name_bid_manager", "customer_needs", "solution_design"], ["bid_manager"], []),
        "proposal": (["prepare_offer", "send_offer"], [], ["offer"]),
        "negotiation": (["customer_feedback", "contract_negotiation"], [], []),
    }
    for stage in definition.open_stages:
        requires = definition.gate_requirements(stage)
        assert (requires.activities, requires.fields, requires.approvals) == expected[stage.id], stage.id
        gate = stage.gate
        assert gate is not None
        if stage.id == "proposal":
            assert gate.decision is None
        else:
            assert gate.decision is not None
            assert gate.decided_by == "head_of_sales"
            assert gate.delegable_to == ["kam"]
            assert gate.on_no is not None
    send_offer = definition.activity("send_offer")
    assert send_offer.customer_contact
    assert send_offer.requires is not None and send_offer.requires.approvals == ["offer"]


def test_customer_contact_activities(definition: ProcessDefinition) -> None:
    contact = {
        activity_id
        for activity_id, (_stage, activity) in definition.activities().items()
        if activity.customer_contact
    }
    assert {
        "customer_workshop",
        "customer_needs",
        "send_offer",
        "customer_feedback",
        "customer_informed",
    } <= contact


def test_offer_approval_bands(definition: ProcessDefinition) -> None:
    offer = definition.approvals["offer"]
    assert offer.role is None
    assert [(band.up_to, band.role) for band in offer.by_amount] == [
        (50000, "kam"),
        (250000, "head_of_sales"),
        (None, "managing_director"),
    ]
    assert "competence catalog" in offer.description["en"]


def test_outcome_requirements(definition: ProcessDefinition) -> None:
    lost = definition.stage("lost")
    assert lost.requires is not None and lost.requires.activities == ["customer_informed"]
    won = definition.stage("won")
    assert won.requires is not None and won.requires.activities == ["contract_signed", "final_offer"]


def test_rights(definition: ProcessDefinition) -> None:
    rights = definition.rights
    assert rights.override == ["head_of_sales"]
    assert rights.set_probability == ["kam", "head_of_sales"]
    assert rights.edit == ["head_of_sales", "sales_support"]
    assert rights.move == ["head_of_sales"]


def _raw_texts(node: Any, path: str = "") -> list[tuple[str, Any]]:
    """Every text of the raw YAML data, by the keys that hold texts, with its location."""
    found: list[tuple[str, Any]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            where = f"{path}.{key}" if path else str(key)
            if key in TEXT_KEYS:
                found.append((where, value))
            elif key in TEXT_LIST_KEYS:
                found.extend((f"{where}[{index}]", item) for index, item in enumerate(value))
            elif key in ("fields", "contact") and isinstance(value, dict) and all(
                isinstance(item, str) for item in value.values()
            ):
                continue  # a hand-off's field mapping (target: source), not texts
            elif key == "choices" and isinstance(value, dict):
                found.extend((f"{where}.{choice}", label) for choice, label in value.items())
            else:
                found.extend(_raw_texts(value, where))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            found.extend(_raw_texts(item, f"{path}[{index}]"))
    return found


def _model_texts(node: Any, path: str = "") -> list[tuple[str, Text]]:
    """Every `Text` of the parsed definition (also catches plain strings read as English only)."""
    found: list[tuple[str, Text]] = []
    if isinstance(node, Text):
        found.append((path, node))
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            found.extend(_model_texts(getattr(node, name), f"{path}.{name}" if path else name))
    elif isinstance(node, dict):
        for key, value in node.items():
            found.extend(_model_texts(value, f"{path}.{key}"))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            found.extend(_model_texts(item, f"{path}[{index}]"))
    return found


def test_every_raw_text_is_bilingual(raw: dict[str, Any]) -> None:
    texts = _raw_texts(raw)
    assert len(texts) > 100
    missing = [
        where
        for where, value in texts
        if not (
            isinstance(value, dict)
            and all(isinstance(value.get(lang), str) and value[lang].strip() for lang in ("en", "de"))
        )
    ]
    assert missing == []


def test_every_model_text_is_bilingual(definition: ProcessDefinition) -> None:
    texts = _model_texts(definition)
    assert len(texts) > 100
    assert [where for where, text in texts if not (text.get("en") and text.get("de"))] == []


def test_no_seed_company_or_person_name(raw: dict[str, Any], definition: ProcessDefinition) -> None:
    source = LIBRARY_FILE.read_text(encoding="utf-8").lower()
    assert [name for name in FORBIDDEN_NAMES if name in source] == []
    for where, value in _raw_texts(raw):
        for text in value.values():
            assert not any(name in text.lower() for name in FORBIDDEN_NAMES), where

"""The default library as one sales chain: lead → opportunity → RFP / order / contract → renewal opportunity.

Every process of `salesflow/library` validates together with the others, runs its own record kind,
hands off only fields its target declares, and is written in English and German throughout.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from salesflow.process.loader import load_yaml
from salesflow.process.model import Handoff, Outcome, ProcessDefinition, Text
from salesflow.process.validate import validate_paths

LIBRARY_DIR = Path(__file__).resolve().parents[2] / "salesflow" / "library"

#: Process key → the kind of record it runs.
RECORD_KINDS = {
    "lead-management": "lead",
    "opportunity-management": "opportunity",
    "rfp-procedure": "rfp",
    "contract-management": "contract",
    "order-management": "order",
    "account-management": "account_plan",
    "presales-support": "presales_request",
    "nonconformity": "nonconformity",
    "internal-audit": "internal_audit",
    "management-review": "management_review",
    "material-request": "material_request",
    "create-offer": "offer",
}
#: The sales chain (the supporting processes of sales process management share only some of its roles).
SALES_CHAIN = ("lead-management", "opportunity-management", "rfp-procedure", "contract-management",
               "order-management", "account-management")

#: The primary sales chain (supporting processes such as material requests have their own roles).
SALES_CHAIN = ("lead-management", "opportunity-management", "rfp-procedure", "contract-management",
               "order-management", "account-management")

#: Names of the seeds' company and person: the product is generic and never names them.
FORBIDDEN_NAMES = ("kiwigrid", "sebastian", "stange", "staen")


@pytest.fixture(scope="module")
def library() -> dict[str, ProcessDefinition]:
    valid, problems = validate_paths([LIBRARY_DIR])
    assert [str(problem) for problem in problems] == []
    return {item.definition.process: item.definition for item in valid}


def _handoff(definition: ProcessDefinition, handoff_id: str) -> tuple[str, Handoff]:
    """The stage and the hand-off with this id."""
    found = [(stage.id, handoff) for stage, handoff in definition.handoffs() if handoff.id == handoff_id]
    assert len(found) == 1, f"{definition.process} has no single hand-off {handoff_id!r}"
    return found[0]


def _target_fields_exist(handoff: Handoff, source: ProcessDefinition, target: ProcessDefinition) -> None:
    for target_field, source_field in handoff.fields.items():
        assert target.field_type(target_field) is not None, f"{target.process} lacks {target_field}"
        if source_field.startswith("="):
            declared = target.fields.get(target_field)
            if declared is not None and declared.choices:
                assert source_field[1:] in declared.choice_ids(), f"{source_field} is no choice of {target_field}"
        else:
            assert source.field_type(source_field) is not None, f"{source.process} lacks {source_field}"


def test_every_file_validates_and_each_process_runs_its_record_kind(library: dict[str, ProcessDefinition]) -> None:
    files = sorted(path.stem for path in LIBRARY_DIR.glob("*.yaml") if path.name != "library-settings.yaml")
    assert files == sorted(RECORD_KINDS)
    assert {key: definition.record for key, definition in library.items()} == RECORD_KINDS
    for definition in library.values():
        assert definition.guideline.status == "approved", definition.process
        assert definition.guideline.responsible in definition.roles, definition.process


def test_lead_converts_into_an_opportunity_with_account_and_contact(library: dict[str, ProcessDefinition]) -> None:
    lead, opportunity = library["lead-management"], library["opportunity-management"]
    stage_id, handoff = _handoff(lead, "create_opportunity")
    assert stage_id == "converted" and lead.stage("converted").outcome == Outcome.won
    assert handoff.process == "opportunity-management"
    _target_fields_exist(handoff, lead, opportunity)
    assert handoff.fields["budget"] == "budget" and handoff.fields["type"] == "=new_business"
    assert handoff.account is not None and (handoff.account.name, handoff.account.domain) == ("company", "email")
    assert handoff.contact is not None
    assert (handoff.contact.first_name, handoff.contact.last_name, handoff.contact.email, handoff.contact.phone,
            handoff.contact.title) == ("first_name", "last_name", "email", "phone", "job_title")
    # BANT is the gate of the qualification; a disqualification needs its reason.
    assert lead.gate_requirements(lead.stage("qualified")).fields == ["budget", "authority", "need", "timeline"]
    disqualified = lead.stage("disqualified")
    assert disqualified.outcome == Outcome.lost
    assert disqualified.requires is not None and disqualified.requires.fields == ["disqualification_reason"]
    assert lead.fields["source"].choice_ids() == ["web", "event", "referral", "cold_call", "partner", "campaign",
                                                  "other"]


def test_won_opportunity_hands_over_the_order_and_the_contract(library: dict[str, ProcessDefinition]) -> None:
    opportunity = library["opportunity-management"]
    assert opportunity.guideline.depends_on == ["lead-management"]
    for handoff_id, target_key in (("create_order", "order-management"), ("create_contract", "contract-management")):
        stage_id, handoff = _handoff(opportunity, handoff_id)
        assert (stage_id, handoff.process) == ("won", target_key)
        _target_fields_exist(handoff, opportunity, library[target_key])
        assert {"title", "amount", "currency"} <= set(handoff.fields)


def test_contract_creates_the_renewal_opportunity_when_the_renewal_is_due(
        library: dict[str, ProcessDefinition]) -> None:
    contract, opportunity = library["contract-management"], library["opportunity-management"]
    stage_id, handoff = _handoff(contract, "create_renewal")
    assert (stage_id, handoff.process) == ("renewal_due", "opportunity-management")
    assert handoff.fields["type"] == "=stabilisation" and handoff.fields["title"] == "title"
    _target_fields_exist(handoff, contract, opportunity)
    window = next(schedule for schedule in contract.schedules if schedule.id == "renewal_window")
    assert (window.stages, window.date_field, window.minus_days_field, window.days_before, window.move_to) == (
        ["active"], "end_date", "notice_period_days", [60], "renewal_due")
    assert contract.fields["notice_period_days"].type == "integer"
    assert contract.fields["notice_period_days"].default == 90


def test_rfp_starts_from_an_opportunity_and_watches_its_deadline(library: dict[str, ProcessDefinition]) -> None:
    rfp = library["rfp-procedure"]
    assert rfp.linked_from == ["opportunity-management"]
    assert rfp.fields["submission_deadline"].type == "date" and rfp.fields["submission_deadline"].required
    before_submission = [stage.id for stage in rfp.open_stages[: rfp.open_index("submitted")]]
    assert before_submission == ["received", "bid_decision", "clarification", "answer_preparation",
                                 "internal_review"]
    assert all(rfp.stage(stage_id).due_field == "submission_deadline" for stage_id in before_submission)
    assert rfp.stage("submitted").due_field is None
    deadline = next(schedule for schedule in rfp.schedules if schedule.date_field == "submission_deadline")
    assert (deadline.stages, deadline.days_before, deadline.breach) == (before_submission, [7, 2, 1], True)
    assert deadline.notify
    gate = rfp.stage("bid_decision").gate
    assert gate is not None and gate.decided_by == "head_of_sales" and gate.delegable_to == ["kam"]
    assert {stage.id: stage.outcome for stage in rfp.outcome_stages} == {
        "awarded": Outcome.won, "not_awarded": Outcome.lost, "declined": Outcome.lost}
    sections = rfp.stage("answer_preparation").activities
    assert len(sections) >= 5 and all(activity.max_days is not None for activity in sections)


def test_confirmed_order_changes_reopen_the_review_that_later_gates_require(
        library: dict[str, ProcessDefinition]) -> None:
    order = library["order-management"]
    assert [rule.from_stage for rule in order.change_control] == ["confirmed"]
    rule = order.change_control[0]
    assert set(rule.fields) == {"amount", "products", "delivery_date"} and rule.reopen == ["requirements_review"]
    assert rule.notify
    review_stage, _activity = order.activities()["requirements_review"]
    assert review_stage.id == "created"
    for stage_id in ("created", "confirmed", "in_fulfilment", "delivered"):
        assert "requirements_review" in order.gate_requirements(order.stage(stage_id)).activities, stage_id


def test_account_plans_depend_on_the_whole_chain(library: dict[str, ProcessDefinition]) -> None:
    account = library["account-management"]
    assert set(account.guideline.depends_on) == set(SALES_CHAIN) - {"account-management"}
    assert account.fields["strategy"].choice_ids() == ["stabilisation", "cross_selling", "delivery_rate_increase",
                                                       "new_product_launch"]
    # The plan's strategies are opportunity types, so opportunities started from a plan can carry them.
    assert set(account.fields["strategy"].choice_ids()) <= set(
        library["opportunity-management"].fields["type"].choice_ids())
    assert account.fields["target_revenue"].type == "money"


def test_every_process_has_inputs_outputs_and_shares_role_ids(library: dict[str, ProcessDefinition]) -> None:
    titles: dict[str, set[str]] = {}
    for definition in library.values():
        assert definition.guideline.inputs and definition.guideline.outputs, definition.process
        for role_id, role in definition.roles.items():
            titles.setdefault(role_id, set()).add(role.title["en"])
    # A role id means the same role in every process.
    assert {role_id: len(names) for role_id, names in titles.items() if len(names) > 1} == {}
    for shared in ("head_of_sales", "kam", "sales_support"):
        assert all(shared in library[key].roles for key in SALES_CHAIN), shared


def test_probabilities_rise_and_outcomes_end_at_100_or_0(library: dict[str, ProcessDefinition]) -> None:
    for definition in library.values():
        for stage in definition.outcome_stages:
            assert stage.probability == (100 if stage.outcome == Outcome.won else 0), (definition.process, stage.id)
    lead = library["lead-management"]
    assert [stage.probability for stage in lead.open_stages] == [0, 5, 10]


def _model_texts(node: Any, path: str = "") -> list[tuple[str, Text]]:
    """Every `Text` of a parsed definition (also catches plain strings read as English only)."""
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


@pytest.mark.parametrize("key", sorted(RECORD_KINDS))
def test_every_text_is_in_english_and_german(library: dict[str, ProcessDefinition], key: str) -> None:
    texts = _model_texts(library[key])
    assert len(texts) > 40  # the walk reaches the texts
    missing = [where for where, text in texts
               if not all(isinstance(text.get(lang), str) and text[lang].strip() for lang in ("en", "de"))]
    assert missing == []
    same = [where for where, text in texts if len(text["en"]) > 40 and text["en"] == text["de"]]
    assert same == [], "long texts identical in both languages are not translated"


@pytest.mark.parametrize("key", sorted(RECORD_KINDS))
def test_no_seed_company_or_person_name(key: str) -> None:
    source = (LIBRARY_DIR / f"{key}.yaml").read_text(encoding="utf-8")
    data, _lines = load_yaml(source)
    assert data["process"] == key
    assert [name for name in FORBIDDEN_NAMES if name in source.lower()] == []



def test_create_offer_and_create_order_are_guidelines_of_the_library(library: dict[str, ProcessDefinition]) -> None:
    """The seeds' "Create Offer" and "Create Order": offers without an opportunity are records of their own that
    carry quotes under the same competence catalog as the opportunity's; an accepted one hands over the order
    (with the quote's lines); creating the order is the first stage of order management, titled after both."""
    offer, opportunity, order = (library["create-offer"], library["opportunity-management"],
                                 library["order-management"])
    assert (offer.title["en"], offer.title["de"]) == ("Create Offer", "Angebot erstellen")
    assert order.title["en"].startswith("Create Order") and order.title["de"].startswith("Bestellung anlegen")
    assert order.version == 2 and order.guideline.change_note is not None
    assert offer.linked_from == ["account-management"]
    assert [stage.id for stage in offer.open_stages] == ["preparation", "quotation", "review", "approved", "sent"]
    assert offer.quotes is not None and offer.quotes.stages == ["preparation", "quotation", "review"]
    assert (offer.quotes.approval, offer.quotes.send_activity, offer.quotes.order_handoff) == (
        "offer", "send_offer", "create_order")
    assert offer.quotes.fixed_fields == ["amount", "currency"]
    # one competence catalog: the offer's bands are the opportunity's
    assert offer.approvals["offer"].model_dump(exclude={"title", "description"}) == \
        opportunity.approvals["offer"].model_dump(exclude={"title", "description"})
    assert offer.gate_requirements(offer.stage("review")).approvals == ["offer"]
    stage_id, handoff = _handoff(offer, "create_order")
    assert (stage_id, handoff.process) == ("accepted", "order-management")
    _target_fields_exist(handoff, offer, order)
    assert all(stage.forecast_category == "omitted" for stage in offer.stages)  # forecasts are made on opportunities

"""The demo data covers the whole sales chain with linked histories, deterministic by seed and idempotent."""

from __future__ import annotations

import datetime
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction

from salesflow.accounts.models import Account, Contact
from salesflow.people.models import User
from salesflow.records import demo, services
from salesflow.records.chain import do_run_schedules
from salesflow.records.eventlog import verify
from salesflow.records.library import default_library_keys
from salesflow.records.models import Document, Event, Process, Record, RecordLink
from tests.cli.run import CliResult, run_cli

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2027, 3, 1, 9, tzinfo=datetime.UTC)


class _Undo(Exception):
    """Raised to roll a block back."""


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., CliResult]:
    """Run ``salesflow …`` in-process."""
    return lambda *args: run_cli(capsys, monkeypatch, *args)


def _records(process: str, **filters: Any) -> list[Record]:
    return list(Record.objects.filter(process__key=process, **filters).order_by("id"))


def _handoff_target(source: Record, handoff: str) -> Record:
    return RecordLink.objects.get(source=source, handoff=handoff).target


def _kinds(record: Record) -> list[str]:
    return list(Event.objects.filter(record=record).order_by("seq").values_list("kind", flat=True))


def snapshot() -> dict[str, Any]:
    """What the seed decides: records, links, accounts and every record's event kinds, in creation order."""
    records = Record.objects.select_related("owner", "process", "customer").order_by("created_at", "id")
    kinds: dict[int, list[str]] = defaultdict(list)
    for record_id, kind in Event.objects.filter(record__isnull=False).order_by("seq").values_list("record_id", "kind"):
        kinds[record_id].append(kind)
    return {
        "records": [(record.process.key, record.title, record.stage, record.amount, record.owner.username,
                     record.outcome, record.classification, record.customer.name if record.customer else None,
                     sorted(record.progress.get("done", {})), record.created_at, kinds[record.pk])
                    for record in records],
        "links": sorted((link.source.title, link.target.title, link.kind, link.handoff, link.created_at)
                        for link in RecordLink.objects.select_related("source", "target")),
        "accounts": sorted(Account.objects.values_list("name", "segment")),
        "documents": sorted(_document(name, version, sha) for name, version, sha in
                            Document.objects.values_list("name", "version", "sha256")),
    }


def _document(name: str, version: int, sha: str) -> tuple[str, int, str | None]:
    """An offer document prints its quote number, taken from a database id: PostgreSQL does not reuse the ids of
    a rolled-back run, so the offer's name and hash are compared without it (its lines are in the events)."""
    numbered = re.sub(r"Q-\d+", "Q-#", name)
    return (numbered, version, None if numbered != name else sha)


def test_the_demo_covers_the_whole_chain() -> None:
    summary = demo.generate(6, seed=3, now=NOW, leads=3)

    # every process of the default library has records
    assert set(summary["records"]) == default_library_keys()
    assert all(count > 0 for count in summary["records"].values()), summary["records"]
    assert Record.objects.count() == sum(summary["records"].values())

    # links of every hand-off kind of the library, and the records started from another (RFP, plan → opportunity)
    handoffs = {handoff.id for process in Process.objects.all()
                for _, handoff in services.definition_of(process.current_version()).handoffs()}
    assert handoffs == {"create_opportunity", "create_order", "create_contract", "create_renewal"}
    assert handoffs <= set(RecordLink.objects.values_list("handoff", flat=True))
    for rfp in _records("rfp-procedure"):
        assert RecordLink.objects.get(target=rfp).source.process.key == "opportunity-management"
    assert RecordLink.objects.filter(source__process__key="account-management", handoff="",
                                     target__process__key="opportunity-management").count() >= 2

    # leads: converted (account, contact, opportunity), repeat customers, disqualified with a reason, open
    converted = _records("lead-management", stage="converted")
    assert converted and all(lead.customer_id for lead in converted)
    assert Contact.objects.filter(account__in=[lead.customer_id for lead in converted]).exists()
    created = [Event.objects.get(record=lead, kind="handoff_sent").payload["account"]["created"] for lead in converted]
    assert True in created and False in created, "some leads link an existing account (repeat customers)"
    disqualified = _records("lead-management", stage="disqualified")
    assert disqualified and all(lead.values.get("disqualification_reason") for lead in disqualified)
    assert Record.objects.filter(process__key="lead-management", outcome="").exists()
    assert {lead.values["source"] for lead in _records("lead-management")} >= {"web"} and len(
        {lead.values["source"] for lead in _records("lead-management")}) >= 3

    # RFPs: awarded, not awarded, declined; a missed submission deadline recorded once by the job
    assert {"awarded", "not_awarded", "declined"} <= {rfp.stage for rfp in _records("rfp-procedure")}
    missed = Event.objects.filter(kind="deadline_missed", process="rfp-procedure")
    assert missed.count() == 1 and missed.get().actor_name == "system"
    assert Event.objects.filter(kind="reminder", process="rfp-procedure").exists()

    # won opportunities handed over to orders and contracts
    for opportunity in _records("opportunity-management", stage="won"):
        assert _handoff_target(opportunity, "create_order").process.key == "order-management"
        assert _handoff_target(opportunity, "create_contract").process.key == "contract-management"
    assert _records("order-management", stage="invoiced")
    changed = [order for order in _records("order-management") if "review_reopened" in _kinds(order)]
    assert changed, "an order changed after confirmation re-opens the review"
    kinds = _kinds(changed[0])
    assert "activity_done" in kinds[kinds.index("review_reopened"):], "the review is done again"
    assert "requirements_review" in changed[0].progress["done"]
    active = _records("contract-management", stage="active")
    assert active and all(c.values.get("start_date") and c.values.get("end_date") and c.values.get(
        "notice_period_days") for c in active)
    versions = Counter(Document.objects.values_list("record_id", "name"))
    assert 2 in versions.values(), "a contract document with two versions"

    # renewals: exactly one renewal opportunity per contract in its window; one renewed, one terminated
    renewals = RecordLink.objects.filter(handoff="create_renewal")
    assert renewals.count() == len({link.source_id for link in renewals}) >= 2
    renewed = _records("contract-management", stage="renewed")
    terminated = _records("contract-management", stage="terminated")
    assert renewed and terminated
    assert all(_handoff_target(contract, "create_renewal").stage == "won" for contract in renewed)
    assert all(_handoff_target(contract, "create_renewal").stage == "lost" for contract in terminated)
    assert all(_handoff_target(contract, "create_renewal").values["type"] == "stabilisation" for contract in renewed)
    before = renewals.count()
    again = do_run_schedules(NOW.date(), NOW)  # the demo ran today's job already: nothing fires twice
    assert (again.moves, again.handoffs) == (0, 0) and renewals.count() == before

    # account plans for the top accounts: each of the four strategies, a target, opportunities that serve them
    plans = _records("account-management")
    assert {plan.values["strategy"] for plan in plans} == {"stabilisation", "cross_selling",
                                                           "delivery_rate_increase", "new_product_launch"}
    assert all(plan.customer_id and plan.values.get("target_revenue") for plan in plans)
    assert Account.objects.filter(segment="A").exists() and not Account.objects.filter(segment="").exists()

    # offers without an opportunity (Create Offer), from account plans: accepted (an order with the quote's lines),
    # rejected with the customer's reason, and one waiting in review after a revision
    offers = _records("create-offer")
    assert {offer.stage for offer in offers} == {"accepted", "rejected", "review"}, [o.stage for o in offers]
    assert all(RecordLink.objects.get(target=offer).source.process.key == "account-management" for offer in offers)
    [accepted] = [offer for offer in offers if offer.stage == "accepted"]
    order = _handoff_target(accepted, "create_order")
    assert order.process.key == "order-management" and "order_lines_created" in _kinds(order)
    assert order.amount == accepted.amount
    [rejected] = [offer for offer in offers if offer.stage == "rejected"]
    assert rejected.values["rejection_reason"] and "quote_rejected" in _kinds(rejected)
    [waiting] = [offer for offer in offers if offer.stage == "review"]
    assert "quote_revised" in _kinds(waiting)

    # process-adherence variation: overrides with reasons, skipped stages, stages over their max_days
    overridden = Event.objects.filter(kind="gate_overridden")
    assert len(set(overridden.values_list("process", flat=True))) >= 3
    assert all(event.payload["reason"] for event in overridden)
    assert Event.objects.filter(kind="stage_changed", payload__has_key="skipped").exists()
    assert _processes_over_max_days() >= 2

    # the users hold every role the library's processes name
    roles = {role for process in Process.objects.all() for role in services.definition_of(
        process.current_version()).roles}
    held = set(User.objects.values_list("roles__id", flat=True))
    assert roles <= held, roles - held

    assert verify().ok


def _processes_over_max_days() -> int:
    """How many processes have a record that stayed in a stage longer than the stage's max_days."""
    late = set()
    for record in Record.objects.select_related("process_version", "process"):
        definition = services.definition_of(record.process_version)
        entered = record.created_at
        for event in Event.objects.filter(record=record, kind="stage_changed").order_by("seq"):
            stage = definition.stage(event.from_stage)
            if stage.max_days and (event.at - entered).days > stage.max_days:
                late.add(record.process.key)
            entered = event.at
    return len(late)


def test_the_same_seed_gives_the_same_chain_and_a_second_run_changes_nothing(cli: Callable[..., CliResult]) -> None:
    try:
        with transaction.atomic():
            demo.generate(6, seed=3, now=NOW, leads=3)
            expected = snapshot()
            raise _Undo
    except _Undo:
        pass
    assert Record.objects.count() == 0 and Account.objects.count() == 0

    demo.generate(6, seed=3, now=NOW, leads=3)
    assert snapshot() == expected
    events = Event.objects.count()

    again = cli("demo", "--opportunities", "6", "--seed", "3")
    assert again.code == 0, again
    assert "already present" in again.out
    assert snapshot() == expected and Event.objects.count() == events

"""Opportunity histories: qualification → solution design (maybe with an RFP) → proposal → negotiation → won / lost.

A won opportunity hands over to order management and contract management (the library's hand-offs
run inside the move); their paths are planned from the moment of the win.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from typing import Any

from salesflow.currency.demo import USD_ACCOUNTS
from salesflow.records import services
from salesflow.records.demo.names import ACCOUNTS, LOST_REASONS, OPPORTUNITY_TYPES, SUBJECTS, domain
from salesflow.records.demo.timeline import Path, Ref, Simulation

PROCESS = "opportunity-management"
#: Chance to survive each stage of a direct opportunity.
WIN_CHANCE = {"qualification": 0.7, "solution_design": 0.8, "proposal": 0.8, "negotiation": 0.85}
STAGES = ["qualification", "solution_design", "proposal", "negotiation"]


@dataclass
class Fate:
    """What happens to an opportunity; None leaves it to chance."""

    won: bool | None = None
    lose_at: str = ""
    lost_reason: str = ""
    rfp: str | None = None  # awarded | not_awarded | declined | missed
    skip_design: bool | None = None
    order: dict[str, Any] = field(default_factory=dict)
    contract: dict[str, Any] = field(default_factory=dict)


@dataclass
class Planned:
    """What the plan of one opportunity ended with."""

    path: Path
    won: bool = False
    lost: bool = False


def approver_for(sim: Simulation, owner: Any, amount: float) -> Any:
    """Who grants an approval banded like the competence catalog (KAM ≤ 50 000, Head ≤ 250 000, MD above)."""
    if amount <= 50000:
        return owner
    return sim.users["head"] if amount <= 250000 else sim.users["director"]


def random_amount(sim: Simulation) -> int:
    """A deal size: log-normal, rounded to 500."""
    return round(sim.rng.lognormvariate(11.3, 0.9) / 500) * 500 + 5000


def account_of(name: str) -> int:
    """The account of a company, created when the company is new (accounts are not records: no event)."""
    from django.utils import timezone

    from salesflow.accounts.models import Account
    from salesflow.records.chain import find_account

    account = find_account(name)
    if account is None:
        account = Account(name=name, domain=domain(name), created_at=timezone.now())
        account.save()
    return account.pk


def plan_direct(sim: Simulation, age: float | None = None, account: str | None = None,
                fate: Fate | None = None) -> None:
    """An opportunity the sales team starts itself, for a customer of `ACCOUNTS` (random unless given)."""
    rng = sim.rng
    owner = sim.users[rng.choice(["kam", "kam", "kam2"])]
    amount = random_amount(sim)
    if age is None:
        age = rng.uniform(5, 540) if rng.random() < 0.55 else rng.uniform(2, 100)
    start = sim.now - datetime.timedelta(days=age, hours=rng.uniform(0, 8))
    subject = rng.choice(SUBJECTS)
    account = account or rng.choice(ACCOUNTS)
    fields = {"title": f"{subject} – {account}", "amount": str(amount), "type": rng.choice(OPPORTUNITY_TYPES[1:]),
              "close_date": (start + datetime.timedelta(days=rng.randint(60, 200))).date().isoformat()}
    if account in USD_ACCOUNTS:
        fields["currency"] = "USD"
    if rng.random() < 0.08:
        fields["classification"] = "confidential"
    if fate is None:
        fate = Fate()
        if rng.random() < 0.12:
            fate.rfp = rng.choice(["awarded", "awarded", "not_awarded", "declined"])
    ref = Ref()
    if not sim.create(ref, start, PROCESS, owner, fields, customer=lambda: account_of(account)):
        return
    sim.count("opportunity_direct")
    sim.note_account(account, start, owner.username)
    plan_opportunity(sim, ref, owner, start, amount, account, subject, fate)


def _band(amount: float) -> int:
    return 0 if amount <= 50000 else 1 if amount <= 250000 else 2


def plan_change(path: Path, owner: Any, extra: random.Random, kind: str, planned_amount: float) -> None:
    """A pipeline change shortly after the path's last step, from its own random stream (``extra``), so the rest
    of the demo stays as it was: ``slip`` pushes the close date into the next quarter (95–130 days later),
    ``raise`` raises the amount in qualification (within its approval band), ``discount`` cuts it in negotiation."""
    if not path.alive:
        return
    at = path.clock + datetime.timedelta(days=extra.uniform(0.05, 0.9))
    if at >= path.sim.now:
        return
    days, factor = extra.randint(95, 130), extra.uniform(1.1, 1.3) if kind == "raise" else extra.uniform(0.85, 0.95)
    ref = path.ref

    def run() -> None:
        from salesflow.records.models import Record

        record = Record.objects.get(pk=ref())
        if record.outcome:
            return
        if kind == "slip":
            if record.close_date is not None:
                services.do_set_fields(record.pk, owner, {"close_date": (
                    record.close_date + datetime.timedelta(days=days)).isoformat()}, at=at)
            return
        if record.amount is None or record.currency != "EUR" or float(record.amount) != float(planned_amount):
            return
        from salesflow.quotes.services import current_quote

        if current_quote(record.pk) is not None:
            return  # the quote sets the amount
        changed = round(float(record.amount) * factor / 500) * 500
        if kind == "raise" and _band(changed) != _band(planned_amount):
            return
        services.do_set_fields(record.pk, owner, {"amount": str(changed)}, at=at)

    path.sim.add(at, run, f"pipeline change: {kind}")


#: Opportunities nobody has touched since they were opened (days ago, owner, amount): stale on the board.
STALE = [(19, "kam", 45000), (33, "kam2", 82000), (52, "kam", 27500)]


def plan_stale(sim: Simulation) -> None:
    """A few opportunities left alone in qualification for longer than its ``stale_days`` (no random draws)."""
    for index, (days, owner, amount) in enumerate(STALE):
        account = ACCOUNTS[(5 * index + 3) % len(ACCOUNTS)]
        start = sim.now - datetime.timedelta(days=days, hours=3)
        fields = {"title": f"{SUBJECTS[index % len(SUBJECTS)]} – {account}", "amount": str(amount),
                  "type": OPPORTUNITY_TYPES[1 + index % (len(OPPORTUNITY_TYPES) - 1)],
                  "close_date": (start + datetime.timedelta(days=120)).date().isoformat()}
        if sim.create(Ref(), start, PROCESS, sim.users[owner], fields,
                      customer=lambda account=account: account_of(account)):
            sim.count("opportunity_stale")


def plan_opportunity(sim: Simulation, ref: Ref, owner: Any, start: datetime.datetime, amount: float, account: str,
                     subject: str, fate: Fate | None = None, has_budget: bool = False,
                     has_solution: bool = False) -> Planned:
    """Plan an opportunity's history from ``start`` (the record exists then)."""
    rng = sim.rng
    fate = fate or Fate()
    users = sim.users
    head, support, bidmanager = users["head"], users["support"], users["bidmanager"]
    path = Path(sim, ref, start)
    planned = Planned(path)
    extra = random.Random(f"{start.isoformat()}|{amount}|{account}")   # slips and amount changes (issue 20)
    if extra.random() < 0.25:
        plan_change(path, owner, extra, "raise", amount)
    if fate.won is None:
        lose_at = next((stage for stage in STAGES if rng.random() > WIN_CHANCE[stage]), "")
    else:
        lose_at = "" if fate.won else (fate.lose_at or "proposal")
    if fate.rfp in ("not_awarded", "declined", "missed"):
        lose_at = "rfp"
    elif fate.rfp == "awarded" and lose_at in ("qualification", "solution_design"):
        lose_at = ""

    def lose(reason: str = "", decided_by: Any | None = None) -> None:
        """The customer is informed and the record closes as Lost; where the stage's gate asks a decision,
        ending there is that decision: its decider (or delegate) answers no first."""
        given = reason or fate.lost_reason
        choice, text = ("other", given) if given else rng.choice(LOST_REASONS)
        if decided_by is not None:
            path.decide(decided_by, "no", note=text, low=0.2, high=2)
        path.activity(owner, "customer_informed", 1, 6)
        path.fields(owner, {"lost_reason": choice, **({"lost_reason_note": text} if choice == "other" else {})}, 0, 2)
        if path.move(owner, "lost", 0, 1):
            planned.lost = True
            sim.count("opportunity_lost")
        if rng.random() < 0.5:
            path.activity(owner, "failure_communicated", 0, 5)

    # Qualification
    path.activity(owner, "risk_analysis", 1, 8)
    path.activity(owner, "customer_workshop", 1, 8)
    values: dict[str, Any] = {}
    if not has_budget:
        values["budget"] = str(int(amount * rng.uniform(1.0, 1.4)))
        values["decision_date"] = (start + datetime.timedelta(days=rng.randint(90, 240))).date().isoformat()
    if not has_solution:
        values["desired_solution"] = subject
    if values:
        path.fields(owner, values, 0, 3)
    if rng.random() < 0.3:
        path.activity(support, "qualification_support", 0, 4)
    if rng.random() < 0.1:
        path.probability(owner, 20, "Strong sponsor on customer side")
    if rng.random() < 0.08:
        path.stall(30)  # longer than the stage's max_days
    if lose_at == "qualification":
        lose(decided_by=head)
        return planned
    decider = head
    if rng.random() < 0.15:
        path.delegate(head, owner.username)
        decider = owner
    skip = fate.skip_design if fate.skip_design is not None else (amount <= 40000 and fate.rfp is None
                                                                  and rng.random() < 0.25)
    if skip:
        path.move(head, "proposal", 1, 6, reason="Standard scope from the price list: no solution design needed")
        sim.count("opportunity_design_skipped")
    else:
        path.move(decider, "solution_design", 2, 12)
        path.fields(owner, {"bid_manager": "bidmanager"}, 1, 5)
        path.activity(owner, "name_bid_manager", 0, 2)
        path.activity(owner, "customer_needs", 1, 10)
        if fate.rfp and path.alive:
            from salesflow.records.demo.rfps import plan_rfp

            rfp_end = plan_rfp(sim, ref, owner, path.clock, amount, fate.rfp)
            path.until(rfp_end)
            if lose_at == "rfp":
                lose({"not_awarded": "Competitor chosen in the tender", "declined": "No bid",
                      "missed": "Tender deadline missed"}[fate.rfp], decided_by=decider)
                return planned
        path.activity(bidmanager, "solution_design", 3, 20)
        if lose_at == "solution_design":
            lose(decided_by=decider)
            return planned
        path.move(decider, "proposal", 1, 8)
    # Proposal
    if extra.random() < 0.3:
        plan_change(path, owner, extra, "slip", amount)
    path.activity(owner, "prepare_offer", 2, 10)
    if rng.random() < 0.4:
        path.activity(support, "erp_quotation", 0, 3)
    from salesflow.records.demo.quotes import plan_answer, plan_quote

    quoted = plan_quote(sim, path, owner, amount, "USD" if account in USD_ACCOUNTS else "EUR")
    path.approve(quoted or approver_for(sim, owner, amount), "offer", 1, 5)
    path.activity(owner, "send_offer", 0, 3)
    if lose_at == "proposal":
        if quoted is not None:
            plan_answer(sim, path, owner, False, fate.lost_reason or "The customer chose a cheaper offer")
        lose()
        return planned
    path.move(owner, "negotiation", 0, 3)
    if extra.random() < 0.35:
        plan_change(path, owner, extra, "slip", amount)
    if extra.random() < 0.3:
        plan_change(path, owner, extra, "discount", amount)
    # Negotiation
    path.activity(owner, "customer_feedback", 3, 20)
    if quoted is not None and lose_at != "negotiation":
        plan_answer(sim, path, owner, True)
    path.activity(head, "contract_negotiation", 3, 25)
    if rng.random() < 0.06:
        path.stall(60)
    if lose_at == "negotiation":
        lose(decided_by=decider)
        return planned
    path.activity(head, "contract_signed", 2, 15)
    if rng.random() < 0.07:
        won = path.move(head, "won", 0, 2, reason="Customer signed early; the final offer follows from the ERP "
                                                  "after the kick-off")
        sim.count("opportunity_won_overridden")
    else:
        path.activity(support, "final_offer", 0, 3)
        won = path.move(decider, "won", 0, 2)
    if not won:
        return planned
    planned.won = True
    sim.count("opportunity_won")
    sim.note_account(account, path.clock, owner.username, won=amount)
    won_at = path.clock
    from salesflow.records.demo.contracts import plan_contract
    from salesflow.records.demo.orders import plan_order

    plan_order(sim, Ref.handed_off(ref, "create_order"), owner, won_at, amount, **fate.order)
    plan_contract(sim, Ref.handed_off(ref, "create_contract"), owner, won_at, amount, account, subject,
                  **fate.contract)
    if rng.random() < 0.6:
        path.activity(bidmanager, "kickoff_meeting", 2, 10)
    path.activity(head, "success_communicated", 0, 5)
    return planned

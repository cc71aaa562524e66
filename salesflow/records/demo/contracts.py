"""Contract histories, handed over by a won opportunity: draft → legal review → negotiation → signed → active.

An active contract whose notice date comes near is moved to "renewal due" by the nightly job,
whose hand-off starts exactly one renewal opportunity; the renewal's result decides whether the
contract is renewed or terminated.
"""

from __future__ import annotations

import calendar
import datetime
from typing import Any

from salesflow.records.demo.opportunities import Fate, plan_opportunity
from salesflow.records.demo.timeline import Path, Ref, Simulation

CONTRACT_TYPES = ["framework_agreement", "supply_contract", "service_contract", "maintenance_contract"]


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` plus whole months (the last day of a shorter month when needed)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def plan_contract(sim: Simulation, ref: Ref, owner: Any, start: datetime.datetime, amount: float, account: str,
                  subject: str, term_months: int | None = None, renewal: str | None = None,
                  documents: bool | None = None, skip_negotiation: bool | None = None) -> None:
    """Plan the contract a won opportunity started at ``start``; ``renewal``: renewed | terminated (None: chance)."""
    rng = sim.rng
    users = sim.users
    head, support, legal = users["head"], users["support"], users["legal"]
    term_months = term_months or rng.choice([12, 12, 12, 24, 24, 36])
    documents = rng.random() < 0.35 if documents is None else documents
    skip_negotiation = rng.random() < 0.08 if skip_negotiation is None else skip_negotiation
    notice = rng.choice([90, 90, 60, 30])
    document = f"Contract {account}.txt"
    path = Path(sim, ref, start)
    path.fields(owner, {"contract_type": rng.choice(CONTRACT_TYPES)}, 0.2, 2)
    path.activity(owner, "commercial_terms", 0.5, 4)
    path.activity(support, "prepare_draft", 1, 5)
    if documents:
        path.document(support, document, f"{subject} – {account}\nContract draft, version 1\nTerm: {term_months} "
                                         f"months; notice period: {notice} days\n", note="First draft")
    path.move(owner, "legal_review", 0, 2)
    if rng.random() < 0.1:
        path.stall(10)
    path.activity(legal, "legal_check", 2, 8)
    path.activity(users["internal"], "security_check", 0.5, 4)
    if documents:
        path.document(legal, document, f"{subject} – {account}\nContract draft, version 2\nTerm: {term_months} "
                                       f"months; notice period: {notice} days\nLiability capped at the contract "
                                       "value (legal review)\n", note="Legal review: liability clause changed")
    if rng.random() < 0.3:
        path.fields(legal, {"legal_deviations": "Liability cap and governing law changed at the customer's request"})
    begin = (path.clock + datetime.timedelta(days=rng.randint(10, 30))).date()
    end = add_months(begin, term_months) - datetime.timedelta(days=1)
    dates = {"start_date": begin.isoformat(), "end_date": end.isoformat(), "notice_period_days": str(notice)}
    approver = head if amount <= 250000 else users["director"]
    if skip_negotiation:
        path.move(head, "signed", 0, 2, reason="Customer accepted our standard terms unchanged: no negotiation")
        sim.count("contract_negotiation_skipped")
        path.fields(owner, dates, 0, 1)
        path.approve(approver, "signature", 0, 2)
    else:
        path.move(legal, "negotiation", 0, 2)
        path.activity(head, "negotiate_terms", 3, 20)
        path.fields(owner, dates, 0, 2)
        path.approve(approver, "signature", 0.5, 3)
        path.activity(support, "final_version", 0.5, 4)
        path.move(head, "signed", 0, 2)
    path.activity(head, "internal_signature", 0, 3)
    path.activity(owner, "customer_signature", 1, 10)
    sim.count("contract_number")
    path.fields(support, {"contract_number": f"C-{start.year}-{sim.tally['contract_number']:04d}"}, 0, 1)
    path.activity(support, "file_contract", 0, 2)
    if path.move(head, "active", 0, 2):
        sim.count("contract_active")
    if not path.alive:
        return
    # the nightly job opens the renewal window 60 days before the notice date
    notice_date = end - datetime.timedelta(days=notice)
    window = notice_date - datetime.timedelta(days=60)
    opened = sim.job_after(path.clock, window)
    if opened - path.clock > datetime.timedelta(days=95) and rng.random() < 0.5:
        path.activity(owner, "obligations_monitoring", 20, 90)
    if opened >= sim.now:
        return
    sim.job_after(opened, notice_date - datetime.timedelta(days=14))  # reminder before the notice date
    path.until(opened)
    sim.count("contract_renewal_due")
    renewed = (rng.random() < 0.7) if renewal is None else renewal == "renewed"
    fate = Fate(won=renewed, lose_at=rng.choice(["proposal", "negotiation"]), skip_design=rng.random() < 0.5,
                lost_reason="Customer consolidates suppliers and tendered the scope")
    planned = plan_opportunity(sim, Ref.handed_off(ref, "create_renewal"), owner, opened, amount, account,
                               f"Renewal: {subject}", fate)
    path.activity(owner, "renewal_assessment", 2, 10)
    if rng.random() < 0.6:
        path.activity(owner, "renewal_talk", 3, 15)
    path.until(planned.path.clock)
    if planned.won:
        if path.move(head, "renewed", 0.5, 3):
            sim.count("contract_renewed")
        path.activity(support, "renewal_filed", 0, 3)
    elif planned.lost:
        path.fields(owner, {"termination_reason": "Not renewed: the customer consolidates suppliers"}, 0, 2)
        if path.move(head, "terminated", 0, 1):
            sim.count("contract_terminated")
        path.activity(head, "termination_confirmed", 0, 3)

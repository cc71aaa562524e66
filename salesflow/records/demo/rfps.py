"""RFP histories, started from their opportunity: bid decision, clarification, answers, review, submission, award.

The submission deadline is a hard date: the nightly job reminds (7, 2, 1 days before) and records a
missed deadline once; the plan asks the job to run on those days.
"""

from __future__ import annotations

import datetime
from typing import Any

from salesflow.records.demo.opportunities import approver_for
from salesflow.records.demo.timeline import Path, Ref, Simulation

PROCESS = "rfp-procedure"


def plan_rfp(sim: Simulation, opportunity: Ref, owner: Any, start: datetime.datetime, amount: float,
             outcome: str) -> datetime.datetime:
    """Plan an RFP of ``opportunity`` ending ``awarded``, ``not_awarded``, ``declined`` or ``missed`` (deadline
    missed, then declined); returns when the opportunity learns the result."""
    rng = sim.rng
    users = sim.users
    head, bidmanager, support = users["head"], users["bidmanager"], users["support"]
    received = start + datetime.timedelta(days=rng.uniform(0.5, 3))
    fields: dict[str, Any] = {
        "request_type": "rfi" if rng.random() < 0.2 else "rfp",
        "submission_deadline": (received + datetime.timedelta(days=35)).date().isoformat(),
        "clarification_deadline": (received + datetime.timedelta(days=10)).date().isoformat(),
        "customer_reference": f"TENDER-{received.year}-{rng.randint(100, 999)}",
        "bid_manager": "bidmanager",
        "amount": str(amount),
    }
    ref = Ref()
    if not sim.create(ref, received, PROCESS, owner, fields, link_from=opportunity):
        return received
    sim.count(f"rfp_{outcome}")
    path = Path(sim, ref, received)

    def deadline(day: datetime.date) -> None:
        fields["submission_deadline"] = day.isoformat()
        for days in (7, 2):
            sim.job_after(received, day - datetime.timedelta(days=days))

    path.activity(owner, "register_request", 0, 1)
    path.activity(bidmanager, "formal_check", 0.5, 2)
    path.move(bidmanager, "bid_decision", 0, 1)
    path.activity(bidmanager, "bid_assessment", 1, 3)
    path.activity(users["internal"], "bid_risk_analysis", 0.5, 3)
    if outcome == "declined":
        path.fields(bidmanager, {"no_bid_reason": "Required certification not held; references too small"}, 0, 1)
        path.decide(head, "no", "No bid: we cannot meet the mandatory criteria", 0, 1)
        path.activity(owner, "no_bid_communicated", 0, 2)
        path.move(head, "declined", 0, 1)
        deadline((received + datetime.timedelta(days=rng.randint(25, 40))).date())
        return path.clock
    if rng.random() < 0.25:
        path.move(head, "answer_preparation", 0, 2, reason="No questions: the tender documents are complete")
        sim.count("rfp_clarification_skipped")
    else:
        path.move(head, "clarification", 0, 2)
        path.activity(bidmanager, "collect_questions", 1, 4)
        if rng.random() < 0.7:
            path.activity(owner, "submit_questions", 0, 2)
            path.activity(bidmanager, "distribute_answers", 2, 6)
        path.move(bidmanager, "answer_preparation", 0, 2)
    path.activity(bidmanager, "answer_plan", 0.5, 2)
    planned_at = path.clock
    path.activity(users["internal"], "technical_section", 2, 8)
    path.activity(users["legal"], "legal_section", 1, 6)
    path.activity(support, "commercial_section", 1, 5)
    if rng.random() < 0.5:
        path.activity(support, "references_section", 0, 3)
    if outcome == "missed":
        # the answers take longer than the deadline allows: the job records the breach once
        due = (planned_at + datetime.timedelta(days=3)).date()
        deadline(due)
        breach = sim.job_after(path.clock, due + datetime.timedelta(days=1))
        path.until(breach)
        path.fields(bidmanager, {"no_bid_reason": "Submission deadline missed: technical section not ready in time"},
                    0.2, 1)
        path.activity(owner, "no_bid_communicated", 0, 2)
        path.move(head, "declined", 0, 1)
        return path.clock
    path.activity(owner, "summary_section", 1, 3)
    path.fields(bidmanager, {"submission_channel": "Customer tender portal"}, 0, 1)
    path.move(bidmanager, "internal_review", 0, 1)
    path.activity(bidmanager, "compliance_check", 0.5, 2)
    path.activity(head, "management_review", 0.2, 2)
    path.approve(approver_for(sim, owner, amount), "bid", 0.2, 1)
    path.activity(owner, "submit_answer", 0, 1)
    path.move(head, "submitted", 0, 1)
    deadline((path.clock + datetime.timedelta(days=rng.uniform(1, 5))).date())
    path.activity(owner, "receipt_confirmed", 0, 1)
    if rng.random() < 0.5:
        path.activity(owner, "bid_presentation", 5, 20)
    path.wait(5, 30)
    if outcome == "awarded":
        path.move(head, "awarded", 0, 2)
        path.activity(owner, "award_communicated", 0, 2)
        path.activity(bidmanager, "lessons_learned_awarded", 2, 10)
    else:
        path.fields(owner, {"award_feedback": "Lost on price: 8 % above the winning bid; technically ranked second"},
                    0, 2)
        path.move(head, "not_awarded", 0, 1)
        path.activity(owner, "debriefing", 1, 7)
        path.activity(bidmanager, "lessons_learned_not_awarded", 2, 10)
    return path.clock

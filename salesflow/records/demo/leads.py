"""Lead histories: new → contacted → qualified (BANT) → converted (account, contact, opportunity) or disqualified.

Leads come from several sources; some are companies that are customers already (the conversion
links their account — found by name or e-mail domain, or picked by the user), most are new.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from salesflow.records.demo.names import (
    ACCOUNTS,
    FIRST_NAMES,
    JOB_TITLES,
    LAST_NAMES,
    LEAD_SOURCES,
    PROSPECTS,
    SUBJECTS,
    domain,
)
from salesflow.records.demo.opportunities import Fate, plan_opportunity, random_amount
from salesflow.records.demo.timeline import Path, Ref, Simulation

PROCESS = "lead-management"
DISQUALIFICATIONS = {
    "contacted": ["not_reachable", "no_need", "duplicate", "competitor"],
    "qualified": ["no_budget", "no_authority", "no_timeline", "no_need"],
}


@dataclass
class LeadFate:
    """What happens to a lead; None leaves it to chance."""

    outcome: str | None = None  # converted | disqualified | open
    company: str | None = None
    pick_account: str | None = None  # the existing account the user links on conversion
    skip_contact: bool | None = None
    authority_override: bool | None = None
    opportunity: Fate | None = None


def plan_lead(sim: Simulation, age: float, fate: LeadFate | None = None) -> None:
    """Plan a lead created ``age`` days ago."""
    rng = sim.rng
    fate = fate or LeadFate()
    users = sim.users
    head, support, owner = users["head"], users["support"], users[rng.choice(["kam", "kam", "kam2"])]
    start = sim.now - datetime.timedelta(days=age, hours=rng.uniform(0, 8))
    source = rng.choice(LEAD_SOURCES)
    company = fate.company or (rng.choice(ACCOUNTS) if rng.random() < 0.25 else rng.choice(PROSPECTS))
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    subject = rng.choice(SUBJECTS)
    email = f"{first}.{last}@{domain(fate.pick_account or company)}".lower().replace("ö", "oe").replace("ü", "ue")
    fields: dict[str, Any] = {"title": f"{subject} – {company}", "company": company, "source": source,
                              "email": email, "phone": f"+49 {rng.randint(30, 89)} {rng.randint(100000, 999999)}",
                              "job_title": rng.choice(JOB_TITLES), "owner": owner.username}
    names = {"first_name": first, "last_name": last}
    if rng.random() < 0.85:
        fields.update(names)
        names = {}
    creator = users["marketing"] if source in ("campaign", "event") else support
    ref = Ref()
    if not sim.create(ref, start, PROCESS, creator, fields):
        return
    sim.count("lead")
    outcome = fate.outcome
    if outcome is None:
        roll = rng.random()
        outcome = "converted" if roll < 0.5 else "disqualified" if roll < 0.85 else "open"
    path = Path(sim, ref, start)

    def disqualify(stage: str) -> None:
        reason = rng.choice(DISQUALIFICATIONS[stage])
        path.fields(owner, {"disqualification_reason": reason}, 0.5, 5)
        if stage == "qualified":  # ending there is the gate's decision: the Head of Sales answers no
            path.decide(head, "no", note=reason.replace("_", " "), low=0.2, high=2)
        if path.move(owner, "disqualified", 0, 1):
            sim.count("lead_disqualified")
        if reason not in ("duplicate", "not_reachable"):
            path.activity(owner, "lead_informed", 0, 3)
        path.activity(owner, "disqualification_feedback", 0, 5)

    path.activity(support, "capture_lead", 0, 0.3)
    path.activity(support, "duplicate_check", 0, 1)
    path.activity(head, "assign_lead", 0.2, 4)  # sometimes after the two days the stage allows
    if outcome == "open" and rng.random() < 0.3:
        return
    skip = fate.skip_contact if fate.skip_contact is not None else rng.random() < 0.1
    if skip and not names:
        path.move(head, "qualified", 0, 2, reason="Referral from an existing customer: the first contact was made "
                                                  "at the reference visit")
        sim.count("lead_contact_skipped")
    else:
        path.move(owner, "contacted", 0, 2)
        path.activity(owner, "first_contact", 0.5, 6)
        if rng.random() < 0.4:
            path.activity(support, "company_research", 0, 3)
        if rng.random() < 0.4:
            path.activity(owner, "send_information", 0, 3)
        if names:
            path.fields(support, names, 0, 2)
        if outcome == "disqualified" and rng.random() < 0.45:
            disqualify("contacted")
            return
        if outcome == "open" and rng.random() < 0.4:
            return
        path.move(owner, "qualified", 1, 8)
    # Qualification (BANT)
    path.activity(owner, "bant_assessment", 2, 12)
    amount = random_amount(sim)
    timeline = (path.clock + datetime.timedelta(days=rng.randint(60, 180))).date().isoformat()
    authority_override = (fate.authority_override if fate.authority_override is not None
                          else outcome == "converted" and rng.random() < 0.1)
    bant = {"budget": str(amount), "need": f"{subject} for {company}", "timeline": timeline}
    if not authority_override:
        bant["authority"] = rng.choice(["CFO decides with the board", "Managing director signs off",
                                        "Procurement committee, our contact leads the evaluation"])
    path.fields(owner, bant, 0, 3)
    if rng.random() < 0.35:
        path.activity(users["internal"], "portfolio_fit", 1, 6)
    if rng.random() < 0.1:
        path.stall(30)
    if outcome == "disqualified":
        disqualify("qualified")
        return
    if outcome == "open":
        return
    if fate.pick_account or rng.random() < 0.3:
        path.activity(owner, "account_check", 0, 2)
    picked = fate.pick_account

    def options() -> dict[str, dict[str, Any]]:
        from salesflow.records.chain import find_account

        account = find_account(picked) if picked else None
        return {"create_opportunity": {"account_id": account.pk}} if account else {}

    if authority_override:
        converted = path.move(head, "converted", 1, 5, reason="Authority confirmed by phone by the CFO; the "
                                                               "written confirmation follows", options=options)
    elif rng.random() < 0.2:
        path.delegate(head, owner.username)
        converted = path.move(owner, "converted", 1, 5, options=options)
    else:
        converted = path.move(head, "converted", 1, 5, options=options)
    if not converted:
        return
    sim.count("lead_converted")
    account = picked or company
    sim.note_account(account, path.clock, owner.username)
    plan_opportunity(sim, Ref.handed_off(ref, "create_opportunity"), owner, path.clock, amount, account, subject,
                     fate.opportunity, has_budget=True, has_solution=True)
    path.activity(owner, "conversion_feedback", 0, 5)

"""Account plans for the top accounts: one per strategy of the seeds, with targets and the opportunities serving them."""

from __future__ import annotations

import datetime
from typing import Any

from salesflow.records.demo.names import STRATEGIES, SUBJECTS
from salesflow.records.demo.opportunities import Fate, account_of, plan_opportunity, random_amount
from salesflow.records.demo.timeline import Path, Ref, Simulation

PROCESS = "account-management"
OBJECTIVES = {
    "stabilisation": "Keep the relationship stable: renew the service contracts and raise satisfaction",
    "cross_selling": "Sell further products of the portfolio to the existing sites",
    "delivery_rate_increase": "Win a larger share of the customer's annual demand",
    "new_product_launch": "Introduce the new product line as the first reference customer",
}
MEASURES = {
    "stabilisation": "Quarterly service reviews; executive sponsor meeting; early renewal talks",
    "cross_selling": "Portfolio workshop with the site managers; two cross-selling offers",
    "delivery_rate_increase": "Framework agreement with volume bands; supplier day with procurement",
    "new_product_launch": "Pilot installation; joint press release; reference visit",
}


def serving_opportunities(plan_id: int, user: Any, at: datetime.datetime, limit: int = 3) -> None:
    """Link the account's latest opportunities (visible to ``user``, not linked yet) to the plan they serve."""
    from salesflow.people.access import visible_records
    from salesflow.records.chain import do_link_records
    from salesflow.records.models import Record, RecordLink

    plan = Record.objects.get(pk=plan_id)
    linked = set(RecordLink.objects.filter(source_id=plan_id).values_list("target_id", flat=True))
    opportunities = visible_records(user, Record.objects.filter(
        process__key="opportunity-management", customer_id=plan.customer_id, created_at__lte=at)).exclude(
        pk__in=linked).order_by("-created_at", "-id")[:limit]
    for opportunity in list(opportunities):
        do_link_records(plan_id, opportunity.pk, user, kind="opportunity", at=at)


def plan_account_plans(sim: Simulation, count: int = 6) -> None:
    """Plans for the ``count`` accounts with the most planned won revenue (known for a while by then)."""
    rng = sim.rng
    head = sim.users["head"]
    start = sim.now - datetime.timedelta(days=150)
    known = [(name, entry) for name, entry in sim.accounts.items() if entry[0] < start - datetime.timedelta(days=20)]
    top = sorted(known, key=lambda item: (-item[1][1], item[0]))[:count]
    for index, (name, (_first, revenue, owner_name)) in enumerate(top):
        owner = sim.users[owner_name]
        strategy = STRATEGIES[index] if index < len(STRATEGIES) else rng.choice(STRATEGIES)
        created = start + datetime.timedelta(days=index * 4, hours=rng.uniform(0, 8))
        target = round(max(revenue, 80000) * rng.uniform(1.1, 1.5), -3)
        ref = Ref()
        fields = {"title": f"Account plan {created.year} – {name}", "strategy": strategy,
                  "target_revenue": str(int(target))}
        if not sim.create(ref, created, PROCESS, owner, fields, customer=lambda name=name: account_of(name)):
            continue
        sim.count("account_plan")
        completes, abandons = index == 0, index == 1
        period_start = created.date() + datetime.timedelta(days=7)
        period_end = period_start + datetime.timedelta(days=100 if completes else 365)
        sim.job_after(created, period_end - datetime.timedelta(days=30))  # the reminder before the period ends
        path = Path(sim, ref, created)
        path.activity(owner, "account_analysis", 1, 7)
        path.fields(owner, {"period_start": period_start.isoformat(), "period_end": period_end.isoformat(),
                            "objectives": OBJECTIVES[strategy], "measures": MEASURES[strategy],
                            "key_contacts": "CFO, head of procurement, site managers"}, 0, 3)
        path.activity(owner, "draft_plan", 1, 5)
        path.move(head, "agreed", 1, 7)
        path.activity(owner, "plan_briefing", 0, 3)
        path.do(0, 2, lambda rid, at, owner=owner: serving_opportunities(rid, owner, at), "link opportunities")
        if strategy in ("cross_selling", "new_product_launch") and path.alive:
            opportunity = Ref()
            amount = random_amount(sim)
            subject = rng.choice(SUBJECTS)
            opened = path.wait(0, 3)
            if sim.create(opportunity, opened, "opportunity-management", owner,
                          {"title": f"{subject} – {name}", "amount": str(amount), "type": strategy}, link_from=ref):
                sim.count("opportunity_from_plan")
                plan_opportunity(sim, opportunity, owner, opened, amount, name, subject, Fate())
        path.activity(owner, "plan_opportunities", 0, 3)
        path.move(owner, "in_execution", 0, 3)
        if path.alive and not abandons:
            from salesflow.records.demo.offers import plan_offer

            plan_offer(sim, ref, owner, path.clock, name, lambda name=name: account_of(name))
        if abandons:
            path.fields(owner, {"abandon_reason": "The customer was taken over; purchasing moved to the new parent"},
                        10, 30)
            if path.move(owner, "abandoned", 0, 2):
                sim.count("account_plan_abandoned")
            path.activity(owner, "abandonment_communicated", 0, 3)
            continue
        path.activity(owner, "carry_out_measures", 10, 40)
        if rng.random() < 0.5:
            path.activity(owner, "relationship_meeting", 5, 20)
        path.activity(owner, "quarterly_review", 10, 30)
        if not completes:
            continue
        path.until(datetime.datetime.combine(period_end, datetime.time(9), tzinfo=datetime.UTC))
        path.move(owner, "review", 0, 3)
        path.activity(owner, "target_actual", 0, 3)
        path.activity(owner, "review_meeting", 1, 7)
        path.fields(owner, {"achieved_revenue": str(int(target * rng.uniform(0.8, 1.1))),
                            "review_result": "Target largely reached; next plan with a cross-selling focus"}, 0, 2)
        if path.move(head, "completed", 0, 3):
            sim.count("account_plan_completed")
        path.activity(owner, "next_plan", 0, 5)

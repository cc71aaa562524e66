"""Deterministic, realistic demo data: users for every role and the whole sales chain with its history.

Leads from several sources are qualified and converted (account, contact, opportunity) or
disqualified; opportunities run through the stages, some with an RFP; won ones hand over to order
and contract management; contracts reach their renewal window and get their renewal opportunity;
the top accounts get account plans; sales process management runs beside the chain (pre-sales requests,
nonconformities, the audit programme, the risk register, a management review); finally the accounts are
segmented (ABC).

Every step goes through the same service functions as the CLI, web and API, at a simulated time,
so the demo history passes the real gates and its event log verifies. The same seed gives the same
history (relative to the day it is generated).
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from salesflow.records.demo.account_plans import plan_account_plans
from salesflow.records.demo.leads import plan_lead
from salesflow.records.demo.opportunities import plan_direct, plan_stale
from salesflow.records.demo.people import DEMO_PASSWORD, DEMO_USERS, create_users, demo_present
from salesflow.records.demo.quality import plan_quality
from salesflow.records.demo.showcase import plan_showcase
from salesflow.records.demo.timeline import DemoStepFailed, Simulation

__all__ = ["DEFAULT_OPPORTUNITIES", "DEMO_PASSWORD", "DEMO_USERS", "DemoStepFailed", "create_users", "demo_present", "generate"]


#: Direct opportunities of `generate` by default (and of ``salesflow demo``).
DEFAULT_OPPORTUNITIES = 60
#: From this many direct opportunities on, the scripted chains of `showcase` are part of the demo.
SHOWCASE_FROM = 5


def generate(opportunities: int = DEFAULT_OPPORTUNITIES, seed: int = 7, now: datetime.datetime | None = None,
             progress: Callable[[int, int], None] | None = None, leads: int | None = None) -> dict[str, Any]:
    """Create the demo users and the sales chain's history up to ``now``.

    ``opportunities`` direct (sales-initiated) opportunities and ``leads`` leads (default: half as
    many) are planned at random; with `SHOWCASE_FROM` or more opportunities the scripted chains of
    `showcase` (every hand-off, outcome and deviation at least once) come first.
    """
    now = now or timezone.now().replace(minute=0, second=0, microsecond=0)
    leads = opportunities // 2 if leads is None else leads
    rng = random.Random(seed)
    with transaction.atomic():
        users = create_users()
        from salesflow.currency.demo import add_demo_rates

        rates = add_demo_rates(now)  # monthly USD → EUR rates: some customers are quoted in US dollars
        simulation = Simulation(users, rng, now)
        from salesflow.records.demo.quotes import plan_catalogue

        plan_catalogue(simulation)  # the product catalogue the quotes are priced from
        if opportunities >= SHOWCASE_FROM:
            plan_showcase(simulation)
        for _ in range(opportunities):
            plan_direct(simulation)
        if opportunities >= SHOWCASE_FROM:
            plan_stale(simulation)  # a few opportunities nobody touched for weeks (stale on the board, issue 20)
        for _ in range(leads):
            plan_lead(simulation, rng.uniform(2, 500))
        plan_account_plans(simulation)
        from salesflow.records.demo.coaching import attribute_partner_leads, plan_coaching

        quality = plan_coaching(simulation, seed)  # partners, managers, assessments, 1:1s (issue 15)
        plan_quality(simulation)  # pre-sales, nonconformities, audits, risks, a management review
        from salesflow.records.demo.material import plan_material

        plan_material(simulation)  # the material catalogue, its stock and material requests in every stage
        actions = simulation.run(progress)
        quality["partner_leads"] = attribute_partner_leads(simulation)
        from salesflow.records.chain import do_run_schedules

        do_run_schedules(now.date(), now)  # today's run of the nightly job
        segments = _segment_accounts(users["head"], now)
    from salesflow.analytics.demo import add_demo_planning

    planning = add_demo_planning(now)  # quarterly team targets and the weekly forecast history
    from salesflow.records.demo.forecasts import add_demo_forecasts

    forecasts = add_demo_forecasts(now, seed)  # teams, forecast submissions, adjustments, weekly locks (issue 20)
    return {"users": len(users), "opportunities": opportunities, "leads": leads, "actions": actions,
            "records": _records_by_process(), "segments": segments, "plan": dict(sorted(simulation.tally.items())),
            "exchange_rates": rates, "quality": quality, "forecasts": forecasts,
            **planning}


def _segment_accounts(user: Any, now: datetime.datetime) -> dict[str, int]:
    """ABC segmentation of the accounts on the demo's day (skipped when the module is not installed)."""
    try:
        from salesflow.accounts.segmentation import do_segment_accounts
    except ImportError:  # pragma: no cover - the segmentation ships with the accounts app
        return {}
    return dict(do_segment_accounts(user, as_of=now.date()).counts)


def _records_by_process() -> dict[str, int]:
    from salesflow.records.models import Record

    rows = Record.objects.values("process__key").annotate(count=Count("id")).values_list("process__key", "count")
    return dict(sorted(rows))

"""Deterministic, realistic demo data: users for every role and opportunities with a history.

Every step goes through the same service functions as the CLI, web and API, at a simulated time,
so the demo history passes the real gates and its event log verifies. The same seed gives the same
history (relative to the day it is generated).
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from salesflow.people.models import User
from salesflow.people.services import do_add_user
from salesflow.records import services

DEMO_PASSWORD = "salesflow-demo"

#: (user name, first name, last name, roles, teams)
DEMO_USERS: list[tuple[str, str, str, list[str], list[str]]] = [
    ("head", "Helena", "Hoffmann", ["head_of_sales"], ["North", "South"]),
    ("kam", "Kai", "Becker", ["kam"], ["North"]),
    ("kam2", "Lena", "Wolf", ["kam"], ["South"]),
    ("bidmanager", "Bernd", "Maier", ["bid_manager"], ["North", "South"]),
    ("support", "Sara", "Yilmaz", ["sales_support"], ["North", "South"]),
    ("director", "Dana", "Richter", ["managing_director"], ["North", "South"]),
    ("internal", "Ivo", "Schulz", ["internal"], []),
    ("ops", "Olga", "Neumann", ["sales_ops"], []),
    ("auditor", "Arne", "Krüger", ["auditor"], []),
    ("admin", "Ada", "Admin", ["admin"], []),
]

ACCOUNTS = [
    "Nordwind Energie", "Helios Utilities", "Blue Harbor Logistics", "Alpen Solar", "Rheinland Stadtwerke",
    "Baltic Grid Services", "Kappa Manufacturing", "Orion Facility Management", "Vega Housing Cooperative",
    "Atlas Retail Group", "Lumen Hospitals", "Delta Water Board", "Sigma Data Centres", "Terra Agrar",
    "Polaris Telecom", "Aurora Chemicals", "Meridian Ports", "Quarz Glaswerke", "Zenit Automotive",
    "Falke Airport Services",
]
SUBJECTS = [
    "Energy management platform", "Smart metering roll-out", "Battery storage integration",
    "Fleet charging solution", "Grid monitoring", "Heat pump portfolio control", "PV park monitoring",
    "Demand response pilot", "Data platform licence", "Service contract extension",
]
TYPES = ["new_business", "stabilisation", "cross_selling", "delivery_rate_increase", "new_product_launch"]
LOST_REASONS = ["Price", "Competitor chosen", "No budget", "Project postponed", "Requirements not met"]


@dataclass(order=True)
class Step:
    """One action of the simulated history, executed in time order."""

    at: datetime.datetime
    order: int
    run: Callable[[], Any] = field(compare=False)


def demo_present() -> bool:
    """True when the demo users exist already."""
    return User.objects.filter(username="head").exists()


def create_users() -> dict[str, User]:
    """Create the demo users (password: `DEMO_PASSWORD`)."""
    users = {}
    for username, first, last, roles, teams in DEMO_USERS:
        user = do_add_user(username, roles, teams, password=DEMO_PASSWORD, first_name=first, last_name=last,
                           email=f"{username}@example.com", is_superuser=username == "admin")
        users[username] = user
    return users


class _Simulation:
    """Plans each opportunity's path as steps; the steps run later in global time order."""

    PROCESS = "opportunity-management"

    def __init__(self, users: dict[str, User], rng: random.Random, now: datetime.datetime) -> None:
        self.users = users
        self.rng = rng
        self.now = now
        self.steps: list[Step] = []
        self.counter = 0

    def add(self, at: datetime.datetime, run: Callable[[], Any]) -> None:
        self.counter += 1
        self.steps.append(Step(at, self.counter, run))

    def plan(self, index: int) -> None:
        rng = self.rng
        owner = self.users[rng.choice(["kam", "kam", "kam2"])]
        head = self.users["head"]
        amount = round(rng.lognormvariate(11.3, 0.9) / 500) * 500 + 5000
        age = rng.uniform(5, 540) if rng.random() < 0.55 else rng.uniform(2, 100)
        start = self.now - datetime.timedelta(days=age, hours=rng.uniform(0, 8))
        holder: dict[str, int] = {}
        title = f"{rng.choice(SUBJECTS)} – {rng.choice(ACCOUNTS)}"
        account = title.split(" – ")[1]
        fields = {"title": title, "account": account, "amount": str(amount), "type": rng.choice(TYPES),
                  "close_date": (start + datetime.timedelta(days=rng.randint(60, 200))).date().isoformat()}
        if rng.random() < 0.08:
            fields["classification"] = "confidential"

        def rid() -> int:
            return holder["id"]

        def create() -> None:
            holder["id"] = services.do_create_record(self.PROCESS, owner, fields, at=start).pk

        self.add(start, create)
        clock = [start]

        def later(low: float, high: float) -> datetime.datetime:
            clock[0] = clock[0] + datetime.timedelta(days=rng.uniform(low, high), hours=rng.uniform(0, 6))
            return clock[0]

        def step(low: float, high: float, call: Callable[[datetime.datetime], Any]) -> bool:
            at = later(low, high)
            if at >= self.now:
                return False
            self.add(at, lambda: call(at))
            return True

        win_chance = {"qualification": 0.55, "solution_design": 0.7, "proposal": 0.75, "negotiation": 0.8}

        def lose(stage: str) -> None:
            if not step(1, 6, lambda at: services.do_complete_activity(rid(), owner, "customer_informed", at=at)):
                return
            step(0, 2, lambda at: services.do_set_fields(rid(), owner, {"lost_reason": rng.choice(LOST_REASONS)},
                                                          at=at))
            step(0, 1, lambda at: services.do_move(rid(), owner, "lost", at=at))

        # Qualification
        if not step(1, 8, lambda at: services.do_complete_activity(rid(), owner, "risk_analysis", at=at)):
            return
        if not step(1, 8, lambda at: services.do_complete_activity(rid(), owner, "customer_workshop", at=at)):
            return
        budget = str(int(amount * rng.uniform(1.0, 1.4)))
        decision_date = (start + datetime.timedelta(days=rng.randint(90, 240))).date().isoformat()
        if not step(0, 3, lambda at: services.do_set_fields(rid(), owner, {"budget": budget,
                                                                            "decision_date": decision_date}, at=at)):
            return
        if rng.random() < 0.1:
            if not step(0, 2, lambda at: services.do_set_probability(rid(), owner, 20, "Strong sponsor on customer side",
                                                                     at=at)):
                return
        if rng.random() > win_chance["qualification"]:
            lose("qualification")
            return
        decider = head
        if rng.random() < 0.15:
            if not step(0, 2, lambda at: services.do_delegate(rid(), head, owner.username, at=at)):
                return
            decider = owner
        if not step(2, 12, lambda at: services.do_move(rid(), decider, "solution_design", at=at)):
            return
        # Solution design
        if not step(1, 5, lambda at: services.do_set_fields(rid(), owner, {"bid_manager": "bidmanager"}, at=at)):
            return
        if not step(0, 2, lambda at: services.do_complete_activity(rid(), owner, "name_bid_manager", at=at)):
            return
        if not step(1, 10, lambda at: services.do_complete_activity(rid(), owner, "customer_needs", at=at)):
            return
        if not step(3, 20, lambda at: services.do_complete_activity(rid(), self.users["bidmanager"], "solution_design",
                                                                    at=at)):
            return
        if rng.random() > win_chance["solution_design"]:
            lose("solution_design")
            return
        if not step(1, 8, lambda at: services.do_move(rid(), decider, "proposal", at=at)):
            return
        # Proposal
        if not step(2, 10, lambda at: services.do_complete_activity(rid(), owner, "prepare_offer", at=at)):
            return
        approver = head if amount <= 250000 else self.users["director"]
        if amount <= 50000:
            approver = owner
        if not step(1, 5, lambda at: services.do_approve(rid(), approver, "offer", at=at)):
            return
        if not step(0, 3, lambda at: services.do_complete_activity(rid(), owner, "send_offer", at=at)):
            return
        if rng.random() > win_chance["proposal"]:
            lose("proposal")
            return
        if not step(0, 3, lambda at: services.do_move(rid(), owner, "negotiation", at=at)):
            return
        # Negotiation
        if not step(3, 20, lambda at: services.do_complete_activity(rid(), owner, "customer_feedback", at=at)):
            return
        if not step(3, 25, lambda at: services.do_complete_activity(rid(), head, "contract_negotiation", at=at)):
            return
        if rng.random() > win_chance["negotiation"]:
            lose("negotiation")
            return
        if not step(2, 15, lambda at: services.do_complete_activity(rid(), head, "contract_signed", at=at)):
            return
        if not step(0, 3, lambda at: services.do_complete_activity(rid(), self.users["support"], "final_offer", at=at)):
            return
        if rng.random() < 0.05:
            step(0, 2, lambda at: services.do_move(rid(), head, "won", override_reason="Customer signed early; "
                                                   "kick-off planned", at=at))
            return
        step(0, 2, lambda at: services.do_move(rid(), decider, "won", at=at))


def generate(opportunities: int = 120, seed: int = 7, now: datetime.datetime | None = None,
             progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Create the demo users and ``opportunities`` opportunities with their histories."""
    now = now or timezone.now().replace(minute=0, second=0, microsecond=0)
    rng = random.Random(seed)
    with transaction.atomic():
        users = create_users()
        simulation = _Simulation(users, rng, now)
        for index in range(opportunities):
            simulation.plan(index)
        steps = sorted(simulation.steps)
        for number, item in enumerate(steps, 1):
            item.run()
            if progress and number % 200 == 0:
                progress(number, len(steps))
    from salesflow.analytics.demo import add_demo_planning

    planning = add_demo_planning(now)  # quarterly team targets and the weekly forecast history
    return {"users": len(users), "opportunities": opportunities, "actions": len(steps), **planning}

"""Demo data of the "Create Offer" guideline: offers without an opportunity, started from account plans.

One offer is accepted (its order starts with the quote's lines), one is rejected with the customer's reason, one
waits in review after a revision that reduced its discount. The offers' steps draw from a random generator of
their own, so the rest of the demo's history (its random sequence and its moments) stays the same.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from salesflow.records.demo.timeline import Path, Ref, Simulation

PROCESS = "create-offer"
FATES = ("accepted", "rejected", "in_review")
REQUESTS = {
    "accepted": "Additional gateways and their installation for two further sites",
    "rejected": "Extension of the licences by 40 users",
    "in_review": "Spare parts and a maintenance package for the installed devices",
}


class OfferPath(Path):
    """A `Path` whose waits draw from the offers' own random generator."""

    def __init__(self, sim: Simulation, ref: Ref, start: datetime.datetime, rng: random.Random) -> None:
        super().__init__(sim, ref, start)
        self.rng = rng

    def wait(self, low: float, high: float) -> datetime.datetime:
        """Let ``low`` to ``high`` days (plus a few hours) pass."""
        self.clock = self.clock + datetime.timedelta(days=self.rng.uniform(low, high),
                                                     hours=self.rng.uniform(0.2, 6))
        if self.clock >= self.sim.now:
            self.alive = False
        return self.clock


def _rng(sim: Simulation) -> random.Random:
    rng = getattr(sim, "offer_rng", None)
    if rng is None:
        rng = random.Random(1931)
        sim.offer_rng = rng  # type: ignore[attr-defined]
    return rng


def _inputs(lines: list[tuple[str, int, int]]) -> list[Any]:
    from salesflow.quotes.services import LineInput

    return [LineInput(quantity=Decimal(quantity), sku=sku, discount=Decimal(discount))
            for sku, quantity, discount in lines]


def plan_offer(sim: Simulation, plan: Ref, owner: Any, start: datetime.datetime, account: str,
               customer: Any) -> None:
    """Plan the next offer of the demo (one per fate in `FATES`) from an account plan in execution."""
    done = sim.tally.get("offer", 0)
    if done >= len(FATES):
        return
    from salesflow.quotes import services
    from salesflow.records.demo.quotes import _approver, _lines, _total

    rng, fate = _rng(sim), FATES[done]
    head, support = sim.users["head"], sim.users["support"]
    ref = Ref()
    opened = start + datetime.timedelta(days=rng.uniform(2, 6))
    fields = {"title": f"Offer {opened:%Y-%m} – {account}", "customer_request": REQUESTS[fate]}
    if not sim.create(ref, opened, PROCESS, owner, fields, link_from=plan, customer=customer):
        return
    sim.count("offer")
    discount = 20 if fate == "in_review" else rng.choice([0, 5, 10])
    lines = _lines(rng, rng.uniform(15000, 45000), discount)
    language = rng.choice(["en", "de"])
    path = OfferPath(sim, ref, opened, rng)
    path.do(0, 0.2, lambda rid, at: services.do_create_quote(rid, owner, _inputs(lines), language=language, at=at),
            "offer quote")
    path.activity(owner, "prepare_offer", 0, 1)
    path.move(owner, "quotation", 0, 1)
    path.activity(support, "check_offer_data", 0, 2)
    path.fields(support, {"erp_quotation_number": f"QT-{40000 + done * 17}"}, 0, 1)
    path.move(support, "review", 0, 1)
    if fate == "in_review":
        reduced = [(sku, quantity, 10 if d else 0) for sku, quantity, d in lines]

        def revise(rid: int, at: datetime.datetime) -> None:
            quote = services.current_quote(rid)
            services.do_revise_quote(quote.pk, owner, _inputs(reduced),
                                     services.Terms(note="Discount reduced to 10 % after the review"), at=at)

        path.do(0.5, 2, revise, "revise offer quote")
        return
    path.activity(head, "review_offer", 0, 2)
    path.approve(_approver(sim, owner, _total(lines), discount), "offer", 0, 1)
    path.move(head, "approved", 0, 1)
    path.activity(owner, "send_offer", 0, 1)
    path.move(owner, "sent", 0, 0.5)
    accepted = fate == "accepted"
    reason = "" if accepted else "A competitor offered the licences at a lower price"

    def answer(rid: int, at: datetime.datetime) -> None:
        quote = services.current_quote(rid)
        services.do_answer(quote.pk, owner, accepted, reason, at=at)

    path.do(3, 12, answer, "offer answered")
    path.activity(owner, "customer_answer", 0, 1)
    if accepted:
        if path.move(head, "accepted", 0, 2):
            sim.count("offer_accepted")
        return
    path.fields(owner, {"rejection_reason": reason}, 0, 1)
    if path.move(owner, "rejected", 0, 1):
        sim.count("offer_rejected")
    path.activity(owner, "rejection_communicated", 0, 2)

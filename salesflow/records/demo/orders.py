"""Order histories, handed over by a won opportunity: created → confirmed → in fulfilment → delivered → invoiced.

Some orders change after confirmation: change control re-opens the review of requirements, which
the order manager does again before fulfilment goes on (ISO 9001 8.2.4).
"""

from __future__ import annotations

import datetime
from typing import Any

from salesflow.records.demo.timeline import Path, Ref, Simulation


def plan_order(sim: Simulation, ref: Ref, owner: Any, start: datetime.datetime, amount: float,
               change: bool | None = None, cancel: bool | None = None, skip_confirmation: bool | None = None) -> None:
    """Plan the order a won opportunity started at ``start`` (None: left to chance)."""
    rng = sim.rng
    users = sim.users
    support, backoffice, finance, head = users["support"], users["backoffice"], users["finance"], users["head"]
    change = rng.random() < 0.15 if change is None else change
    cancel = rng.random() < 0.04 if cancel is None else cancel
    skip_confirmation = (rng.random() < 0.06) if skip_confirmation is None else skip_confirmation
    path = Path(sim, ref, start)
    delivery = (start + datetime.timedelta(days=rng.randint(30, 90))).date()
    path.activity(support, "check_order_data", 0.1, 2)
    if rng.random() < 0.7:
        path.activity(finance, "credit_check", 0, 2)
    path.fields(support, {"delivery_date": delivery.isoformat(),
                          "customer_order_number": f"PO-{start.year}-{rng.randint(10000, 99999)}"}, 0, 1)
    if rng.random() < 0.12:
        path.stall(3)
    path.activity(backoffice, "requirements_review", 0.3, 3)
    path.activity(support, "erp_order", 0, 1)
    path.activity(support, "order_confirmation", 0, 1)
    if cancel:
        path.fields(owner, {"cancellation_reason": "Customer withdrew the order before confirmation (budget freeze)"},
                    1, 5)
        path.move(backoffice, "cancelled", 0, 1)
        path.activity(support, "cancellation_confirmed", 0, 2)
        sim.count("order_cancelled")
        return
    if skip_confirmation:
        path.move(head, "in_fulfilment", 0, 2, reason="Urgent delivery agreed with the customer; fulfilment planned "
                                                      "with the confirmation")
        sim.count("order_confirmation_skipped")
    else:
        path.move(backoffice, "confirmed", 0, 2)
        if change:
            new_delivery = delivery + datetime.timedelta(days=rng.randint(14, 45))
            new_amount = round(amount * rng.uniform(1.05, 1.25) / 500) * 500
            path.fields(owner, {"amount": str(new_amount), "delivery_date": new_delivery.isoformat()}, 1, 6)
            path.activity(backoffice, "requirements_review", 0.5, 3,
                          note="Changed scope and delivery date reviewed with fulfilment and finance")
            sim.count("order_changed")
        path.activity(backoffice, "plan_fulfilment", 0.5, 5)
        path.move(backoffice, "in_fulfilment", 0, 3)
    if rng.random() < 0.5:
        path.activity(owner, "progress_update", 5, 20)
    path.activity(users["internal"], "fulfilment", 10, 50)
    if rng.random() < 0.1:
        path.stall(60)
    path.move(backoffice, "delivered", 0, 2)
    path.activity(backoffice, "delivery_confirmed", 0, 2)
    path.activity(owner, "customer_acceptance", 1, 7)
    if rng.random() < 0.15:
        path.stall(14)
    path.fields(support, {"invoice_number": f"INV-{start.year}-{rng.randint(10000, 99999)}"}, 0, 2)
    path.activity(finance, "create_invoice", 0, 2)
    if path.move(backoffice, "invoiced", 0, 2):
        sim.count("order_invoiced")
    path.activity(finance, "payment_received", 14, 45)
    if rng.random() < 0.4:
        path.activity(owner, "satisfaction_check", 5, 30)

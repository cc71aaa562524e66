"""Demo data of the material catalogue: items of the three kinds, stock at three locations, requests in every stage.

Planned into the demo's `Simulation` (so every step runs through the services at its simulated moment, in
time order with the rest of the history): the catalogue and the opening stock about 13 months ago, a
stocktake adjustment, and material requests of the sales staff — distributed ones (each issuing its items
from stock; print runs booked as receipts before), a rejected one, open ones in every stage, one stalled
beyond its stage's time limit and one distribution that takes an item to its reorder level (the stock
keepers are notified).
"""

from __future__ import annotations

import datetime
from typing import Any

from salesflow.records.demo.timeline import Path, Ref, Simulation

#: The process the demo requests run in (the demo may name the default library's processes and stages).
PROCESS = "material-request"

#: (code, English name, German name, kind, unit, reorder level)
ITEMS = [
    ("APP-FORM", "Application form (pad of 50)", "Antragsformular (Block à 50)", "sales_kit", "pads", 40),
    ("BRO-PRODUCT", "Product brochure", "Produktbroschüre", "sales_kit", "pcs", 150),
    ("BRO-SERVICE", "Service brochure", "Servicebroschüre", "sales_kit", "pcs", 100),
    ("BAN-ROLLUP", "Roll-up banner", "Roll-up-Banner", "promotion", "pcs", 2),
    ("BAN-FAIR", "Trade fair banner 3 × 1 m", "Messebanner 3 × 1 m", "promotion", "pcs", 1),
    ("CAP-LOGO", "Cap with logo", "Kappe mit Logo", "representation", "pcs", 20),
    ("BADGE-NAME", "Name badge", "Namensschild", "representation", "pcs", 15),
    ("CARD-VISIT", "Visiting cards (box of 250)", "Visitenkarten (Schachtel à 250)", "representation", "boxes", 5),
]

#: Opening stock: (code, location, quantity)
OPENING = [
    ("APP-FORM", "Munich", 300), ("APP-FORM", "Hamburg", 180), ("APP-FORM", "Frankfurt", 120),
    ("BRO-PRODUCT", "Munich", 1200), ("BRO-PRODUCT", "Hamburg", 700), ("BRO-PRODUCT", "Frankfurt", 400),
    ("BRO-SERVICE", "Munich", 600), ("BRO-SERVICE", "Hamburg", 250),
    ("BAN-ROLLUP", "Munich", 8), ("BAN-ROLLUP", "Hamburg", 4),
    ("BAN-FAIR", "Munich", 3),
    ("CAP-LOGO", "Munich", 150), ("CAP-LOGO", "Hamburg", 45),
    ("BADGE-NAME", "Munich", 80), ("BADGE-NAME", "Frankfurt", 30),
    ("CARD-VISIT", "Munich", 40), ("CARD-VISIT", "Hamburg", 12),
]

#: Requests: (requester, days ago it starts, kind, items, location, purpose, stage it reaches, print run)
#: A print run (items and quantities) is received into stock before the distribution.
REQUESTS: list[tuple[str, int, str, str, str, str, str, str]] = [
    ("kam", 380, "sales_kit", "BRO-PRODUCT=250, APP-FORM=40", "Munich", "Spring trade fair", "distributed", ""),
    ("kam2", 340, "promotion", "BAN-ROLLUP=2", "Hamburg", "Partner day North", "distributed", "BAN-ROLLUP=2"),
    ("kam", 300, "representation", "CAP-LOGO=60, BADGE-NAME=20", "Munich", "Customer golf day", "distributed", ""),
    ("kam2", 270, "sales_kit", "BRO-SERVICE=120", "Hamburg", "Service campaign", "distributed",
     "BRO-SERVICE=200"),
    ("kam", 230, "representation", "CARD-VISIT=6", "Munich", "New sales staff", "distributed", ""),
    ("kam2", 200, "promotion", "BAN-FAIR=4", "Munich", "Large banner for every branch", "rejected", ""),
    ("kam", 170, "sales_kit", "APP-FORM=90, BRO-PRODUCT=300", "Frankfurt", "New channel partner", "distributed",
     "APP-FORM=100"),
    ("kam2", 130, "representation", "BADGE-NAME=12", "Frankfurt", "Partner onboarding", "distributed", ""),
    ("kam", 95, "sales_kit", "BRO-PRODUCT=400", "Hamburg", "Autumn mailing", "distributed", "BRO-PRODUCT=300"),
    ("kam2", 60, "representation", "CAP-LOGO=26", "Hamburg", "Regional sales meeting", "distributed", ""),
    ("kam", 45, "sales_kit", "BRO-SERVICE=80", "Munich", "Service days", "printed", "BRO-SERVICE=150"),
    ("kam2", 32, "promotion", "BAN-ROLLUP=1, BAN-FAIR=1", "Munich", "Industry congress", "designed", ""),
    ("kam", 20, "representation", "CARD-VISIT=4", "Hamburg", "New key account manager", "approved", ""),
    ("kam2", 6, "sales_kit", "APP-FORM=30", "Frankfurt", "Partner shop opening", "approved", ""),
    ("kam", 2, "promotion", "BAN-ROLLUP=1", "Hamburg", "Customer event", "requested", ""),
    ("kam2", 1, "sales_kit", "BRO-PRODUCT=150", "Frankfurt", "Trade fair autumn", "requested", ""),
]

ORDER = ["requested", "approved", "designed", "printed", "distributed"]


def _days_ago(sim: Simulation, days: float, hour: int = 9) -> datetime.datetime:
    day = (sim.now - datetime.timedelta(days=days)).date()
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC)


def plan_material(sim: Simulation) -> None:
    """Plan the catalogue, its stock and the material requests into ``sim``."""
    from salesflow.material import services

    ops = sim.users["ops"]
    start = _days_ago(sim, 400, 8)
    for code, name_en, name_de, kind, unit, level in ITEMS:
        sim.add(start, lambda c=code, e=name_en, d=name_de, k=kind, u=unit, r=level:
                services.do_add_item(ops, c, e, d, k, u, r, at=start), f"material item {code}")
    opening = start + datetime.timedelta(hours=2)
    for code, location, quantity in OPENING:
        sim.add(opening, lambda c=code, where=location, q=quantity:
                services.do_receive(ops, c, where, q, "opening stock", at=opening), f"receive {code}")
    stocktake = _days_ago(sim, 75, 16)
    sim.add(stocktake, lambda: services.do_adjust(ops, "BRO-PRODUCT", "Frankfurt",
                                                  "Stocktake: 12 brochures water-damaged", by=-12, at=stocktake),
            "stocktake")
    for request in REQUESTS:
        _plan_request(sim, *request)
        sim.count("material_request")


def _plan_request(sim: Simulation, requester: str, days: int, kind: str, items: str, location: str, purpose: str,
                  target: str, print_run: str) -> None:
    from salesflow.material import services

    users = sim.users
    ops, marketing, kam = users["ops"], users["marketing"], users[requester]
    at = _days_ago(sim, days, 10)
    ref = Ref()
    title = f"{purpose} ({location})"
    needed = (at + datetime.timedelta(days=30)).date().isoformat()
    sim.create(ref, at, PROCESS, kam, {"title": title, "material_kind": kind, "items": items, "location": location,
                                       "purpose": purpose, "needed_by": needed, "recipient": kam.display_name})
    path = Path(sim, ref, at)
    if target == "requested":
        return
    path.activity(ops, "check_request", 0.1, 0.8)
    if target == "rejected":
        path.fields(ops, {"rejection_reason": "Not within the material budget: one banner per region"}, 0.1, 0.5)
        path.decide(ops, "no", "one banner per region", 0.1, 0.3)
        path.move(ops, "rejected", 0.05, 0.2)
        return
    path.decide(ops, "yes", "", 0.1, 0.5)
    path.move(ops, "approved", 0.05, 0.3)
    if ORDER.index(target) < ORDER.index("designed"):
        return
    path.activity(marketing, "design", 1, 4)
    path.move(marketing, "designed", 0.1, 0.5)
    if days == 32:  # the congress banners wait for the printer beyond the stage's time limit
        path.stall(10)
    if ORDER.index(target) < ORDER.index("printed"):
        return
    path.activity(marketing, "order_printing", 0.2, 1)
    path.activity(marketing, "proof_approved", 0.5, 2)
    path.move(marketing, "printed", 1, 3)
    for code, quantity in services.parse_items(print_run) if print_run else []:
        path.do(0.1, 0.5, lambda _rid, moment, c=code, q=quantity: services.do_receive(
            ops, c, location, q, f"print run for {title}", at=moment), f"receive print run {code}")
    path.activity(ops, "receipt_booked", 0.1, 0.5)
    if target != "distributed":
        return
    path.move(ops, "distributed", 0.2, 1.5)
    path.activity(kam, "receipt_confirmed", 0.5, 2)


def demo_summary() -> dict[str, Any]:
    """Counts for the demo's summary line."""
    from salesflow.material.models import MaterialItem, StockMovement

    return {"material_items": MaterialItem.objects.count(), "stock_movements": StockMovement.objects.count()}

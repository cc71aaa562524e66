"""Demo data of products, quotes and orders: a catalogue of products and services, quotes on opportunities in
Proposal (some revised, some with discounts beyond the KAM's authority), sent offers, the customer's answers,
and the order lines the won ones hand over.

Planned into the demo's `Simulation` like every other step (services at their simulated moment). Few quotes
are made (the offer PDF is rendered when one is sent), so the demo start stays fast. The quote steps draw from a
random generator of their own and take place within hours of the step before them, so the rest of the demo's
history (its random sequence and its moments) is the same with or without them.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from salesflow.records.demo.timeline import Path, Simulation

#: At most this many opportunities of the demo carry a quote.
MAX_QUOTES = 14

#: (sku, English name, German name, unit, EUR list price, USD list price)
PRODUCTS = [
    ("LIC-CRM-BASIC", "CRM licence Basic (user/year)", "CRM-Lizenz Basic (Nutzer/Jahr)", "user", 480, 520),
    ("LIC-CRM-PRO", "CRM licence Pro (user/year)", "CRM-Lizenz Pro (Nutzer/Jahr)", "user", 960, 1040),
    ("LIC-CRM-ENT", "CRM licence Enterprise (user/year)", "CRM-Lizenz Enterprise (Nutzer/Jahr)", "user", 1680, 1820),
    ("LIC-ANALYTICS", "Analytics add-on (user/year)", "Analytics-Erweiterung (Nutzer/Jahr)", "user", 360, 390),
    ("LIC-PORTAL", "Partner portal (year)", "Partnerportal (Jahr)", "year", 12000, 13000),
    ("LIC-API", "API package 1 M calls (year)", "API-Paket 1 Mio. Aufrufe (Jahr)", "year", 6000, 6500),
    ("LIC-SSO", "Single sign-on connector (year)", "Single-Sign-On-Konnektor (Jahr)", "year", 2400, 2600),
    ("LIC-ARCHIVE", "Audit archive 1 TB (year)", "Revisionsarchiv 1 TB (Jahr)", "year", 3000, 3250),
    ("HW-GATEWAY", "Energy gateway", "Energie-Gateway", "pcs", 1450, 1580),
    ("HW-GATEWAY-XL", "Energy gateway XL", "Energie-Gateway XL", "pcs", 3900, 4200),
    ("HW-METER", "Smart meter module", "Smart-Meter-Modul", "pcs", 240, 260),
    ("HW-SENSOR", "Temperature sensor set", "Temperatursensor-Set", "set", 180, 195),
    ("HW-BATTERY-10", "Storage battery 10 kWh", "Batteriespeicher 10 kWh", "pcs", 6900, 7450),
    ("HW-INVERTER", "Hybrid inverter 8 kW", "Hybrid-Wechselrichter 8 kW", "pcs", 2300, 2480),
    ("HW-WALLBOX", "Wallbox 22 kW", "Wallbox 22 kW", "pcs", 1150, 1240),
    ("HW-RACK", "Server rack kit", "Serverrack-Bausatz", "pcs", 2750, 2970),
    ("HW-ROUTER", "Industrial LTE router", "Industrie-LTE-Router", "pcs", 690, 745),
    ("HW-DISPLAY", "Status display 24\"", "Statusdisplay 24\"", "pcs", 520, 560),
    ("SRV-CONSULT", "Consulting day", "Beratungstag", "day", 1400, 1500),
    ("SRV-ARCHITECT", "Solution architect day", "Lösungsarchitekt-Tag", "day", 1650, 1780),
    ("SRV-PM", "Project management day", "Projektmanagement-Tag", "day", 1250, 1350),
    ("SRV-DEV", "Development day", "Entwicklungstag", "day", 1150, 1240),
    ("SRV-INSTALL", "Installation on site (per device)", "Installation vor Ort (je Gerät)", "pcs", 320, 345),
    ("SRV-TRAINING", "Training day (up to 10 people)", "Schulungstag (bis 10 Personen)", "day", 1900, 2050),
    ("SRV-WORKSHOP", "Requirements workshop", "Anforderungsworkshop", "day", 2200, 2380),
    ("SRV-MIGRATION", "Data migration package", "Datenmigrationspaket", "pkg", 8500, 9200),
    ("SRV-AUDIT", "Security audit", "Sicherheitsaudit", "pkg", 7400, 8000),
    ("SRV-ONBOARD", "Onboarding package", "Onboarding-Paket", "pkg", 3600, 3900),
    ("SUP-STANDARD", "Support Standard (year)", "Support Standard (Jahr)", "year", 4800, 5200),
    ("SUP-PREMIUM", "Support Premium 24/7 (year)", "Support Premium 24/7 (Jahr)", "year", 11800, 12750),
    ("SUP-HW", "Hardware maintenance (device/year)", "Hardwarewartung (Gerät/Jahr)", "pcs", 95, 105),
    ("SUP-TAM", "Technical account manager (month)", "Technischer Account-Manager (Monat)", "month", 2900, 3130),
    ("HOST-SMALL", "Hosting Small (month)", "Hosting Small (Monat)", "month", 450, 490),
    ("HOST-LARGE", "Hosting Large (month)", "Hosting Large (Monat)", "month", 1350, 1460),
    ("HOST-BACKUP", "Off-site backup (month)", "Externe Datensicherung (Monat)", "month", 210, 230),
    ("TRV-FLAT", "Travel expenses (flat rate per visit)", "Reisekosten (Pauschale je Besuch)", "visit", 380, 410),
]

#: A price list of a framework agreement (EUR), valid for the demo's current year.
FRAMEWORK = {"LIC-CRM-PRO": 880, "SRV-CONSULT": 1290, "HW-GATEWAY": 1340}

#: Typical bundles of a deal: (sku, share of the deal's value)
BUNDLES = [
    [("LIC-CRM-PRO", 0.6), ("SRV-CONSULT", 0.25), ("SUP-STANDARD", 0.15)],
    [("HW-GATEWAY", 0.55), ("SRV-INSTALL", 0.15), ("SUP-HW", 0.05), ("SRV-PM", 0.25)],
    [("LIC-CRM-ENT", 0.5), ("SRV-MIGRATION", 0.2), ("SRV-TRAINING", 0.1), ("SUP-PREMIUM", 0.2)],
    [("HW-BATTERY-10", 0.6), ("HW-INVERTER", 0.25), ("SRV-INSTALL", 0.15)],
    [("LIC-PORTAL", 0.4), ("LIC-API", 0.2), ("SRV-DEV", 0.4)],
]


def plan_catalogue(sim: Simulation) -> None:
    """Sales Support imports the catalogue (list prices in EUR and USD, a framework price list) before the first deal."""
    at = sim.now - datetime.timedelta(days=1200)

    def run() -> None:
        from salesflow.products.services import ImportRow, import_rows

        rows = []
        for sku, name_en, name_de, unit, eur, usd in PRODUCTS:
            rows.append(ImportRow(0, sku, name_en, name_de, unit, Decimal(eur), "EUR"))
            rows.append(ImportRow(0, sku, name_en, name_de, unit, Decimal(usd), "USD"))
        year = sim.now.year
        names = {sku: (en, de, unit) for sku, en, de, unit, _eur, _usd in PRODUCTS}
        for sku, price in FRAMEWORK.items():
            en, de, unit = names[sku]
            rows.append(ImportRow(0, sku, en, de, unit, Decimal(price), "EUR", "FRAMEWORK-" + str(year),
                                  datetime.date(year, 1, 1), datetime.date(year, 12, 31)))
        import_rows(sim.users["support"], rows, "demo-catalogue.csv", at)

    sim.add(at, run, "product catalogue")


def _rng(sim: Simulation) -> random.Random:
    """The quote steps' own random generator (the demo's sequence stays untouched)."""
    rng = getattr(sim, "quote_rng", None)
    if rng is None:
        rng = random.Random(4217)
        sim.quote_rng = rng  # type: ignore[attr-defined]
    return rng


def _lines(rng: random.Random, amount: float, discount: int) -> list[tuple[str, int, int]]:
    """Lines of a bundle worth about ``amount``: (sku, quantity, discount)."""
    prices = {sku: eur for sku, _en, _de, _unit, eur, _usd in PRODUCTS}
    bundle = rng.choice(BUNDLES)
    lines = []
    for index, (sku, share) in enumerate(bundle):
        quantity = max(1, round(amount * share / prices[sku]))
        lines.append((sku, quantity, discount if index == 0 else 0))
    return lines


def _approver(sim: Simulation, owner: Any, total: float, discount: int) -> Any:
    """Who grants the offer approval: the higher authority of the amount band and the discount band."""
    rank = 0 if total <= 50000 else (1 if total <= 250000 else 2)
    rank = max(rank, 0 if discount <= 10 else (1 if discount <= 25 else 2))
    return [owner, sim.users["head"], sim.users["director"]][rank]


def _total(lines: list[tuple[str, int, int]]) -> float:
    prices = {sku: eur for sku, _en, _de, _unit, eur, _usd in PRODUCTS}
    return sum(quantity * prices[sku] * (100 - discount) / 100 for sku, quantity, discount in lines)


def _soon(sim: Simulation, path: Path, hours: float, run: Any, label: str) -> bool:
    """Plan ``run(record id, at)`` ``hours`` after the path's last step (before its next one, which waits at
    least a day); the path's clock and the demo's random sequence stay as they are."""
    at = path.clock + datetime.timedelta(hours=hours)
    if not path.alive or at >= sim.now:
        return False
    ref = path.ref
    sim.add(at, lambda: run(ref(), at), label)
    return True


def plan_quote(sim: Simulation, path: Path, owner: Any, amount: float, currency: str = "EUR") -> Any | None:
    """Plan a quote on an opportunity in Proposal (maybe revised); returns who approves its last version, or None
    when this opportunity carries no quote (most of them: the amount is approved as before)."""
    rng = _rng(sim)
    if currency != "EUR" or sim.tally.get("quote_created", 0) >= MAX_QUOTES or rng.random() > 0.35:
        return None
    from salesflow.quotes import services

    discount = rng.choice([0, 5, 10, 15, 20, 30])
    lines = _lines(rng, amount, discount)
    language = rng.choice(["en", "de"])

    def create(rid: int, at: datetime.datetime) -> None:
        services.do_create_quote(rid, owner, [services.LineInput(quantity=Decimal(q), sku=sku, discount=Decimal(d))
                                              for sku, q, d in lines], language=language, at=at)

    if not _soon(sim, path, 3, create, "quote"):
        return None
    sim.count("quote_created")
    if discount > 10 and rng.random() < 0.6:
        # the Head of Sales asks for a smaller discount: the KAM revises the quote (a new version to approve)
        lines = [(sku, quantity, 10 if d else 0) for sku, quantity, d in lines]

        def revise(rid: int, at: datetime.datetime) -> None:
            quote = services.current_quote(rid)
            services.do_revise_quote(quote.pk, owner, [services.LineInput(quantity=Decimal(q), sku=sku,
                                                                          discount=Decimal(d)) for sku, q, d in lines],
                                     services.Terms(note="Discount reduced to 10 % after the review"), at=at)

        if _soon(sim, path, 9, revise, "revise quote"):
            sim.count("quote_revised")
    return _approver(sim, owner, _total(lines), max(d for _sku, _q, d in lines))


def plan_answer(sim: Simulation, path: Path, owner: Any, accepted: bool, reason: str = "") -> None:
    """Plan the customer's answer to the sent offer (when the opportunity carries a quote), hours after the
    path's last step."""
    from salesflow.quotes import services

    def answer(rid: int, at: datetime.datetime) -> None:
        quote = services.current_quote(rid)
        if quote is not None and quote.status == "sent":
            services.do_answer(quote.pk, owner, accepted, reason, at=at)

    _soon(sim, path, 2, answer, "offer answered")

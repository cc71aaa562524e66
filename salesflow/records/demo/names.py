"""The names, subjects and reasons the demo draws from (all invented)."""

from __future__ import annotations

import re

#: Customers of the direct (sales-initiated) opportunities; some leads come from them again.
ACCOUNTS = [
    "Nordwind Energie", "Helios Utilities", "Blue Harbor Logistics", "Alpen Solar", "Rheinland Stadtwerke",
    "Baltic Grid Services", "Kappa Manufacturing", "Orion Facility Management", "Vega Housing Cooperative",
    "Atlas Retail Group", "Lumen Hospitals", "Delta Water Board", "Sigma Data Centres", "Terra Agrar",
    "Polaris Telecom", "Aurora Chemicals", "Meridian Ports", "Quarz Glaswerke", "Zenit Automotive",
    "Falke Airport Services",
]
#: Companies that first appear as leads.
PROSPECTS = [
    "Seewind Offshore", "Brückner Logistik", "Elbtal Kliniken", "Fjord Aqua Farms", "Granit Baustoffe",
    "Hanse Cold Storage", "Isar Mobility", "Jura Pharma", "Kiel Marine Services", "Lahn Papier",
    "Mosel Weinkellerei", "Neckar Textil", "Oder Chemiepark", "Pfalz Bäckereien", "Ruhr Stahlbau",
    "Saale Stadtwerke", "Taunus Rechenzentrum", "Ulm Gießerei", "Weser Fähren", "Zugspitz Hotels",
]
SUBJECTS = [
    "Energy management platform", "Smart metering roll-out", "Battery storage integration",
    "Fleet charging solution", "Grid monitoring", "Heat pump portfolio control", "PV park monitoring",
    "Demand response pilot", "Data platform licence", "Service contract extension",
]
FIRST_NAMES = ["Anna", "Ben", "Clara", "David", "Eva", "Felix", "Greta", "Hannes", "Ida", "Jonas", "Katrin", "Lukas",
               "Marie", "Nils", "Olivia", "Paul", "Rosa", "Simon", "Tina", "Uwe"]
LAST_NAMES = ["Albrecht", "Bauer", "Conrad", "Dietrich", "Engel", "Fischer", "Graf", "Hartmann", "Jung", "Keller",
              "Lorenz", "Möller", "Nowak", "Otto", "Peters", "Schmitt", "Thiel", "Vogt", "Werner", "Ziegler"]
JOB_TITLES = ["Head of Energy", "Procurement Manager", "CFO", "Technical Director", "Facility Manager",
              "Head of IT", "Managing Director", "Sustainability Officer"]
OPPORTUNITY_TYPES = ["new_business", "stabilisation", "cross_selling", "delivery_rate_increase", "new_product_launch"]
#: Why demo deals are lost: (choice of the library's lost_reason field, the words said), "other" with details.
LOST_REASONS = [("price", "Price"), ("price", "Price"), ("competitor", "Competitor chosen"),
                ("competitor", "Competitor chosen"), ("no_budget", "No budget"), ("postponed", "Project postponed"),
                ("requirements_not_met", "Requirements not met"), ("no_decision", "No decision by the customer"),
                ("other", "Customer merged with a competitor's customer"),
                ("other", "Funding programme ended")]
LEAD_SOURCES = ["web", "web", "event", "referral", "cold_call", "partner", "campaign", "campaign"]
STRATEGIES = ["stabilisation", "cross_selling", "delivery_rate_increase", "new_product_launch"]


def slug(name: str) -> str:
    """A company name as a domain label: ``Alpen Solar`` → ``alpen-solar``."""
    text = name.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def domain(name: str) -> str:
    """The invented web domain of a company."""
    return f"{slug(name)}.example"

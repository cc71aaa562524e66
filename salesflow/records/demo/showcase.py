"""Scripted chains every demo contains, whatever its size: each hand-off, outcome and deviation at least once.

- a trade-fair lead → opportunity with an awarded RFP → won → order changed after confirmation
  (review re-opened and done again) + contract with two document versions → renewal window →
  renewal opportunity won → contract renewed;
- an existing customer's opportunity → won → contract → renewal lost → contract terminated;
- tenders not awarded, declined (no bid) and one whose submission deadline was missed;
- a repeat customer's lead whose account the user picks on conversion; a disqualified and an open lead.
"""

from __future__ import annotations

from salesflow.records.demo.leads import LeadFate, plan_lead
from salesflow.records.demo.opportunities import Fate, plan_direct
from salesflow.records.demo.timeline import Simulation

SMOOTH_ORDER = {"change": False, "cancel": False, "skip_confirmation": False}


def plan_showcase(sim: Simulation) -> None:
    """Plan the scripted chains (ages in days before now)."""
    plan_lead(sim, 720, LeadFate(
        outcome="converted", company="Seewind Offshore", skip_contact=False, authority_override=False,
        opportunity=Fate(won=True, rfp="awarded", order={"change": True, "cancel": False, "skip_confirmation": False},
                         contract={"term_months": 12, "renewal": "renewed", "documents": True,
                                   "skip_negotiation": False})))
    plan_direct(sim, age=690, account="Nordwind Energie", fate=Fate(
        won=True, skip_design=False, order=SMOOTH_ORDER,
        contract={"term_months": 12, "renewal": "terminated", "documents": True, "skip_negotiation": False}))
    plan_direct(sim, age=320, account="Helios Utilities", fate=Fate(rfp="not_awarded"))
    plan_direct(sim, age=250, account="Meridian Ports", fate=Fate(rfp="declined"))
    plan_direct(sim, age=170, account="Lumen Hospitals", fate=Fate(rfp="missed"))
    plan_lead(sim, 430, LeadFate(outcome="converted", company="Nordwind Energie Services",
                                 pick_account="Nordwind Energie", skip_contact=False, authority_override=True,
                                 opportunity=Fate(won=True, order=SMOOTH_ORDER)))
    plan_lead(sim, 90, LeadFate(outcome="disqualified"))
    plan_lead(sim, 5, LeadFate(outcome="open"))

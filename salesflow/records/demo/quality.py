"""The supporting processes of sales process management in the demo: pre-sales requests, nonconformities in
every state, the audit programme of the last twelve months, the risk register and one management review.

Planned like the sales chain (steps at simulated moments through the real services), after it: pre-sales
requests start from opportunities and a complaint from an order that exist by then; the management review
is held three weeks before "now", so its frozen inputs see the history up to that day.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from salesflow.records.demo.timeline import Path, Ref, Simulation
from salesflow.records.models import Record

PRESALES = "presales-support"
NONCONFORMITY = "nonconformity"
AUDIT = "internal-audit"
REVIEW = "management-review"

#: Stages a nonconformity passes, in order, with what each step needs.
NC_STAGES = ["reported", "analysed", "action_planned", "implemented", "verified", "closed"]

#: (age in days, title, description, source, final stage)
NONCONFORMITIES = [
    (300, "Partner quoted a price below the published list", "A partner offered a 20 % discount nobody approved.",
     "manual", "closed"),
    (240, "Order confirmed before the review of requirements", "The confirmation went out before the delivery date "
     "was checked with fulfilment.", "manual", "verified"),
    (150, "Offer sent without the Head of Sales' approval", "An offer above the KAM's competence left without its "
     "approval.", "manual", "implemented"),
    (75, "Outdated brochure handed to a customer", "The 2023 brochure with the old warranty terms was used.",
     "manual", "action_planned"),
    (40, "Visit report missing after a customer meeting", "No visit report for three meetings in a row.",
     "manual", "analysed"),
    (8, "Lead not contacted within the agreed time", "A trade-fair lead waited 12 days for the first call.",
     "manual", "reported"),
    (120, "Duplicate report of a late delivery", "Reported twice; the first report is handled.", "manual", "rejected"),
]

#: (age of the planned date in days (negative: ahead), audited process, auditee, final stage, result)
AUDITS = [
    (300, "lead-management", "kam2", "closed", "conforming"),
    (210, "opportunity-management", "kam", "closed", "minor_findings"),
    (120, "order-management", "backoffice", "closed", "major_findings"),
    (30, "contract-management", "kam2", "conducted", "minor_findings"),
    (-40, "account-management", "kam", "planned", ""),
]

#: (title, process, kind, likelihood, impact, treatment, status)
RISKS = [
    ("Channel partners misrepresent prices and terms", "opportunity-management", "risk", 4, 4,
     "Quarterly mystery shopping; partner training on the price list", "open"),
    ("Key account managers leave with customer knowledge", "account-management", "risk", 2, 5,
     "Account plans and contacts kept in Salesflow; deputies named", "treated"),
    ("Tender deadlines missed", "rfp-procedure", "risk", 3, 4, "Deadline reminders 14 and 3 days before", "treated"),
    ("Order confirmed without capacity check", "order-management", "risk", 3, 3,
     "Review of requirements is a required gate", "open"),
    ("Framework agreements expiring unnoticed", "contract-management", "risk", 2, 4,
     "Renewal window opens a renewal opportunity 120 days before", "closed"),
    ("Cross-selling to the installed base", "account-management", "opportunity", 4, 3,
     "Account plans with a cross-selling strategy", "open"),
]


def _moment(sim: Simulation, age: float) -> datetime.datetime:
    return sim.now - datetime.timedelta(days=age)


def _pick(process: str, owner: Any, at: datetime.datetime, index: int) -> Callable[[], int | None]:
    """At run time: the ``index``-th record (modulo) of ``process`` owned by ``owner`` created before ``at``."""
    def resolve() -> int | None:
        ids = list(Record.objects.filter(process__key=process, owner=owner, created_at__lt=at)
                   .order_by("id").values_list("id", flat=True))
        return ids[index % len(ids)] if ids else None
    return resolve


def plan_quality(sim: Simulation) -> None:
    """Plan every supporting process's demo records (ages relative to now)."""
    _plan_risks(sim)
    for index, (age, title, description, source, final) in enumerate(NONCONFORMITIES):
        _plan_nonconformity(sim, _moment(sim, age), title, description, source, final, index)
    _plan_complaint(sim)
    for age, process, auditee, final, result in AUDITS:
        _plan_audit(sim, age, process, auditee, final, result)
    _plan_presales(sim)
    _plan_review(sim)


def _plan_risks(sim: Simulation) -> None:
    from salesflow.risks.services import do_add_risk

    quality = sim.users["quality"]
    for index, (title, process, kind, likelihood, impact, treatment, status) in enumerate(RISKS):
        at = _moment(sim, 330 - index * 9)
        values = {"title": title, "process": process, "kind": kind, "likelihood": likelihood, "impact": impact,
                  "treatment": treatment, "status": status,
                  "review_date": (sim.now + datetime.timedelta(days=60 + index * 15)).date().isoformat()}
        sim.add(at, lambda values=values, at=at: do_add_risk(quality, values, at=at), f"risk {title}")
        sim.count("risk_entry")


def _plan_nonconformity(sim: Simulation, start: datetime.datetime, title: str, description: str, source: str,
                        final: str, index: int, link_from: Callable[[], int | None] | None = None,
                        creator: Any = None) -> Ref:
    users = sim.users
    quality, head, ops = users["quality"], users["head"], users["ops"]
    ref = Ref()
    fields = {"title": title, "description": description, "source": source,
              "severity": "major" if index % 3 == 1 else "minor"}
    link = Ref(link_from) if link_from is not None else None
    if not sim.create(ref, start, NONCONFORMITY, creator or quality, fields, link_from=link):
        return ref
    sim.count(f"nonconformity_{final}")
    path = Path(sim, ref, start)
    if final == "rejected":
        path.fields(quality, {"rejection_reason": "Duplicate of an earlier report"}, 0.5, 2)
        path.move(quality, "rejected", 0, 1)
        return ref
    reach = NC_STAGES.index(final)
    path.activity(quality, "assess_nonconformity", 0.2, 2)
    if reach >= 1:
        path.move(quality, "analysed", 0, 1)
        path.activity(quality, "root_cause_analysis", 1, 4)
        path.fields(quality, {"root_cause": "Rule not known to everyone concerned; no reminder in the process"}, 0, 1)
    if reach >= 2:
        path.move(quality, "action_planned", 0, 1)
        path.fields(quality, {"corrective_action": "Briefing of the team; the check made a required activity",
                              "action_due": (path.clock + datetime.timedelta(days=25)).date().isoformat()}, 0.5, 3)
        path.activity(head, "approve_action", 0.5, 3)
    if reach >= 3:
        path.move(quality, "implemented", 0, 1)
        path.activity(ops, "implement_action", 3, 15)
    if reach >= 4:
        path.move(quality, "verified", 0, 1)
    if reach >= 5:
        path.fields(quality, {"effectiveness": "Follow-up checks over two months found no recurrence"}, 20, 40)
        path.activity(quality, "verify_effectiveness", 0, 1)
        path.move(quality, "closed", 0, 1)
    return ref


def _plan_complaint(sim: Simulation) -> None:
    """A customer complaint on an order of Kai Becker's, started from the order."""
    kam = sim.users["kam"]
    at = _moment(sim, 55)
    _plan_nonconformity(sim, at, "Customer complaint: delivery incomplete", "The customer received 8 of 10 units "
                        "and was not told about the rest.", "complaint", "action_planned", 3,
                        link_from=_pick("order-management", kam, at, 0), creator=kam)


def _plan_audit(sim: Simulation, age: float, process: str, auditee: str, final: str, result: str) -> None:
    users = sim.users
    quality, head = users["quality"], users["head"]
    planned = _moment(sim, age)
    start = min(planned - datetime.timedelta(days=45), _moment(sim, 340))
    start = max(start, _moment(sim, 360))
    ref = Ref()
    year = _moment(sim, 150).year  # the programme of the twelve months around it
    fields = {"title": f"Internal audit {year}: {process}", "programme_year": str(year),
              "audited_process": process, "auditor": "quality", "auditee": auditee,
              "planned_date": planned.date().isoformat()}
    if not sim.create(ref, start, AUDIT, quality, fields):
        return
    sim.count(f"audit_{final}")
    path = Path(sim, ref, start)
    path.activity(head, "approve_programme", 1, 5)
    if final == "planned":
        return
    path.until(planned - datetime.timedelta(days=20))
    path.move(quality, "prepared", 0, 1)
    path.activity(quality, "select_samples", 1, 5)
    path.until(planned)
    path.move(quality, "conducted", 0, 1)
    path.activity(quality, "conduct_audit", 0, 1)
    findings = {"conforming": "No findings.",
                "minor_findings": "Two records without visit reports; one stage over its time limit.",
                "major_findings": "Orders confirmed before the review of requirements (3 of 10 samples)."}[result]
    path.fields(quality, {"findings": findings, "result": result}, 0.5, 3)
    if final == "conducted":
        return
    path.move(quality, "reported", 1, 5)
    path.activity(quality, "report_findings", 0, 2)
    if result != "conforming":
        at = path.clock + datetime.timedelta(hours=2)
        _plan_nonconformity(sim, at, f"Audit finding: {process}", findings, "internal_audit",
                            "verified" if result == "major_findings" else "implemented", 4,
                            link_from=lambda: ref())
    path.move(quality, "closed", 2, 10)


def _plan_presales(sim: Simulation) -> None:
    """Pre-sales requests from opportunities of both KAMs, in every state."""
    users = sim.users
    ops, engineer = users["ops"], users["presales"]
    plans = [(200, "kam", "delivered", "demonstration"), (130, "kam2", "delivered", "solution_design"),
             (60, "kam", "declined", "proof_of_concept"), (21, "kam2", "in_progress", "technical_clarification"),
             (9, "kam", "accepted", "questionnaire"), (2, "kam2", "requested", "demonstration")]
    for index, (age, owner_name, final, kind) in enumerate(plans):
        owner = users[owner_name]
        start = _moment(sim, age)
        ref = Ref()
        fields = {"title": f"Pre-sales support: {kind.replace('_', ' ')}", "request_type": kind,
                  "request_details": "Customer asks for a session with our technical expert on integration and "
                                     "sizing.",
                  "needed_by": (start + datetime.timedelta(days=14)).date().isoformat()}
        if not sim.create(ref, start, PRESALES, owner, fields,
                          link_from=Ref(_pick("opportunity-management", owner, start, index))):
            continue
        sim.count(f"presales_{final}")
        path = Path(sim, ref, start)
        path.fields(ops, {"presales_engineer": "presales"}, 0.1, 1)
        path.activity(ops, "assign_engineer", 0, 0.5)
        if final == "requested":
            continue
        if final == "declined":
            path.fields(engineer, {"decline_reason": "No capacity before the date needed; partner engineer "
                                                     "proposed"}, 0.5, 2)
            path.move(engineer, "declined", 0, 1)
            continue
        path.move(engineer, "accepted", 0.2, 2)
        path.activity(engineer, "clarify_scope", 0.5, 2)
        if final == "accepted":
            continue
        path.move(engineer, "in_progress", 0, 1)
        if final == "in_progress":
            continue
        path.activity(engineer, "deliver_support", 2, 9)
        path.fields(engineer, {"result_summary": "Demonstration held with the customer's IT; sizing sent."}, 0, 1)
        path.move(owner, "delivered", 0, 2)
        path.activity(owner, "confirm_delivery", 0, 2)


def _plan_review(sim: Simulation) -> None:
    """One management review, held three weeks ago: inputs frozen, decisions and actions recorded."""
    from salesflow.risks.models import RiskEntry
    from salesflow.risks.services import do_review_risk

    users = sim.users
    quality, head = users["quality"], users["head"]
    start = _moment(sim, 35)
    ref = Ref()
    held = _moment(sim, 21)
    fields = {"title": f"Management review {held.year} (sales processes)",
              "review_date": held.date().isoformat(),
              "participants": "Helena Hoffmann (Head of Sales), Dana Richter (Managing Director), "
                              "Quentin Vogel (Sales process quality)"}
    if not sim.create(ref, start, REVIEW, quality, fields):
        return
    sim.count("management_review")
    path = Path(sim, ref, start)
    path.activity(quality, "prepare_agenda", 1, 4)
    path.until(held)
    path.move(quality, "in_review", 0, 0.1)
    path.activity(head, "review_inputs", 0.05, 0.1)
    path.activity(head, "review_risks", 0.01, 0.05)

    def review_risks(_record_id: int, at: datetime.datetime) -> None:
        for risk in RiskEntry.objects.exclude(status="closed").order_by("id"):
            do_review_risk(risk.pk, quality, note="Reviewed in the management review", at=at)
    path.do(0.01, 0.05, review_risks, "review risks")
    path.fields(head, {"decisions": "Mystery shopping of partners every quarter; brochure stock reviewed monthly; "
                                    "one more pre-sales engineer from Q3."}, 0.01, 0.1)
    path.move(quality, "decided", 0, 0.1)
    path.fields(quality, {"actions": "Quentin Vogel: quarterly mystery-shopping plan (end of month)\n"
                                     f"Olga Neumann: monthly brochure stock check ({(held + datetime.timedelta(days=45)).date()})\n"
                                     "Helena Hoffmann: request for a pre-sales engineer (Q3)"}, 0.1, 1)
    path.activity(quality, "assign_actions", 0.5, 2)

    def actions_to_tasks(record_id: int, at: datetime.datetime) -> None:
        from salesflow.quality.review_actions import do_actions_to_tasks

        do_actions_to_tasks(record_id, quality, now=at)
    path.do(0.01, 0.1, actions_to_tasks, "review actions become tasks")
    if path.alive:
        _plan_nonconformity(sim, path.clock + datetime.timedelta(hours=3), "Review action: brochure stock out of date",
                            "The management review found outdated material in circulation.", "management_review",
                            "action_planned", 5, link_from=lambda: ref())

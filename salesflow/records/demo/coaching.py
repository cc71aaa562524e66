"""Demo data of sales process management: channel partners with tiers, regions and people, who manages whom,
mystery-shopping and satisfaction assessments over two years with a visible trend, 1:1 meetings with agreed
actions, and the partner-sourced leads.

Everything goes through the services (events in the chain) at simulated times; the generator has its own seed,
so the rest of the demo plans exactly what it planned before.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from salesflow.accounts.models import Account, Contact, normalise_name
from salesflow.accounts.partners import do_attribute_lead, do_set_partner
from salesflow.coaching.models import Action
from salesflow.coaching.services import AgreedAction, do_complete_action, do_hold_meeting, do_set_manager
from salesflow.process.checklist import QuestionType
from salesflow.quality.services import checklist_definition, do_assess, get_checklist
from salesflow.records.demo.timeline import Simulation

#: (name, tier, region, quality: how well the partner represents us at the start, improvement over two years,
#: people: (first, last, title))
PARTNERS: list[tuple[str, str, str, float, float, list[tuple[str, str, str]]]] = [
    ("Fachhandel Nord GmbH", "Gold", "North", 0.78, 0.15, [("Jens", "Petersen", "Managing director"),
                                                           ("Anke", "Hansen", "Sales")]),
    ("Systemhaus Süd AG", "Silver", "South", 0.62, 0.25, [("Markus", "Huber", "Head of sales")]),
    ("Rhein IT Partner KG", "Silver", "West", 0.70, 0.05, [("Petra", "Schmitz", "Account manager")]),
    ("Elbe Solutions GmbH", "Bronze", "East", 0.55, 0.30, [("Tom", "Richter", "Owner"),
                                                          ("Nina", "Krause", "Presales")]),
]
#: Who manages whom (person → manager) in the demo.
MANAGERS = {"kam": "head", "kam2": "head", "support": "head", "head": "director"}
#: (person, manager, mean days between 1:1s): Kai is met on cadence, Lena and Sara less often.
ONE_TO_ONES = [("kam", "head", 14), ("kam2", "head", 24), ("support", "head", 30)]
ACTIONS = ["Update the close dates of the open opportunities", "Prepare the account plan review",
           "Book the customer workshop", "Follow up the stalled RFP", "Complete the product training",
           "Call back the partner-sourced leads"]
NOTES = ["Pipeline review and next steps.", "Went through the stalled records.", "Coaching on discovery questions.",
         "Reviewed the last ride-along.", "Forecast and close dates discussed."]
DAYS = 730


def _answers(definition: Any, quality: float, rng: random.Random) -> dict[str, Any]:
    """Answers around ``quality`` (0..1): the better the subject, the more yes; critical questions are kept."""
    answers: dict[str, Any] = {}
    for question in definition.questions():
        level = min(0.98, max(0.05, quality + rng.uniform(-0.2, 0.2)))
        if question.na and rng.random() < 0.08:
            answers[question.id] = "na"
        elif question.type == QuestionType.scale:
            answers[question.id] = 1 + round(level * (question.scale - 1))
        elif question.critical:
            answers[question.id] = "yes"
        elif question.type == QuestionType.yes_no_partial:
            answers[question.id] = "yes" if level > 0.7 else ("partial" if level > 0.4 else "no")
        else:
            answers[question.id] = "yes" if rng.random() < level else "no"
    return answers


def _day(at: datetime.datetime) -> datetime.date:
    return at.astimezone(datetime.UTC).date()


def _assess(sim: Simulation, at: datetime.datetime, checklist: str, subject: Any, quality: float,
            rng: random.Random) -> None:
    definition = checklist_definition(get_checklist(checklist))
    answers = _answers(definition, quality, rng)

    def run() -> None:
        value = subject() if callable(subject) else subject
        if value:
            do_assess(checklist, sim.users["quality"], value, answers, date=_day(at), at=at)
            sim.count(f"assessment {checklist}")

    sim.add(at, run, f"assess {checklist}")


def _partners(sim: Simulation, start: datetime.datetime) -> list[tuple[Account, float, float]]:
    found = []
    for name, tier, region, quality, gain, people in PARTNERS:
        account = Account.objects.create(name=name, created_at=start, domain=normalise_name(name).split()[0] + ".example")
        do_set_partner(account, tier, region, by=sim.users["ops"], at=start)
        for first, last, title in people:
            Contact.objects.create(account=account, first_name=first, last_name=last, title=title, created_at=start,
                                   email=f"{first.lower()}.{last.lower()}@{account.domain}")
        found.append((account, quality, gain))
    return found


def plan_coaching(sim: Simulation, seed: int) -> dict[str, int]:
    """Plan partners, managers, assessments and 1:1s into the simulation (partners and managers at once)."""
    rng = random.Random(seed * 15 + 1)
    now = sim.now
    start = now - datetime.timedelta(days=DAYS)
    partners = _partners(sim, start)
    for person, manager in MANAGERS.items():
        do_set_manager(sim.users[person], sim.users[manager])
    # mystery shopping of every partner each quarter, of the own sales force twice a year; satisfaction yearly
    for quarter in range(8):
        base = start + datetime.timedelta(days=91 * quarter + 20)
        progress = quarter / 7
        for number, (account, quality, gain) in enumerate(partners):
            at = base + datetime.timedelta(days=rng.randint(0, 40), hours=10 + number)
            _assess(sim, at, "partner-mystery-shopping", f"partner:{account.pk}", quality + gain * progress, rng)
            if quarter % 2 == 1:
                _assess(sim, at + datetime.timedelta(days=5), "channel-satisfaction", f"partner:{account.pk}",
                        quality + gain * progress * 0.8 + 0.05, rng)
        if quarter % 2 == 0:
            for number, person in enumerate(("kam", "kam2")):
                at = base + datetime.timedelta(days=rng.randint(30, 60), hours=9 + number)
                _assess(sim, at, "sales-force-mystery-shopping", f"user:{person}",
                        0.66 + 0.08 * number + 0.2 * progress, rng)
    for name, (first_use, _won, _owner) in sorted(sim.accounts.items())[:12]:
        first = max(first_use, start) + datetime.timedelta(days=rng.randint(30, 90))
        while first < now - datetime.timedelta(days=1):
            progress = (first - start) / datetime.timedelta(days=DAYS)
            _assess(sim, first, "customer-satisfaction",
                    lambda name=name: next((f"account:{pk}" for pk in Account.objects.filter(
                        normalised_name=normalise_name(name)).values_list("pk", flat=True)[:1]), None),
                    0.6 + 0.25 * progress, rng)
            first += datetime.timedelta(days=rng.randint(150, 220))
    meetings = _plan_one_to_ones(sim, rng)
    return {"partners": len(partners), "one_to_ones": meetings}


def _plan_one_to_ones(sim: Simulation, rng: random.Random) -> int:
    planned = 0
    for person, manager, every in ONE_TO_ONES:
        at = sim.now - datetime.timedelta(days=200 - rng.randint(0, 10))
        while at < sim.now - datetime.timedelta(days=1):
            day = _day(at)
            actions = [AgreedAction(rng.choice(ACTIONS), day + datetime.timedelta(days=rng.randint(5, 21)))
                       for _ in range(rng.randint(0, 2))]
            held: dict[str, int] = {}

            def run(person: str = person, manager: str = manager, at: datetime.datetime = at,
                    actions: list[AgreedAction] = actions, held: dict[str, int] = held,
                    note: str = rng.choice(NOTES)) -> None:
                meeting = do_hold_meeting(sim.users[manager], sim.users[person], _day(at), note, actions, at=at)
                held["meeting"] = meeting.pk

            for index, action in enumerate(actions):
                finish = datetime.datetime.combine(action.due, datetime.time(15), tzinfo=datetime.UTC) \
                    - datetime.timedelta(days=rng.randint(0, 4))
                if rng.random() < 0.8 and at < finish < sim.now:
                    sim.add(finish, lambda index=index, held=held, who=person, finish=finish: do_complete_action(
                        Action.objects.filter(meeting_id=held["meeting"]).order_by("id")[index].pk, sim.users[who],
                        at=finish), f"1:1 action done by {person}")
            sim.add(at, run, f"1:1 {manager} with {person}")
            planned += 1
            at += datetime.timedelta(days=max(5, every + rng.randint(-4, 4)), hours=rng.randint(-2, 2))
    return planned


def attribute_partner_leads(sim: Simulation) -> int:
    """Attribute the leads whose source is a partner to the demo partners, in turn (after the simulation ran)."""
    from salesflow.records.models import Record

    partners = list(Account.objects.filter(kind=Account.PARTNER).order_by("id"))
    if not partners:
        return 0
    leads = Record.objects.filter(values__source="partner").order_by("id")
    for number, record in enumerate(leads):
        do_attribute_lead(record, partners[number % len(partners)], by=sim.users["ops"],
                          at=record.created_at + datetime.timedelta(hours=1))
    return leads.count()

"""The simulation behind the demo: every record's path is planned first, then all steps run in time order.

Planning is deterministic (one seeded random generator, consumed in a fixed order); running calls
the real services with ``at=`` the simulated moment, so the history passes the real gates and the
event log verifies. Records created by a hand-off exist only once the simulation has run up to the
hand-off: a `Ref` names such a record and finds its id when a step needs it.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from salesflow.engine.errors import EngineError
from salesflow.records import services
from salesflow.records.models import RecordLink

#: When the nightly job runs on a simulated day (UTC).
JOB_HOUR = 2


class DemoStepFailed(RuntimeError):
    """A planned step was refused by the services: the plan does not fit the process library."""


@dataclass(order=True)
class Step:
    """One action of the simulated history, executed in time order."""

    at: datetime.datetime
    order: int
    run: Callable[[], Any] = field(compare=False)
    label: str = field(default="", compare=False)


class Ref:
    """A record's id, known once the step that creates it has run."""

    def __init__(self, resolve: Callable[[], int] | None = None) -> None:
        self._id: int | None = None
        self._resolve = resolve

    def set(self, pk: int) -> None:
        """Remember the id of the record just created."""
        self._id = pk

    def __call__(self) -> int:
        if self._id is None:
            if self._resolve is None:
                raise DemoStepFailed("a step refers to a record that was not created yet")
            self._id = self._resolve()
        return self._id

    @staticmethod
    def handed_off(source: Ref, handoff: str) -> Ref:
        """The record the hand-off ``handoff`` of ``source`` started."""
        return Ref(lambda: RecordLink.objects.get(source_id=source(), handoff=handoff).target_id)


class Simulation:
    """The plan: users, the random generator, the steps and the days the nightly job must run."""

    def __init__(self, users: dict[str, Any], rng: random.Random, now: datetime.datetime) -> None:
        self.users = users
        self.rng = rng
        self.now = now
        self.steps: list[Step] = []
        self.counter = 0
        self.job_days: set[datetime.date] = set()
        #: account name → (first planned use, planned won revenue, owner user name)
        self.accounts: dict[str, list[Any]] = {}
        #: what the plan produced, by kind (for the summary and for forcing variety)
        self.tally: dict[str, int] = {}

    def count(self, kind: str, by: int = 1) -> None:
        """Count a planned outcome (e.g. ``rfp_awarded``)."""
        self.tally[kind] = self.tally.get(kind, 0) + by

    def add(self, at: datetime.datetime, run: Callable[[], Any], label: str = "") -> None:
        """Plan ``run`` at the moment ``at``."""
        self.counter += 1
        self.steps.append(Step(at, self.counter, run, label))

    def create(self, ref: Ref, at: datetime.datetime, process: str, user: Any, fields: dict[str, Any],
               link_from: Ref | None = None, customer: Callable[[], int | None] | None = None) -> bool:
        """Plan the creation of a record (``fields`` is read when the step runs); False when ``at`` is not past."""
        if at >= self.now:
            return False

        def run() -> None:
            kwargs: dict[str, Any] = {}
            if link_from is not None:
                kwargs["link_from"] = link_from()
            if customer is not None:
                kwargs["customer_id"] = customer()
            ref.set(services.do_create_record(process, user, dict(fields), at=at, **kwargs).pk)

        self.add(at, run, f"create {process} {fields.get('title', '')}")
        return True

    def note_account(self, name: str, at: datetime.datetime, owner: str, won: float = 0) -> None:
        """Remember that the plan uses an account (and revenue it wins), for the account plans."""
        entry = self.accounts.setdefault(name, [at, 0.0, owner])
        entry[0] = min(entry[0], at)
        entry[1] += won

    def job_after(self, moment: datetime.datetime, day: datetime.date | None = None) -> datetime.datetime:
        """Plan a run of the nightly job on ``day`` or later, after ``moment``; returns when it runs."""
        first = max(day or moment.date(), moment.date())
        run_at = job_time(first)
        if run_at <= moment:
            run_at = job_time(first + datetime.timedelta(days=1))
        if run_at < self.now:
            self.job_days.add(run_at.date())
        return run_at

    def run(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Execute every planned step (and the nightly job on every planned day) in time order."""
        from salesflow.records.chain import do_run_schedules

        for day in sorted(self.job_days):
            at = job_time(day)
            self.add(at, lambda day=day, at=at: do_run_schedules(day, at), f"job {day}")
        steps = sorted(self.steps)
        for number, item in enumerate(steps, 1):
            try:
                item.run()
            except EngineError as error:
                raise DemoStepFailed(f"demo step {item.label!r} at {item.at:%Y-%m-%d %H:%M} refused: "
                                     f"{error.message}") from error
            if progress and number % 500 == 0:
                progress(number, len(steps))
        return len(steps)


def job_time(day: datetime.date) -> datetime.datetime:
    """The moment the nightly job runs on ``day``."""
    return datetime.datetime.combine(day, datetime.time(JOB_HOUR), tzinfo=datetime.UTC)


class Path:
    """One record's planned history: a clock that moves on with every step.

    Once a step would fall after "now", the path stops: the record stays where it is (open work).
    """

    def __init__(self, sim: Simulation, ref: Ref, start: datetime.datetime) -> None:
        self.sim = sim
        self.ref = ref
        self.clock = start
        self.alive = start < sim.now

    def wait(self, low: float, high: float) -> datetime.datetime:
        """Let ``low`` to ``high`` days (plus a few hours) pass."""
        rng = self.sim.rng
        self.clock = self.clock + datetime.timedelta(days=rng.uniform(low, high), hours=rng.uniform(0.2, 6))
        if self.clock >= self.sim.now:
            self.alive = False
        return self.clock

    def until(self, moment: datetime.datetime) -> None:
        """Wait until ``moment`` (when the clock is earlier)."""
        if moment > self.clock:
            self.clock = moment
        if self.clock >= self.sim.now:
            self.alive = False

    def stall(self, max_days: int) -> None:
        """Stay in the stage longer than its ``max_days`` (a process-adherence finding)."""
        self.wait(max_days * 1.1, max_days * 1.9)

    def do(self, low: float, high: float, call: Callable[[int, datetime.datetime], Any], label: str) -> bool:
        """Plan ``call(record id, at)`` after a wait; False (and the path stops) when that is not in the past."""
        if not self.alive:
            return False
        at = self.wait(low, high)
        if not self.alive:
            return False
        ref = self.ref
        self.sim.add(at, lambda: call(ref(), at), label)
        return True

    def activity(self, user: Any, activity: str, low: float = 0.5, high: float = 4, note: str = "") -> bool:
        """Plan an activity done by ``user``."""
        return self.do(low, high, lambda rid, at: services.do_complete_activity(rid, user, activity, note=note, at=at),
                       f"activity {activity}")

    def fields(self, user: Any, values: dict[str, Any], low: float = 0, high: float = 2) -> bool:
        """Plan a change of fields by ``user``."""
        return self.do(low, high, lambda rid, at: services.do_set_fields(rid, user, dict(values), at=at),
                       f"fields {', '.join(values)}")

    def move(self, user: Any, stage: str, low: float = 0.5, high: float = 3, reason: str | None = None,
             options: Callable[[], dict[str, dict[str, Any]]] | None = None) -> bool:
        """Plan a move (``reason``: an override of what is unmet; ``options``: hand-off options, read at run time)."""
        def call(rid: int, at: datetime.datetime) -> None:
            services.do_move(rid, user, stage, override_reason=reason, at=at,
                             handoff_options=options() if options else None)
        return self.do(low, high, call, f"move to {stage}")

    def approve(self, user: Any, approval: str, low: float = 0.5, high: float = 4) -> bool:
        """Plan an approval granted by ``user``."""
        return self.do(low, high, lambda rid, at: services.do_approve(rid, user, approval, at=at), f"approve {approval}")

    def decide(self, user: Any, answer: str, note: str = "", low: float = 0.5, high: float = 3) -> bool:
        """Plan the answer to the current stage's gate decision."""
        return self.do(low, high, lambda rid, at: services.do_decide(rid, user, answer, note=note, at=at),
                       f"decide {answer}")

    def delegate(self, user: Any, to: str, low: float = 0, high: float = 2) -> bool:
        """Plan a delegation of the gate decisions to the user named ``to``."""
        return self.do(low, high, lambda rid, at: services.do_delegate(rid, user, to, at=at), f"delegate to {to}")

    def probability(self, user: Any, probability: int, reason: str, low: float = 0, high: float = 2) -> bool:
        """Plan a probability override with its reason."""
        return self.do(low, high, lambda rid, at: services.do_set_probability(rid, user, probability, reason, at=at),
                       "probability")

    def document(self, user: Any, name: str, content: str, note: str = "", low: float = 0.2, high: float = 3) -> bool:
        """Plan a document upload (the same name again becomes its next version)."""
        from salesflow.records.chain import do_add_document

        return self.do(low, high, lambda rid, at: do_add_document(rid, user, name, content.encode("utf-8"),
                                                                  "text/plain", note=note, at=at),
                       f"document {name}")

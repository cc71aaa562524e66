"""Hand-built opportunity histories for the analytics tests: every step through the services, at fixed times.

Times: ``day(n)`` is noon (UTC) of the n-th day after `T0`. Moves happen at noon; the work a move
needs is done in the morning of the same day, so a stay in a stage lasts whole days.
"""

from __future__ import annotations

import datetime
from typing import Any

from salesflow.analytics.reports import Params, run_report
from salesflow.analytics.source import load_data
from salesflow.records import services

T0 = datetime.datetime(2027, 1, 4, 12, 0, tzinfo=datetime.UTC)  # a Monday
PROCESS = "opportunity-management"


def day(n: float, hours: float = 0) -> datetime.datetime:
    """Noon of day ``n`` after T0 (plus ``hours``)."""
    return T0 + datetime.timedelta(days=n, hours=hours)


class Opportunity:
    """One opportunity walked through the default process by its owner, head, bid manager and support."""

    def __init__(self, people: dict[str, Any], owner: str = "kam", amount: str | None = "100000",
                 kind: str = "new_business", close_date: str = "2027-03-31", at: float = 0,
                 classification: str | None = None) -> None:
        self.people = people
        self.owner = people[owner]
        fields = {"title": f"Deal of {owner} on day {at}", "type": kind, "close_date": close_date}
        if amount is not None:
            fields["amount"] = amount
        if classification:
            fields["classification"] = classification
        self.id = services.do_create_record(PROCESS, self.owner, fields, at=day(at)).pk

    def do(self, activity: str, at: float, by: str | None = None, hour: float = -3) -> Opportunity:
        services.do_complete_activity(self.id, self.people[by] if by else self.owner, activity, at=day(at, hour))
        return self

    def set(self, at: float, hour: float = -2, by: str | None = None, **fields: Any) -> Opportunity:
        services.do_set_fields(self.id, self.people[by] if by else self.owner, fields, at=day(at, hour))
        return self

    def move(self, stage: str, at: float, by: str = "head", override: str | None = None) -> Opportunity:
        services.do_move(self.id, self.people[by], stage, override_reason=override, at=day(at))
        return self

    def probability(self, value: int | None, at: float, reason: str = "sponsor") -> Opportunity:
        services.do_set_probability(self.id, self.owner, value, reason, at=day(at, -1))
        return self

    # --- the stages of the default process -----------------------------------------------------
    def qualify(self, at: float) -> Opportunity:
        """Qualification work in the morning, the head moves it to solution design at noon."""
        self.do("risk_analysis", at, hour=-4).do("customer_workshop", at, hour=-3.5)
        self.set(at, budget="150000", decision_date="2027-06-30")
        return self.move("solution_design", at)

    def design(self, at: float) -> Opportunity:
        self.set(at, hour=-4, bid_manager="bid")
        self.do("name_bid_manager", at, hour=-3.5).do("customer_needs", at, hour=-3)
        self.do("solution_design", at, by="bid", hour=-2.5)
        return self.move("proposal", at)

    def propose(self, at: float) -> Opportunity:
        self.do("prepare_offer", at, hour=-4)
        services.do_approve(self.id, self.people["head"], "offer", at=day(at, -3.5))
        self.do("send_offer", at, hour=-3)
        return self.move("negotiation", at, by="head")

    def win(self, at: float) -> Opportunity:
        self.do("customer_feedback", at, hour=-4).do("contract_negotiation", at, by="head", hour=-3.5)
        self.do("contract_signed", at, by="head", hour=-3).do("final_offer", at, by="support", hour=-2.5)
        return self.move("won", at)

    def lose(self, at: float, inform: bool = True) -> Opportunity:
        if inform:
            self.do("customer_informed", at, hour=-1)
            return self.move("lost", at, by="head")
        return self.move("lost", at, by="head", override="Customer unreachable, closed anyway")


def report(kind: str, now: datetime.datetime | None = None, user: Any | None = None, engine: str = "duckdb",
           **params: Any) -> Any:
    """Run one report kind on the current database."""
    data = load_data(engine, user, now or day(100))
    return run_report(kind, data, Params(**params))


def rows_by(report_result: Any, table: str, *keys: str) -> dict[Any, dict[str, Any]]:
    """A report table's rows keyed by the values of ``keys`` (one key: the value itself)."""
    result = {}
    for row in report_result.tables[table].rows:
        key = tuple(row[name] for name in keys)
        result[key[0] if len(keys) == 1 else key] = row
    return result

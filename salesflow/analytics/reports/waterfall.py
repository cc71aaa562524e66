"""Pipeline waterfall of a period: the open pipeline of period P as of D1, every change up to D2 as its
own step, ending in the open pipeline as of D2.

The start and the end are what the forecast (`forecast.compute`, the same as-of machinery) shows as the
open pipeline of the period at those instants (``--from``/``--to`` are read like ``--as-of``: the end
of that day, UTC). In between, each record's value changes (`tables.value_history`) after D1 up to D2 are
replayed event by event; an event that changes the record's contribution to the open pipeline of the
period (open, close date in the period, amount in the corporate currency) is a step:

- ``new``: a record created in the window, open in the period;
- ``pulled_in`` / ``pushed_out``: its close date moved into / out of the period;
- ``increased`` / ``decreased``: its amount raised / cut while it stays in the period;
- ``won`` / ``lost``: closed out of the period's open pipeline;
- ``reopened``: a closed record open again in the period;
- ``reassigned`` (only with ``--by``): the record moved to another group (owner, team, type …);
- ``revalued`` (only with amounts in another currency): the exchange rate of D2 instead of that of D1.

Amounts inside the window are valued at D1's rates; ``revalued`` brings those open at the end to D2's rates,
so start + Σ steps = end holds exactly. Sums are computed in `Decimal` and rounded to the cent once per
figure; the cents lost by rounding each step are given to the steps with the largest remainders (so the
rounded steps add up to the rounded end, to the cent).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import ibis

from salesflow.analytics.periods import Period, period_containing
from salesflow.analytics.reports import money as money_of
from salesflow.analytics.reports.base import (
    ALL_LABEL,
    DIMENSIONS,
    NONE_LABEL,
    Column,
    Data,
    Params,
    Report,
    Table,
    ts,
)
from salesflow.analytics.reports.forecast import Moment, compute, forecast_records
from salesflow.engine.errors import BadInput
from salesflow.engine.texts import N_

#: The kinds of step, in the order the waterfall shows them.
KINDS = ("new", "pulled_in", "pushed_out", "increased", "decreased", "won", "lost", "reopened")
#: Steps shown only when they occur (``--by`` and foreign currencies).
EXTRA_KINDS = ("reassigned", "revalued")
KIND_TITLES = {
    "new": N_("New"), "pulled_in": N_("Pulled into the period"), "pushed_out": N_("Pushed out of the period"),
    "increased": N_("Amount increased"), "decreased": N_("Amount decreased"), "won": N_("Won"),
    "lost": N_("Lost"), "reopened": N_("Reopened"), "reassigned": N_("Reassigned"),
    "revalued": N_("Exchange rate"),
}
CENT = Decimal("0.01")
#: Default window: the week before ``--to``.
DEFAULT_DAYS = 7


def cents(value: Decimal) -> Decimal:
    """A Decimal rounded to the cent."""
    return value.quantize(CENT, rounding=ROUND_HALF_EVEN)


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The last instant of a day (UTC) — what ``--as-of DAY`` means."""
    return datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(),
                                     tzinfo=datetime.UTC) - datetime.timedelta(microseconds=1)


@dataclass
class State:
    """What a record's contribution to the period's open pipeline depends on."""

    exists: bool = False
    process: str | None = None
    version: int | None = None
    stage: str | None = None
    owner_id: int | None = None
    amount: float | None = None
    close_date: str | None = None
    type: str | None = None

    def copy(self) -> State:
        """A copy (the state before an event)."""
        return State(self.exists, self.process, self.version, self.stage, self.owner_id, self.amount,
                     self.close_date, self.type)


@dataclass
class Step:
    """One kind of change in one group: its exact sum and the records it moved."""

    kind: str
    amount: Decimal = Decimal(0)
    records: dict[int, Decimal] = field(default_factory=dict)

    def add(self, record_id: int, amount: Decimal) -> None:
        self.amount += amount
        self.records[record_id] = self.records.get(record_id, Decimal(0)) + amount


class Replay:
    """Replays the value history of the scoped records and books each change as a step."""

    def __init__(self, data: Data, period: Period, rates: dict[str | None, float | None],
                 currencies: dict[int, str | None], groups_of: Any) -> None:
        self.period = period
        self.rates = rates
        self.currencies = currencies
        self.groups_of = groups_of
        self.outcomes = {(s.process, s.version, s.stage): s.outcome for s in data.catalog.stages}
        self.steps: dict[str, dict[str, Step]] = defaultdict(dict)

    def outcome(self, state: State) -> str | None:
        return self.outcomes.get((state.process, state.version, state.stage))

    def counted(self, state: State) -> bool:
        """Open, with its close date in the period."""
        if not state.exists or self.outcome(state) is not None or not state.close_date:
            return False
        day = datetime.date.fromisoformat(str(state.close_date)[:10])
        return self.period.contains_date(day)

    def value(self, record_id: int, state: State) -> Decimal:
        """The record's contribution at D1's rate (0 when not counted or without a rate)."""
        rate = self.rates.get(self.currencies.get(record_id))
        if not self.counted(state) or state.amount is None or rate is None:
            return Decimal(0)
        return Decimal(state.amount) * Decimal(rate)

    def book(self, group: str, kind: str, record_id: int, amount: Decimal) -> None:
        steps = self.steps[group]
        steps.setdefault(kind, Step(kind)).add(record_id, amount)

    def change(self, record_id: int, before: State, after: State) -> None:
        """Book the change of one event."""
        old, new = self.value(record_id, before), self.value(record_id, after)
        was, now = self.counted(before), self.counted(after)
        if not was and not now:
            return
        old_groups = self.groups_of(before) if was else []
        new_groups = self.groups_of(after) if now else []
        if was and now:
            moved = set(old_groups) ^ set(new_groups)
            for group in old_groups:
                if group in moved:
                    self.book(group, "reassigned", record_id, -old)
            for group in new_groups:
                if group in moved:
                    self.book(group, "reassigned", record_id, new)
                elif new != old:
                    self.book(group, "increased" if new > old else "decreased", record_id, new - old)
            return
        if now:
            if not before.exists:
                kind = "new"
            elif before.exists and self.outcome(before) is not None:
                kind = "reopened"
            else:
                kind = "pulled_in"
            for group in new_groups:
                self.book(group, kind, record_id, new)
            return
        outcome = self.outcome(after)
        kind = outcome if outcome in ("won", "lost") else "pushed_out"
        for group in old_groups:
            self.book(group, kind, record_id, -old)


def _apply(state: State, row: dict[str, Any]) -> None:
    state.exists = True
    state.process = row["process"] or state.process
    state.version = int(row["version"]) if row["version"] is not None else state.version
    name = row["field"]
    if name == "stage":
        state.stage = row["text"]
    elif name == "owner":
        state.owner_id = int(row["number"]) if row["number"] is not None else None
    elif name == "amount":
        state.amount = float(row["text"]) if row["text"] not in (None, "") else None
    elif name == "close_date":
        state.close_date = row["text"] or None
    elif name == "type":
        state.type = row["text"] or None


def _rates(data: Data, currencies: set[str | None], days: list[datetime.date]
           ) -> list[dict[str | None, float | None]]:
    """Per day of ``days``: currency → factor into the corporate currency on that day (None: no rate); one
    query for every day."""
    codes = sorted({code or data.currency for code in currencies})
    table = ibis.memtable({"currency": [code for _day in days for code in codes],
                           "day": [day for day in days for _code in codes],
                           "amount": [1.0] * (len(codes) * len(days))},
                          schema=ibis.schema({"currency": "string", "day": "date", "amount": "float64"}))
    rows = data.rows(money_of.convert(table, money_of.rates_of(data), data.currency, table.day,
                                      found=money_of.factors_of(data))
                     .select("currency", "day", "rate"))
    found: list[dict[str | None, float | None]] = []
    for day in days:
        rates: dict[str | None, float | None] = {row["currency"]: row["rate"] for row in rows if row["day"] == day}
        rates[None] = 1.0
        found.append(rates)
    return found


def _group_function(data: Data, by: str | None) -> Any:
    """State → the groups it counts in (as `tables.grouped` groups the forecast's state)."""
    if by is None:
        return lambda state: [ALL_LABEL]
    if by == "owner":
        return lambda state: [data.users.get(state.owner_id, NONE_LABEL) if state.owner_id is not None
                              else NONE_LABEL]
    if by == "type":
        return lambda state: [state.type or NONE_LABEL]
    if by == "process-version":
        return lambda state: [f"{state.process} v{state.version}"]
    teams: dict[int, list[str]] = defaultdict(list)
    for row in data.rows(data.memberships):
        teams[row["user_id"]].append(row["team"])
    return lambda state: sorted(teams.get(state.owner_id, [])) or [NONE_LABEL]


def _distribute(exact: dict[str, Decimal], total: Decimal) -> dict[str, Decimal]:
    """Round each value to the cent so that the rounded values add up to ``total`` (largest remainder)."""
    rounded = {key: cents(value) for key, value in exact.items()}
    missing = int((total - sum(rounded.values(), Decimal(0))) / CENT)
    order = sorted(exact, key=lambda key: (exact[key] - rounded[key]) * (1 if missing > 0 else -1), reverse=True)
    for key in order[:abs(missing)]:
        rounded[key] += CENT if missing > 0 else -CENT
    return rounded


def waterfall_data(data: Data, params: Params) -> dict[str, Any]:
    """The waterfall as plain data: period, from, to, groups (group → start, end, steps)."""
    if params.by is not None and params.by not in DIMENSIONS:
        raise BadInput(f"--by: one of {', '.join(DIMENSIONS)} expected for the waterfall, got {params.by!r}")
    to_day = params.date_to or data.now.astimezone(datetime.UTC).date()
    from_day = params.date_from or to_day - datetime.timedelta(days=DEFAULT_DAYS)
    if from_day >= to_day:
        raise BadInput(f"--from {from_day} must lie before --to {to_day}")
    t1, t2 = end_of_day(from_day), end_of_day(to_day)
    period = params.period or period_containing(t2, "quarter")
    plain = Params(process=params.process, period=period, calibrated=False)
    # only their open amounts are needed (not the rates used nor what has no rate); both instants in one query
    both = compute(data, plain, [Moment(0, t1, period), Moment(1, t2, period)], params.by, simulate=False,
                   details=False)
    starts, ends = both.get(0, {}), both.get(1, {})

    scoped = forecast_records(data, plain)
    currencies = {row["record_id"]: row["currency"] for row in data.rows(scoped.select("record_id", "currency"))}
    # only records with a change in the window (or in another currency: revalued) can make a step
    changed = data.history.filter((data.history["at"] > ts(t1)) & (data.history["at"] <= ts(t2))).select("record_id")
    foreign = scoped.filter(scoped.currency.fill_null(data.currency) != data.currency).select("record_id")
    relevant = ibis.union(changed, foreign, distinct=True)
    # `isin` (a subquery), not `semi_join`: Ibis writes the latter as LEFT SEMI JOIN, which PostgreSQL lacks
    history = data.history.filter(data.history.record_id.isin(scoped.record_id)
                                  & data.history.record_id.isin(relevant.record_id))
    history = history.filter(history["at"] <= ts(t2)).select(
        "record_id", "process", "version", "seq", "at", "field", "text", "number").order_by(["record_id", "seq"])
    rows = data.rows(history)
    rates_start, rates_end = _rates(data, set(currencies.values()), [t1.date(), t2.date()])
    replay = Replay(data, period, rates_start, currencies, _group_function(data, params.by))

    states: dict[int, State] = {}
    index = 0
    while index < len(rows):
        record_id = rows[index]["record_id"]
        state = State()
        while index < len(rows) and rows[index]["record_id"] == record_id and rows[index]["at"] <= t1:
            _apply(state, rows[index])
            index += 1
        while index < len(rows) and rows[index]["record_id"] == record_id:
            seq = rows[index]["seq"]
            before = state.copy()
            while index < len(rows) and rows[index]["record_id"] == record_id and rows[index]["seq"] == seq:
                _apply(state, rows[index])
                index += 1
            replay.change(record_id, before, state)
        states[record_id] = state
    # the exchange rate of D2 for what is open at the end
    for record_id, state in states.items():
        if not replay.counted(state) or state.amount is None:
            continue
        currency = currencies.get(record_id)
        old, new = rates_start.get(currency), rates_end.get(currency)
        if old == new:
            continue
        delta = Decimal(state.amount) * (Decimal(new or 0) - Decimal(old or 0))
        for group in replay.groups_of(state):
            replay.book(group, "revalued", record_id, delta)

    groups = sorted(set(starts) | set(ends) | set(replay.steps),
                    key=lambda label: (label == NONE_LABEL, str(label)))
    result = {}
    for group in groups:
        start = cents(Decimal(str(starts[group].open_amount))) if group in starts else Decimal("0.00")
        end = cents(Decimal(str(ends[group].open_amount))) if group in ends else Decimal("0.00")
        found = replay.steps.get(group, {})
        kinds = [*KINDS, *(kind for kind in EXTRA_KINDS if kind in found)]
        amounts = _distribute({kind: found[kind].amount if kind in found else Decimal(0) for kind in kinds},
                              end - start)
        steps = []
        for kind in kinds:
            step = found.get(kind, Step(kind))
            steps.append({"kind": kind, "count": len(step.records), "amount": amounts[kind],
                          "records": [{"record_id": record_id, "amount": cents(amount)}
                                      for record_id, amount in sorted(step.records.items())]})
        result[group] = {"start": start, "end": end, "steps": steps}
    if not result:
        result[ALL_LABEL] = {"start": Decimal("0.00"), "end": Decimal("0.00"),
                             "steps": [{"kind": kind, "count": 0, "amount": Decimal("0.00"), "records": []}
                                       for kind in KINDS]}
    return {"period": period, "from": from_day, "to": to_day, "t1": t1, "t2": t2, "groups": result}


def _number(value: Decimal) -> float:
    return float(value)


@dataclass
class WaterfallReport(Report):
    """The waterfall report; its JSON has ``start``, ``end`` and ``steps`` (of everything) at the top, and
    with ``--by`` the same per group in ``groups``."""

    steps: list[dict[str, Any]] = field(default_factory=list)
    chart: list[dict[str, Any]] = field(default_factory=list)
    groups: dict[str, Any] | None = None

    def to_data(self) -> dict[str, Any]:
        """The report's JSON with ``start``, ``end``, ``steps`` (and ``groups``) at the top."""
        data = super().to_data()
        data.update({"start": self.summary["start"], "end": self.summary["end"], "steps": self.steps})
        if self.groups is not None:
            data["groups"] = self.groups
        return data


def _json_steps(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"kind": step["kind"], "count": step["count"], "amount": _number(step["amount"]),
             "records": [{"record_id": item["record_id"], "amount": _number(item["amount"])}
                         for item in step["records"]]} for step in steps]


def waterfall(data: Data, params: Params) -> Report:
    """The pipeline waterfall of ``--period`` (default: the quarter of ``--to``) from ``--from`` to ``--to``."""
    found = waterfall_data(data, params)
    period: Period = found["period"]
    groups = found["groups"]
    if params.by:
        total = waterfall_data(data, Params(process=params.process, period=period, date_from=found["from"],
                                            date_to=found["to"]))["groups"]
        overall = total.get(ALL_LABEL) or next(iter(total.values()))
    else:
        overall = groups.get(ALL_LABEL) or next(iter(groups.values()))
    step_rows = []
    running = overall["start"]
    chart_rows = [{"kind": "start", "label": "start", "from": 0.0, "to": _number(overall["start"]),
                   "amount": _number(overall["start"])}]
    for step in overall["steps"]:
        step_rows.append({"kind": step["kind"], "title": KIND_TITLES[step["kind"]], "count": step["count"],
                          "amount": _number(step["amount"]),
                          "records": ", ".join(str(item["record_id"]) for item in step["records"])})
        chart_rows.append({"kind": step["kind"], "label": KIND_TITLES[step["kind"]], "from": _number(running),
                           "to": _number(running + step["amount"]), "amount": _number(step["amount"])})
        running += step["amount"]
    chart_rows.append({"kind": "end", "label": "end", "from": 0.0, "to": _number(overall["end"]),
                       "amount": _number(overall["end"])})
    summary: dict[str, Any] = {
        "period": period.key, "from": found["from"].isoformat(), "to": found["to"].isoformat(),
        "currency": data.currency, "start": _number(overall["start"]), "end": _number(overall["end"]),
        "change": _number(overall["end"] - overall["start"]),
    }
    groups_data = None
    tables = {"steps": Table([Column("title", N_("Change")), Column("count", N_("Records"), "int"),
                              Column("amount", N_("Amount"), "money"), Column("records", N_("Record numbers"))],
                             step_rows, N_("Open pipeline %(period)s from %(start)s to %(end)s", period=period.key,
                                           start=found["from"], end=found["to"]))}
    if params.by:
        groups_data = {group: {"start": _number(item["start"]), "end": _number(item["end"]),
                                     "steps": _json_steps(item["steps"])} for group, item in groups.items()}
        group_rows = []
        for group, item in groups.items():
            row: dict[str, Any] = {"group": group, "start": _number(item["start"]), "end": _number(item["end"])}
            for step in item["steps"]:
                row[step["kind"]] = _number(step["amount"])
            group_rows.append(row)
        kinds = [*KINDS, *sorted({step["kind"] for item in groups.values() for step in item["steps"]} - set(KINDS))]
        tables["groups"] = Table([Column("group", N_("Group")), Column("start", N_("Start"), "money"),
                                  *(Column(kind, KIND_TITLES[kind], "money") for kind in kinds),
                                  Column("end", N_("End"), "money")], group_rows,
                                 N_("Waterfall by %(dimension)s", dimension=params.by))
    return WaterfallReport(
        "waterfall", N_("Pipeline waterfall %(period)s", period=period.key),
        {**params.to_data(), "period": period.key, "from": found["from"].isoformat(), "to": found["to"].isoformat()},
        summary, tables,
        notes=[N_("Open pipeline of %(period)s as of the end of %(start)s and of %(end)s (as the forecast shows it); "
                  "the changes in between valued at the rates of %(start)s, the exchange-rate step brings them "
                  "to those of %(end)s.", period=period.key, start=found["from"], end=found["to"]),
               N_("Amounts in %(currency)s.", currency=data.currency)],
        steps=_json_steps(overall["steps"]), chart=chart_rows, groups=groups_data)

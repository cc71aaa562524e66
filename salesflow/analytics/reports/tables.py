"""The derived tables every report builds on, as backend-independent Ibis expressions.

- `flatten_events` / `value_history` / `normalize_records`: the operational tables
  (``records_event``, ``records_record`` …; mirrored under the same names into DuckDB) in the shape
  of `Data`.
- `stage_visits`: one row per stay of a record in a stage (entered, left, seconds).
- `closes`: one row per closed record (outcome, when, from which stage).
- `grouped`: records with the ``group`` column of a ``--by`` dimension.
- `scoped_records`: the records a report looks at (process, date range).
"""

from __future__ import annotations

import datetime

import ibis
import ibis.expr.types as ir

from salesflow.analytics.reports.base import (
    ALL_LABEL,
    NONE_LABEL,
    Data,
    Params,
    arrow_memtable,
    seconds_between,
    shared_memtable,
    ts,
)
from salesflow.engine.replay import FIELD_CHANGED, PROBABILITY_OVERRIDDEN, RECORD_CREATED, STAGE_EVENTS


def flatten_events(raw: ir.Table) -> ir.Table:
    """Record events of the raw event table with the payload fields the reports use as columns.

    ``direction``/``overridden``/``skipped`` of stage changes, ``reason`` and ``unmet`` /
    ``unmet_activities`` (unmet items, of them activities) of overrides, ``outcome`` of closes,
    ``field``/``new_text``/``new_number`` of field changes, ``override`` of probability overrides,
    ``owner_new`` and ``v_amount``/``v_close_date``/``v_type`` (initial values) of record creations,
    ``closed_on`` (the close date an outcome set: the day of the close) of record closes.
    """
    events = raw.filter(raw.record_id.notnull())
    payload = events.payload
    unmet = payload["unmet"].array
    text = "string"
    return events.select(
        seq=events.seq.cast("int64"), record_id=events.record_id.cast("int64"), process=events.process.cast(text),
        version=events.process_version.cast("int64"), kind=events.kind.cast(text),
        from_stage=events.from_stage.cast(text), to_stage=events.to_stage.cast(text),
        activity=events.activity.cast(text), actor_id=events.actor_id.cast("int64"), role=events.role.cast(text),
        at=events["at"],
        direction=payload["direction"].str, overridden=payload["overridden"].bool.fill_null(False),
        skipped=payload["skipped"].array.length().fill_null(0).cast("int64"),
        reason=payload["reason"].str, unmet=unmet.length().fill_null(0).cast("int64"),
        unmet_activities=unmet.filter(lambda item: item["kind"].str == "activity").length().fill_null(0).cast(
            "int64"),
        outcome=payload["outcome"].str, field=payload["field"].str, new_text=payload["new"].str,
        new_number=payload["new"].float, override=payload["override"].float,
        owner_new=payload["owner_id"].float, v_amount=payload["values"]["amount"].str,
        v_close_date=payload["values"]["close_date"].str, v_type=payload["values"]["type"].str,
        closed_on=ibis.ifelse(events.kind == "record_closed", payload["close_date"].str, ibis.null("string")),
    )


#: Fields whose history `value_history` keeps (besides the stage and the probability override).
TRACKED = ("amount", "close_date", "type", "owner")


def value_history(events: ir.Table) -> ir.Table:
    """Long table of value changes (from flat events): record_id, process, version, seq, at, field, text,
    number — for the stage, the probability override (cleared by every stage change) and `TRACKED` (an
    outcome's close sets the close date to the day of the close)."""
    null_text, null_number = ibis.null("string"), ibis.null("float64")

    def rows(table: ir.Table, field: ir.Value | str, text: ir.Value, number: ir.Value) -> ir.Table:
        return table.select(record_id=table.record_id, process=table.process, version=table.version, seq=table.seq,
                            at=table["at"], field=(ibis.literal(field) if isinstance(field, str) else field).cast(
                                "string"), text=text.cast("string"), number=number.cast("float64"))

    # The event kinds mean here what they mean to `salesflow.engine.replay` (the replay `audit verify`
    # checks every record with): the same log, read the same way, in SQL.
    created = events.filter(events.kind == RECORD_CREATED)
    changed = events.filter((events.kind == FIELD_CHANGED) & events.field.isin(list(TRACKED)))
    moves = events.filter(events.kind.isin(list(STAGE_EVENTS)))
    overrides = events.filter(events.kind == PROBABILITY_OVERRIDDEN)
    closes = events.filter(events.closed_on.notnull())
    return ibis.union(
        rows(moves, "stage", moves.to_stage, null_number),
        rows(moves, "probability_override", null_text, null_number),
        rows(overrides, "probability_override", null_text, overrides.override),
        rows(created, "amount", created.v_amount, null_number),
        rows(created, "close_date", created.v_close_date, null_number),
        rows(created, "type", created.v_type, null_number),
        rows(created, "owner", null_text, created.owner_new),
        rows(changed, changed.field, changed.new_text, changed.new_number),
        rows(closes, "close_date", closes.closed_on, null_number),
        distinct=False,
    )


def normalize_records(record: ir.Table, version: ir.Table, process: ir.Table) -> ir.Table:
    """The raw record table joined with process key, record kind and version number, with `Data.records`'
    columns. ``source`` is a lead's ``source`` (or ``lead_source``) field, ``end_date`` a contract's
    ``end_date`` field (ISO text: compared as text, never cast, so odd values cannot fail a query)."""
    versions = version.select(version_pk=version.id, version_number=version.version)
    processes = process.select(process_pk=process.id, process=process.key, record_kind=process.record_type)
    joined = record.join(versions, record.process_version_id == versions.version_pk).join(
        processes, record.process_id == processes.process_pk)
    values = joined["values"]
    return joined.select(
        record_id=joined.id,
        process=joined.process.cast("string"),
        record_kind=joined.record_kind.cast("string"),
        version=joined.version_number.cast("int64"),
        stage=joined.stage.cast("string"),
        owner_id=joined.owner_id.cast("int64"),
        customer_id=joined.customer_id.cast("int64"),
        amount=joined.amount.cast("float64"),
        currency=joined.currency.cast("string"),
        close_date=joined.close_date,
        classification=joined.classification.cast("string"),
        probability_override=joined.probability_override.cast("float64"),
        type=values["type"].str,
        source=values["source"].str.fill_null(values["lead_source"].str),
        end_date=values["end_date"].str,
        outcome=ibis.ifelse(joined.outcome == "", ibis.null("string"), joined.outcome.cast("string")),
        created_at=joined.created_at,
        closed_at=joined.closed_at,
    )


LINK_SCHEMA = ibis.schema({"link_id": "int64", "source_id": "int64", "target_id": "int64", "kind": "string",
                           "handoff": "string", "created_at": "timestamp('UTC')"})


def normalize_links(link: ir.Table) -> ir.Table:
    """The raw link table (``records_recordlink``) with `Data.links`' columns."""
    return link.select(link_id=link.id.cast("int64"), source_id=link.source_id.cast("int64"),
                       target_id=link.target_id.cast("int64"), kind=link.kind.cast("string"),
                       handoff=link.handoff.cast("string"), created_at=link.created_at)


def no_links() -> ir.Table:
    """An empty links table (for a `Data` built without links)."""
    return ibis.memtable(LINK_SCHEMA.to_pyarrow().empty_table())


def hidden_table(hidden: list[int]) -> ir.Table:
    """The ids of the records a reader may not see as an Ibis table: hidden_id (`shared_memtable`: the same
    table for every table of the run, and for every run while they stay the same)."""
    ids = tuple(hidden)
    return shared_memtable(("hidden", ids), lambda: arrow_memtable(
        {"hidden_id": list(ids)}, ibis.schema({"hidden_id": "int64"})))


def links_without(links: ir.Table, hidden: list[int]) -> ir.Table:
    """``links`` without those from or to a record in ``hidden``."""
    if not hidden:
        return links
    ids = hidden_table(hidden)
    # one anti-join with both conditions: ibis 12 compiles a second, chained anti-join on PostgreSQL to
    # the DuckDB-only "LEFT ANTI JOIN"
    return links.anti_join(ids, (links.source_id == ids.hidden_id) | (links.target_id == ids.hidden_id))


def links_of(data: Data, kind: str) -> ir.Table:
    """The links of one kind (e.g. ``opportunity``: lead → opportunity): link_id, source_id, target_id,
    created_at."""
    links = data.links if data.links is not None else no_links()
    chosen = links.filter(links.kind == kind)
    return chosen.select("link_id", "source_id", "target_id", "created_at")


def opportunity_targets(data: Data) -> ir.Table:
    """Every record as the target of a link, the columns renamed for the join: opportunity_id,
    opportunity_outcome, opportunity_amount."""
    records = data.records
    return records.select(opportunity_id=records.record_id, opportunity_outcome=records.outcome,
                          opportunity_amount=records.amount)


def records_of_kind(data: Data, kind: str, params: Params | None = None) -> ir.Table:
    """The records of the processes that run ``kind`` records (of ``--process`` when that is one of them)."""
    records = data.records
    records = records.filter(records.record_kind == kind)
    if params is not None and params.process and data.catalog.kinds.get(params.process) == kind:
        records = records.filter(records.process == params.process)
    return records


def without_records(table: ir.Table, hidden: list[int]) -> ir.Table:
    """``table`` without the rows of the records in ``hidden`` (the records a reader may not see)."""
    if not hidden:
        return table
    ids = hidden_table(hidden)
    return table.anti_join(ids, table.record_id == ids.hidden_id)


def visit_base(events: ir.Table) -> ir.Table:
    """One row per stay in a stage: record_id, process, version, stage, entered_at, seq, left_at, next_stage
    (the DuckDB mirror keeps it as a table, updated for the records new events touch)."""
    moves = events.filter(events.kind.isin(list(STAGE_EVENTS)))
    window = ibis.window(group_by=moves.record_id, order_by=moves.seq)
    return moves.select(
        record_id=moves.record_id, process=moves.process, version=moves.version,
        stage=moves.to_stage, entered_at=moves["at"], seq=moves.seq,
        left_at=moves["at"].lead().over(window), next_stage=moves.to_stage.lead().over(window),
    )


def stage_visits(events: ir.Table, now: datetime.datetime, base: ir.Table | None = None) -> ir.Table:
    """`visit_base` (given, or computed from ``events``) with completed (left again) and seconds (until
    left, or until ``now`` while still there)."""
    visits = base if base is not None else visit_base(events)
    return visits.mutate(completed=visits.left_at.notnull(),
                         seconds=seconds_between(visits.left_at.fill_null(ts(now)), visits.entered_at))


def visits_of(data: Data) -> ir.Table:
    """`stage_visits` of the data's events (computed once per `Data`)."""
    return data.cached("visits", lambda: stage_visits(data.events, data.now, data.visits))


def _open_stage_visits(data: Data) -> ir.Table:
    visits = stage_visits(data.events, data.now, data.visits)
    stages = data.catalog.stage_table()
    stages = stages.filter(stages.outcome.isnull()).select("process", "version", "stage", "max_days",
                                                           "probability", "forecast_category")
    return visits.join(stages, ["process", "version", "stage"])


def open_stage_visits(data: Data, once: bool = False) -> ir.Table:
    """`stage_visits` of open (non-outcome) stages, with the stage's max_days and probability (cached).

    ``once``: the caller reads them in one query only — the table computed for an earlier report of the run
    when there is one, else the expression (computed within that query, for the rows it needs: computing
    every stay into a table costs more than the query).
    """
    if once and not data.has_cached("open_visits"):
        return data.expression("open_visits", lambda: _open_stage_visits(data))
    return data.cached("open_visits", lambda: _open_stage_visits(data))


def closes(data: Data) -> ir.Table:
    """One row per closed record: record_id, outcome (won | lost), closed_at, from_stage, to_stage, seq."""
    closed = data.events.filter(data.events.kind == "record_closed")
    return closed.select(record_id=closed.record_id, outcome=closed.outcome, closed_at=closed["at"],
                         from_stage=closed.from_stage, to_stage=closed.to_stage, seq=closed.seq)


def people_table(data: Data) -> ir.Table:
    """user_id → username as an Ibis table."""
    ids = tuple(sorted(data.users))
    names = tuple(data.users[item] for item in ids)
    return shared_memtable(("people", ids, names), lambda: arrow_memtable(
        {"user_id": list(ids), "username": list(names)}, ibis.schema({"user_id": "int64", "username": "string"})))


def amount_band_expr(amount: ir.Value, limits: list[float]) -> ir.Value:
    """A label per amount band, e.g. ``≤ 50 000``, ``50 000 – 250 000``, ``> 250 000``."""
    def text(value: float) -> str:
        return f"{value:,.0f}".replace(",", " ")

    cases = []
    lower = None
    for limit in limits:
        label = f"≤ {text(limit)}" if lower is None else f"{text(lower)} – {text(limit)}"
        cases.append((amount <= limit, label))
        lower = limit
    last = f"> {text(lower)}" if lower is not None else "any amount"
    expression = ibis.cases(*cases, else_=last) if cases else ibis.literal(last)
    return ibis.ifelse(amount.isnull(), ibis.literal(NONE_LABEL), expression)


def band_labels(limits: list[float]) -> list[str]:
    """The labels `amount_band_expr` gives, in ascending order."""
    def text(value: float) -> str:
        return f"{value:,.0f}".replace(",", " ")

    labels, lower = [], None
    for limit in limits:
        labels.append(f"≤ {text(limit)}" if lower is None else f"{text(lower)} – {text(limit)}")
        lower = limit
    labels.append(f"> {text(lower)}" if lower is not None else "any amount")
    return labels


def grouped(data: Data, records: ir.Table, by: str | None, process: str | None = None) -> ir.Table:
    """``records`` with a ``group`` column: the owner's user name, the owner's team (one row per team),
    the type, ``process vN``, the amount band (those of ``process``, see `Catalog.amount_band_limits`)
    — or "all" without ``by``."""
    none = ibis.literal(NONE_LABEL)
    if by is None:
        return records.mutate(group=ibis.literal(ALL_LABEL))
    if by == "type":
        return records.mutate(group=records.type.fill_null(none))
    if by == "process-version":
        return records.mutate(group=records.process + " v" + records.version.cast("string"))
    if by == "amount-band":
        return records.mutate(group=amount_band_expr(records.amount, data.catalog.amount_band_limits(process)))
    if by == "owner":
        people = people_table(data)
        joined = records.left_join(people, records.owner_id == people.user_id)
        return joined.mutate(group=joined.username.fill_null(none)).drop("user_id", "username")
    if by == "team":
        teams = data.memberships
        joined = records.left_join(teams, records.owner_id == teams.user_id)
        return joined.mutate(group=joined.team.fill_null(none)).drop("user_id", "team")
    raise ValueError(by)


def scoped_records(data: Data, params: Params, created_in_range: bool = True) -> ir.Table:
    """The records of the chosen process, created within ``--from/--to`` (when ``created_in_range``)."""
    records = data.records
    if params.process:
        records = records.filter(records.process == params.process)
    if created_in_range:
        if params.from_at:
            records = records.filter(records.created_at >= ts(params.from_at))
        if params.to_at:
            records = records.filter(records.created_at < ts(params.to_at))
    return records


def in_range(column: ir.Value, params: Params) -> ir.Value:
    """A condition: the timestamp lies within ``--from/--to``."""
    condition = ibis.literal(True)
    if params.from_at:
        condition = condition & (column >= ts(params.from_at))
    if params.to_at:
        condition = condition & (column < ts(params.to_at))
    return condition

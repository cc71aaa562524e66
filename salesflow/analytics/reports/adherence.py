"""Process adherence per owner (or team): who follows the process, where gates were overridden, limits missed.

Scope: the records of ``--process`` (their current owner decides the group; ``--by team`` groups
by the owner's teams), counting what happened within ``--from/--to``:

- ``forward_moves``: forward stage changes (to a later stage or to Won) — each passes a gate;
  ``gates_passed`` of them met every requirement, ``gates_overridden`` were moved with an override.
- ``overrides``: every override (also of outcome requirements, e.g. Lost without informing the
  customer), with its reasons in the ``reasons`` table.
- ``stages_skipped``: open stages jumped over by forward moves.
- ``missing_activities``: required activities still open when an override moved the record.
- ``closes`` / ``closes_met``: records closed (Won or Lost) and those whose outcome requirements
  (Lost: customer informed) were done before the close; ``lost`` / ``lost_met`` the same for Lost.
- ``limited_stays`` / ``sla_breaches``: stays (entered in the range) in stages with a time limit
  (``max_days``), and those longer than the limit (still running ones count once over it).
- ``deadlines_missed``: hard dates missed (``deadline_missed`` events of the process schedules, e.g.
  an RFP's submission deadline).

**Adherence score** = 100 × (gates_passed + closes_met + limited_stays − sla_breaches) /
(forward_moves + closes + limited_stays + deadlines_missed): the share of checks passed, where every
forward move, every close and every time-limited stay is one check, and every missed deadline one
failed check. None when there is nothing to check.
"""

from __future__ import annotations

from typing import Any

from salesflow.analytics.reports import tables
from salesflow.analytics.reports.base import (
    DIMENSION_NAMES,
    NONE_LABEL,
    SECONDS_PER_DAY,
    Column,
    Data,
    Params,
    Report,
    Table,
    index_rows,
    ratio,
)
from salesflow.engine.texts import N_

#: The counts of a group's row.
FIELDS = ("forward_moves", "gates_overridden", "stages_skipped", "overrides", "missing_activities", "closes",
          "closes_met", "lost", "lost_met", "limited_stays", "sla_breaches", "deadlines_missed")


#: The columns of the events the report reads.
EVENT_COLUMNS = ("record_id", "seq", "at", "kind", "direction", "overridden", "skipped", "unmet_activities", "outcome",
                 "from_stage", "to_stage", "reason", "unmet")


def adherence_score(row: dict[str, Any]) -> float | None:
    """The adherence score of one group's counts (see the module docstring); None without checks."""
    checks = row["forward_moves"] + row["closes"] + row["limited_stays"] + row.get("deadlines_missed", 0)
    passed = row["gates_passed"] + row["closes_met"] + row["limited_stays"] - row["sla_breaches"]
    if not checks:
        return None
    return round(100.0 * passed / checks, 1)


def _within(table: Any, column: str, params: Params) -> Any:
    """The rows of ``table`` whose ``column`` lies within ``--from/--to`` (all of them without a range)."""
    if params.from_at is None and params.to_at is None:
        return table
    return table.filter(tables.in_range(table[column], params))


def group_rows(data: Data, params: Params) -> tuple[list[dict[str, Any]], Any]:
    """The rows of the adherence report's main table (one per group, with its score) and the expression of the
    overrides (with their group) the reasons table lists."""
    by = params.by or "owner"
    scoped = tables.scoped_records(data, params, created_in_range=False)
    # the columns a grouping reads (Ibis builds joins of fewer columns faster)
    scoped = scoped.select("record_id", "owner_id", "type", "process", "version", "amount")
    keys = tables.grouped(data, scoped, by).select("record_id", "group")
    # only the columns counted or listed (Ibis builds a join of fewer columns faster)
    events = data.events.select(*EVENT_COLUMNS)
    events = _within(events, "at", params).join(keys, "record_id")

    overrides = events.filter(events.kind == "gate_overridden")

    # the records with a close (within the range) that missed an activity its outcome stage requires
    closed = data.events.filter(data.events.kind == "record_closed")
    closed = _within(closed, "at", params).select(
        "record_id", "seq", "process", "version", stage=closed.to_stage)
    needed = closed.join(data.catalog.requirement_table(), ["process", "version", "stage"]).select(
        "record_id", "activity", close_seq=closed.seq)
    done = data.events.filter(data.events.kind == "activity_done").select(
        "record_id", "activity", done_seq=data.events.seq)
    not_done = needed.anti_join(done, [needed.record_id == done.record_id, needed.activity == done.activity,
                                       done.done_seq < needed.close_seq])
    unmet = not_done.select(unmet_id=not_done.record_id).distinct()

    # moves, overrides, missed deadlines and closes counted in one query (a group: one with any of them);
    # a close meets its outcome requirements when no close of its record (within the range) missed one
    counted = events.filter(events.kind.isin(["stage_changed", "gate_overridden", "deadline_missed",
                                              "record_closed"]))
    counted = counted.left_join(unmet, counted.record_id == unmet.unmet_id)
    counted = counted.mutate(record_unmet=counted.unmet_id.notnull())
    is_move = counted.kind == "stage_changed"
    is_override = counted.kind == "gate_overridden"
    is_close = counted.kind == "record_closed"
    forward = is_move & (counted.direction == "forward")
    met = is_close & ~counted.record_unmet
    is_lost = is_close & (counted.outcome == "lost")
    event_counts = counted.group_by("group").agg(
        forward_moves=counted.count(where=forward),
        gates_overridden=counted.count(where=forward & counted.overridden),
        stages_skipped=counted.skipped.sum(where=is_move),
        overrides=counted.count(where=is_override),
        missing_activities=counted.unmet_activities.sum(where=is_override),
        deadlines_missed=counted.count(where=counted.kind == "deadline_missed"),
        closes=counted.count(where=is_close), closes_met=counted.count(where=met),
        lost=counted.count(where=is_lost), lost_met=counted.count(where=is_lost & ~counted.record_unmet),
    )

    visits = tables.open_stage_visits(data, once=True)
    visits = visits.select("record_id", "entered_at", "max_days", "seconds").join(keys, "record_id")
    visits = _within(visits, "entered_at", params)
    visits = visits.filter(visits.max_days.notnull())
    sla = visits.group_by("group").agg(
        limited_stays=visits.count(),
        sla_breaches=visits.count(where=visits.seconds > visits.max_days.cast("float64") * SECONDS_PER_DAY),
    )

    parts = [index_rows(data.rows(expr), "group") for expr in (event_counts, sla)]
    groups = sorted({key[0] for part in parts for key in part}, key=lambda g: (g == NONE_LABEL, str(g)))
    rows = []
    for group in groups:
        row: dict[str, Any] = {"group": group}
        for name in FIELDS:
            row[name] = int(next((part[(group,)][name] for part in parts if (group,) in part
                                  and part[(group,)].get(name) is not None), 0))
        row["gates_passed"] = row["forward_moves"] - row["gates_overridden"]
        row["score"] = adherence_score(row)
        rows.append(row)
    return rows, overrides


def adherence(data: Data, params: Params) -> Report:
    """The adherence report (grouped by owner unless ``--by`` says otherwise)."""
    by = params.by or "owner"
    rows, overrides = group_rows(data, params)
    reasons_rows = data.rows(overrides.select(
        "group", "record_id", "seq", "at", "from_stage", "to_stage", "reason", "unmet").order_by("seq"))
    reasons = [{"group": row["group"], "record_id": row["record_id"], "at": row["at"].isoformat(),
                "from_stage": row["from_stage"], "to_stage": row["to_stage"], "unmet": row["unmet"],
                "reason": row["reason"]} for row in reasons_rows]
    totals = {name: sum(row[name] for row in rows) for name in (*FIELDS, "gates_passed")}
    summary = {**totals, "score": adherence_score(totals) if by != "team" else None,
               "override_rate": ratio(totals["gates_overridden"], totals["forward_moves"])}
    columns = [Column("group", N_("Owner") if by == "owner" else by.capitalize()),
               Column("score", N_("Adherence score"), "num"),
               Column("forward_moves", N_("Gates"), "int"), Column("gates_passed", N_("Passed"), "int"),
               Column("gates_overridden", N_("Overridden"), "int"), Column("overrides", N_("Overrides (all)"), "int"),
               Column("stages_skipped", N_("Stages skipped"), "int"),
               Column("missing_activities", N_("Required activities missing"), "int"),
               Column("closes", N_("Closed"), "int"), Column("closes_met", N_("Outcome requirements met"), "int"),
               Column("lost", N_("Lost"), "int"), Column("lost_met", N_("Lost: customer informed"), "int"),
               Column("limited_stays", N_("Stays with limit"), "int"), Column("sla_breaches", N_("SLA breaches"), "int"),
               Column("deadlines_missed", N_("Deadlines missed"), "int")]
    reason_columns = [Column("group", N_("Group")), Column("record_id", N_("Record"), "int"), Column("at", N_("At")),
                      Column("from_stage", N_("From")), Column("to_stage", N_("To")), Column("unmet", N_("Unmet items"), "int"),
                      Column("reason", N_("Reason"))]
    return Report("adherence", N_("Process adherence"), {**params.to_data(), "by": by}, summary,
                  {"groups": Table(columns, rows, N_("Adherence by %(dimension)s", dimension=DIMENSION_NAMES.get(by, by))),
                   "reasons": Table(reason_columns, reasons, N_("Overrides and their reasons"))},
                  notes=[N_("Adherence score = 100 × (gates passed + closes with outcome requirements met + "
                            "stays within the time limit) / (forward moves + closes + stays in stages with a limit + "
                            "deadlines missed).")])

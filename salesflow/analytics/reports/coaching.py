"""Coaching: are managers meeting the people they manage as often as the library says, and do those people
do the activities the process recommends?

Per person with a manager (those the reader may see):

- ``held``: 1:1 meetings held within the window; ``expected`` = window days // the library's
  ``one_to_one_every_days`` (at least 1); ``cadence`` = held / expected (capped at 1 for the manager totals);
  the window is ``--from/--to``, by default the 90 days up to today.
- ``recommended``: the activities recommended in every stage their open records passed through (one per
  record, stage visited and activity); ``done`` of them done on that record; ``coverage`` = done / recommended.
- ``stalled``: open records over their stage's ``max_days``, or in a stage with a time limit without any event
  for ``stalled_after_days`` (a stage without a limit, e.g. a running contract, is quiet by design).
- ``adherence``: the person's adherence score (the adherence report by owner, every process).
"""

from __future__ import annotations

import datetime
from typing import Any

import ibis

from salesflow.analytics.reports import tables
from salesflow.analytics.reports.adherence import group_rows
from salesflow.analytics.reports.base import SECONDS_PER_DAY, Column, Data, Params, Report, Table, ratio
from salesflow.engine.texts import N_

#: The default window of the cadence (days up to today).
DEFAULT_WINDOW_DAYS = 90


def window(data: Data, params: Params) -> tuple[datetime.date, datetime.date]:
    """The window of the cadence: ``--from/--to``, by default the 90 days up to today (inclusive)."""
    end = params.date_to or data.now.astimezone(datetime.UTC).date()
    start = params.date_from or end - datetime.timedelta(days=DEFAULT_WINDOW_DAYS - 1)
    return start, end


def expected_meetings(start: datetime.date, end: datetime.date, every_days: int) -> int:
    """How many 1:1s the cadence asks for in a window (at least one)."""
    return max(1, ((end - start).days + 1) // every_days)


def record_coverage(data: Data, owners: list[int]) -> list[dict[str, Any]]:
    """Per open record of ``owners``: recommended and done activities, days since its last event, whether it is
    stalled."""
    if not owners:
        return []
    records = data.records
    open_records = records.filter(records.outcome.isnull() & records.owner_id.isin(owners)).select(
        "record_id", "owner_id", "process", "stage")
    # the stays themselves (not `tables.visits_of`: their durations are not needed, nor computed into a table)
    stays = data.visits if data.visits is not None else tables.visit_base(data.events)
    visited = stays.select("record_id", "process", "version", "stage").distinct()
    recommended_table = data.catalog.activity_table()
    keys = open_records.select(key_id=open_records.record_id)
    recommended = visited.join(keys, visited.record_id == keys.key_id).join(
        recommended_table, ["process", "version", "stage"]).select("record_id", "activity").distinct()
    events = data.events
    done = events.filter(events.kind == "activity_done").select(done_id=events.record_id,
                                                                done_activity=events.activity).distinct()
    marked = recommended.left_join(done, (recommended.record_id == done.done_id)
                                   & (recommended.activity == done.done_activity))
    counts = marked.group_by("record_id").agg(recommended=marked.count(),
                                              done=marked.count(where=marked.done_id.notnull()))
    touched = events.select("record_id", "at")
    touched = touched.join(keys, touched.record_id == keys.key_id)
    last = touched.group_by("record_id").agg(last_at=touched["at"].max())
    current = tables.open_stage_visits(data, once=True)
    current = current.filter(~current.completed & current.max_days.notnull()).select(
        over_id=current.record_id, limited=ibis.literal(True),
        over=current.seconds > current.max_days.cast("float64") * SECONDS_PER_DAY)
    joined = (open_records.left_join(counts, open_records.record_id == counts.record_id)
              .left_join(last, open_records.record_id == last.record_id)
              .left_join(current, open_records.record_id == current.over_id))
    joined = joined.select("record_id", "owner_id", "process", "stage", recommended=joined.recommended.fill_null(0),
                           done=joined.done.fill_null(0), last_at=joined.last_at, over=joined.over.fill_null(False),
                           limited=joined.limited.fill_null(False))
    rows = []
    now = data.now
    for row in sorted(data.rows(joined), key=lambda item: item["record_id"]):
        idle = (now - row["last_at"]).total_seconds() / SECONDS_PER_DAY if row["last_at"] else None
        stalled = bool(row["over"]) or (bool(row["limited"]) and idle is not None
                                        and idle >= data.quality.stalled_after_days)
        rows.append({"record_id": row["record_id"], "owner_id": row["owner_id"], "owner": data.users.get(
            row["owner_id"], ""), "process": row["process"], "stage": row["stage"],
            "recommended": int(row["recommended"]), "done": int(row["done"]),
            "coverage": ratio(int(row["done"]), int(row["recommended"])),
            "idle_days": round(idle, 1) if idle is not None else None, "over_limit": bool(row["over"]),
            "stalled": stalled})
    return rows


def coaching(data: Data, params: Params) -> Report:
    """The coaching report: 1:1s against the cadence per manager and person, activity coverage per person."""
    quality = data.quality
    start, end = window(data, params)
    expected = expected_meetings(start, end, quality.every_days)
    people = sorted(quality.managers, key=lambda pk: data.users.get(pk, str(pk)))
    held: dict[int, list[datetime.date]] = {}
    for meeting in quality.meetings:
        if quality.managers.get(meeting["person_id"]) == meeting["manager_id"]:
            held.setdefault(meeting["person_id"], []).append(meeting["date"])
    record_rows = record_coverage(data, people)
    scores = {row["group"]: row["score"] for row in group_rows(data, Params(
        by="owner", date_from=params.date_from, date_to=params.date_to))[0]}
    rows = []
    for person in people:
        dates = sorted(held.get(person, []))
        in_window = [day for day in dates if start <= day <= end]
        mine = [row for row in record_rows if row["owner_id"] == person]
        recommended, done = sum(row["recommended"] for row in mine), sum(row["done"] for row in mine)
        name = data.users.get(person, str(person))
        rows.append({"manager": data.users.get(quality.managers[person], ""), "person": name,
                     "held": len(in_window), "expected": expected, "cadence": ratio(len(in_window), expected),
                     "last_meeting": dates[-1].isoformat() if dates else None,
                     "days_since": (end - dates[-1]).days if dates else None,
                     "open_records": len(mine), "recommended": recommended, "done": done,
                     "coverage": ratio(done, recommended), "stalled": sum(1 for row in mine if row["stalled"]),
                     "adherence": scores.get(name)})
    managers = []
    for manager in sorted({row["manager"] for row in rows}):
        mine = [row for row in rows if row["manager"] == manager]
        on_cadence = sum(1 for row in mine if row["held"] >= row["expected"])
        managers.append({"manager": manager, "people": len(mine), "held": sum(row["held"] for row in mine),
                         "expected": sum(row["expected"] for row in mine),
                         "cadence": ratio(sum(min(row["held"], row["expected"]) for row in mine),
                                          sum(row["expected"] for row in mine)),
                         "on_cadence": on_cadence})
    held_total = sum(min(row["held"], row["expected"]) for row in rows)
    expected_total = sum(row["expected"] for row in rows)
    recommended_total, done_total = sum(row["recommended"] for row in rows), sum(row["done"] for row in rows)
    summary = {"window_from": start.isoformat(), "window_to": end.isoformat(), "every_days": quality.every_days,
               "people": len(rows), "held": sum(row["held"] for row in rows), "expected": expected_total,
               "cadence": ratio(held_total, expected_total),
               "on_cadence": sum(1 for row in rows if row["held"] >= row["expected"]),
               "recommended": recommended_total, "done": done_total,
               "coverage": ratio(done_total, recommended_total), "stalled": sum(row["stalled"] for row in rows)}
    person_columns = [
        Column("manager", N_("Line manager")), Column("person", N_("Person")), Column("held", N_("1:1s held"), "int"),
        Column("expected", N_("1:1s expected"), "int"), Column("cadence", N_("Cadence"), "pct"),
        Column("last_meeting", N_("Last 1:1")), Column("days_since", N_("Days since"), "int"),
        Column("open_records", N_("Open records"), "int"), Column("recommended", N_("Activities recommended"), "int"),
        Column("done", N_("Done"), "int"), Column("coverage", N_("Coverage"), "pct"), Column("stalled", N_("Stalled"), "int"),
        Column("adherence", N_("Adherence score"), "num")]
    manager_columns = [Column("manager", N_("Line manager")), Column("people", N_("People"), "int"),
                       Column("held", N_("1:1s held"), "int"), Column("expected", N_("1:1s expected"), "int"),
                       Column("cadence", N_("Cadence"), "pct"), Column("on_cadence", N_("People on cadence"), "int")]
    record_columns = [Column("owner", N_("Owner")), Column("record_id", N_("Record"), "int"), Column("process", N_("Process")),
                      Column("stage", N_("Stage")), Column("recommended", N_("Recommended"), "int"),
                      Column("done", N_("Done"), "int"), Column("coverage", N_("Coverage"), "pct"),
                      Column("idle_days", N_("Days without event"), "days"), Column("stalled", N_("Stalled"))]
    return Report("coaching", N_("Coaching"), params.to_data(), summary,
                  {"people": Table(person_columns, rows, N_("1:1s and activity coverage per person")),
                   "managers": Table(manager_columns, managers, N_("1:1s against the cadence per manager")),
                   "records": Table(record_columns, [{k: v for k, v in row.items() if k != "owner_id"}
                                                     for row in record_rows], "Open records")},
                  notes=[f"Cadence: a 1:1 every {quality.every_days} days (library settings, coaching); window "
                         f"{start.isoformat()} – {end.isoformat()}; cadence of the totals counts at most the "
                         "expected 1:1s per person."])

"""Pipeline hygiene reports: slips of the close date and stale records (`salesflow.engine.pipeline`'s rules).

- ``slips``: per record, how often its close date was pushed out of its quarter (a change into a later
  quarter; from the close date at creation and every change of it in the log). With ``--from/--to`` only the
  slips made in that range count. Table of the records that slipped (most slips first) and, with ``--by``,
  per group: records, records that slipped, slips.
- ``stale``: open records whose stage declares ``stale_days`` and whose last event lies more than that many
  days back (as of now), with the days since their last event — and with ``--by`` per group.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

import ibis

from salesflow.analytics.reports import tables
from salesflow.analytics.reports.base import (
    ALL_LABEL,
    NONE_LABEL,
    Column,
    Data,
    Params,
    Report,
    Table,
    money,
    ratio,
    sort_groups,
)
from salesflow.engine import pipeline
from salesflow.engine.replay import FIELD_CHANGED, RECORD_CREATED
from salesflow.engine.texts import N_


def _groups_of(data: Data, by: str | None) -> Any:
    """owner id / type → group labels (one row per team for ``team``)."""
    if by is None:
        return lambda row: [ALL_LABEL]
    if by == "owner":
        return lambda row: [data.users.get(row["owner_id"], NONE_LABEL) if row["owner_id"] is not None else NONE_LABEL]
    if by == "type":
        return lambda row: [row.get("type") or NONE_LABEL]
    if by == "process-version":
        return lambda row: [f"{row['process']} v{row['version']}"]
    teams: dict[int, list[str]] = defaultdict(list)
    for item in data.rows(data.memberships):
        teams[item["user_id"]].append(item["team"])
    return lambda row: sorted(teams.get(row["owner_id"], [])) or [NONE_LABEL]


def _record_rows(data: Data, params: Params, open_only: bool = False) -> list[dict[str, Any]]:
    records = tables.scoped_records(data, params, created_in_range=False)
    if open_only:
        records = records.filter(records.outcome.isnull())
    return data.rows(records.select("record_id", "process", "version", "stage", "owner_id", "type", "amount",
                                    "close_date", "outcome").order_by("record_id"))


def _stage_title(data: Data, process: str, stage: str) -> Any:
    info = data.catalog.stage(process, stage)
    return info.title if info else stage


def slips(data: Data, params: Params) -> Report:
    """How often each record's close date was pushed out of its quarter."""
    records = _record_rows(data, params)
    events = data.events
    changes = events.filter((events.kind == RECORD_CREATED)
                            | ((events.kind == FIELD_CHANGED) & (events.field == "close_date")))
    changes = changes.semi_join(tables.scoped_records(data, params, created_in_range=False).select("record_id"),
                                "record_id")
    value = ibis.ifelse(changes.kind == RECORD_CREATED, changes.v_close_date, changes.new_text)
    rows = data.rows(changes.select("record_id", "seq", "at", value=value).order_by(["record_id", "seq"]))
    start, end = params.from_at, params.to_at
    counts: dict[int, int] = defaultdict(int)
    previous: dict[int, datetime.date] = {}
    for row in rows:
        day = pipeline.as_day(row["value"])
        if day is None:
            continue
        before = previous.get(row["record_id"])
        in_range = (start is None or row["at"] >= start) and (end is None or row["at"] < end)
        if before is not None and pipeline.is_slip(before, day) and in_range:
            counts[row["record_id"]] += 1
        previous[row["record_id"]] = day
    groups_of = _groups_of(data, params.by)
    slipped, per_group = [], defaultdict(lambda: {"records": 0, "slipped": 0, "slips": 0, "slipped_amount": 0.0})
    for record in records:
        count = counts.get(record["record_id"], 0)
        for group in groups_of(record):
            item = per_group[group]
            item["records"] += 1
            item["slipped"] += 1 if count else 0
            item["slips"] += count
            item["slipped_amount"] += (record["amount"] or 0.0) if count else 0.0
        if count:
            slipped.append({"record_id": record["record_id"], "owner": data.users.get(record["owner_id"], NONE_LABEL),
                            "stage": record["stage"], "stage_title": _stage_title(data, record["process"], record["stage"]),
                            "close_date": record["close_date"].isoformat() if record["close_date"] else None,
                            "amount": money(record["amount"]), "slips": count,
                            "outcome": record["outcome"] or "open"})
    slipped.sort(key=lambda row: (-row["slips"], row["record_id"]))
    total_slips = sum(row["slips"] for row in slipped)
    summary = {"records": len(records), "slipped_records": len(slipped), "slips": total_slips,
               "slipped_share": ratio(len(slipped), len(records)),
               "slipped_amount": money(sum(row["amount"] for row in slipped)), "currency": data.currency}
    result = {"records": Table([Column("record_id", N_("Record"), "int"), Column("owner", N_("Owner")),
                                Column("stage", N_("Stage")), Column("close_date", N_("Close date")),
                                Column("amount", N_("Amount"), "money"), Column("slips", N_("Slips"), "int")],
                               slipped, N_("Records whose close date was pushed out of its quarter"))}
    if params.by:
        group_rows = [{"group": group, **per_group[group], "slipped_amount": money(per_group[group]["slipped_amount"]),
                       "share": ratio(per_group[group]["slipped"], per_group[group]["records"])}
                      for group in sort_groups(per_group)]
        result["groups"] = Table([Column("group", N_("Group")), Column("records", N_("Records"), "int"),
                                  Column("slipped", N_("Records that slipped"), "int"),
                                  Column("share", N_("Share"), "pct"), Column("slips", N_("Slips"), "int"),
                                  Column("slipped_amount", N_("Amount of those"), "money")], group_rows,
                                 N_("Slips by %(dimension)s", dimension=params.by))
    return Report("slips", N_("Slipped close dates"), params.to_data(), summary, result,
                  notes=[N_("A slip is a change of the close date into a later quarter; with --from/--to only the "
                            "slips made in that range count.")])


def stale(data: Data, params: Params) -> Report:
    """Open records without any event for longer than their stage's ``stale_days``."""
    records = _record_rows(data, params, open_only=True)
    events = data.events
    last_rows = data.rows(events.group_by("record_id").agg(last=events["at"].max()))
    last = {row["record_id"]: row["last"] for row in last_rows}
    limits = {(stage.process, stage.version, stage.stage): stage.stale_days for stage in data.catalog.stages}
    groups_of = _groups_of(data, params.by)
    found, per_group = [], defaultdict(lambda: {"checked": 0, "stale": 0, "stale_amount": 0.0})
    now = data.now
    for record in records:
        limit = limits.get((record["process"], record["version"], record["stage"]))
        at = last.get(record["record_id"])
        if limit is None or at is None:
            continue
        is_stale = pipeline.is_stale(limit, at, now)
        for group in groups_of(record):
            item = per_group[group]
            item["checked"] += 1
            item["stale"] += 1 if is_stale else 0
            item["stale_amount"] += (record["amount"] or 0.0) if is_stale else 0.0
        if is_stale:
            found.append({"record_id": record["record_id"], "owner": data.users.get(record["owner_id"], NONE_LABEL),
                          "stage": record["stage"], "stage_title": _stage_title(data, record["process"], record["stage"]),
                          "last_event": at.astimezone(datetime.UTC).isoformat(),
                          "days": pipeline.days_without_event(at, now), "stale_days": limit,
                          "amount": money(record["amount"])})
    found.sort(key=lambda row: (-row["days"], row["record_id"]))
    checked = sum(1 for record in records if limits.get((record["process"], record["version"], record["stage"])))
    summary = {"checked": checked, "stale": len(found), "stale_share": ratio(len(found), checked),
               "stale_amount": money(sum(row["amount"] for row in found)), "currency": data.currency,
               "as_of": now.isoformat()}
    result = {"records": Table([Column("record_id", N_("Record"), "int"), Column("owner", N_("Owner")),
                                Column("stage", N_("Stage")), Column("days", N_("Days without an event"), "int"),
                                Column("stale_days", N_("Stale after (days)"), "int"),
                                Column("amount", N_("Amount"), "money")], found,
                               N_("Stale records: no event for longer than their stage allows"))}
    if params.by:
        group_rows = [{"group": group, **per_group[group], "stale_amount": money(per_group[group]["stale_amount"]),
                       "share": ratio(per_group[group]["stale"], per_group[group]["checked"])}
                      for group in sort_groups(per_group)]
        result["groups"] = Table([Column("group", N_("Group")), Column("checked", N_("Open records checked"), "int"),
                                  Column("stale", N_("Stale"), "int"), Column("share", N_("Share"), "pct"),
                                  Column("stale_amount", N_("Stale amount"), "money")], group_rows,
                                 N_("Stale records by %(dimension)s", dimension=params.by))
    return Report("stale", N_("Stale records"), params.to_data(), summary, result,
                  notes=[N_("As of %(moment)s; a stage's stale_days (process library) say after how many days "
                            "without an event an open record in it is stale.", moment=now)])

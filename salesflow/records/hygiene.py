"""Slips and stale records of stored records (`salesflow.engine.pipeline` applied to the event log).

A record's slip count comes from its close-date history in the log (the value at creation, then every
change of ``close_date``); its last event from the log too — so both are what replaying the log gives.
A few queries for any number of records (the cards of a board, My work).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import Max, Q

from salesflow.engine import pipeline
from salesflow.engine.replay import FIELD_CHANGED, RECORD_CREATED
from salesflow.records.models import Event


def slip_counts(record_ids: Iterable[int]) -> dict[int, int]:
    """Record id → how often its close date was pushed out of its quarter (records without events: 0)."""
    ids = list(record_ids)
    dates: dict[int, list[Any]] = {record_id: [] for record_id in ids}
    if not ids:
        return {}
    rows = (Event.objects.filter(record_id__in=ids)
            .filter(Q(kind=RECORD_CREATED) | Q(kind=FIELD_CHANGED, payload__field="close_date"))
            .order_by("seq").values_list("record_id", "kind", "payload"))
    for record_id, kind, payload in rows:
        if kind == RECORD_CREATED:
            dates[record_id].append((payload.get("values") or {}).get("close_date"))
        else:
            dates[record_id].append(payload.get("new"))
    return {record_id: pipeline.slip_count(values) for record_id, values in dates.items()}


def last_events(record_ids: Iterable[int]) -> dict[int, datetime.datetime]:
    """Record id → the instant of its last event."""
    ids = list(record_ids)
    if not ids:
        return {}
    return dict(Event.objects.filter(record_id__in=ids).values("record_id").annotate(last=Max("at"))
                .values_list("record_id", "last"))


def stale_info(records: Iterable[Any], now: datetime.datetime) -> dict[int, dict[str, Any]]:
    """Record id → ``{"stale": bool, "days": days without an event, "stale_days": the stage's limit}`` for
    open records whose stage declares ``stale_days``."""
    from salesflow.records import services

    candidates = []
    for record in records:
        if record.outcome:
            continue
        definition = services.definition_of(record.process_version)
        stage = definition.stage(record.stage) if definition.has_stage(record.stage) else None
        if stage is not None and stage.stale_days is not None:
            candidates.append((record, stage.stale_days))
    last = last_events(record.pk for record, _ in candidates)
    result = {}
    for record, limit in candidates:
        at = last.get(record.pk, record.updated_at)
        result[record.pk] = {"stale": pipeline.is_stale(limit, at, now), "stale_days": limit,
                             "days": pipeline.days_without_event(at, now)}
    return result


def annotate_rows(rows: list[dict[str, Any]], now: datetime.datetime) -> list[dict[str, Any]]:
    """List rows / board cards (`row_of`) with ``slips``, ``stale`` and ``idle_days``."""
    slips = slip_counts(row["id"] for row in rows)
    stale = stale_info((row["record"] for row in rows), now)
    for row in rows:
        row["slips"] = slips.get(row["id"], 0)
        info = stale.get(row["id"])
        row["stale"] = bool(info and info["stale"])
        row["idle_days"] = info["days"] if info else None
        row["stale_days"] = info["stale_days"] if info else None
    return rows

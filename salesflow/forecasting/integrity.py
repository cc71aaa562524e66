"""Forecast submissions, adjustments and weekly locks checked against their events (part of
``salesflow audit verify``).

Every row names the event it was written with (``event_seq``): that event must exist, be of the row's kind
(``forecast_submitted`` / ``forecast_adjusted`` / ``forecast_locked``) and give the same facts — period, owner,
commit, best case, currency, note and time of a submission; period, team, commit, best case, currency, note,
adjuster and time of an adjustment; period, week, time and the frozen organisation figures (final commit,
expected) of a lock. No such event may be without its row. Rows are read before events (a row and its event
are written in one transaction, so a row read has its event among those read after).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from salesflow.forecasting.models import ForecastAdjustment, ForecastLock, ForecastSubmission
from salesflow.records.models import Event
from salesflow.records.replay import IntegrityReport

SUBMITTED, ADJUSTED, LOCKED = "forecast_submitted", "forecast_adjusted", "forecast_locked"


def _amount(value: Any) -> Decimal | None:
    """An amount of a row or a payload as a Decimal (None stays None; text that is no number stays text)."""
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return value


def _submission(row: ForecastSubmission, event: Event) -> dict[str, tuple[Any, Any]]:
    payload = event.payload or {}
    return {"period": (row.period, payload.get("period")), "owner": (row.owner.username, payload.get("owner")),
            "commit": (_amount(row.commit), _amount(payload.get("commit"))),
            "best_case": (_amount(row.best_case), _amount(payload.get("best_case"))),
            "currency": (row.currency, payload.get("currency")), "note": (row.note, payload.get("note")),
            "submitted_at": (row.submitted_at, event.at)}


def _adjustment(row: ForecastAdjustment, event: Event) -> dict[str, tuple[Any, Any]]:
    payload = event.payload or {}
    return {"period": (row.period, payload.get("period")),
            "team": (row.team.name if row.team is not None else None, payload.get("team")),
            "commit": (_amount(row.commit), _amount(payload.get("commit"))),
            "best_case": (_amount(row.best_case), _amount(payload.get("best_case"))),
            "currency": (row.currency, payload.get("currency")), "note": (row.note, payload.get("note")),
            "adjusted_by": (row.adjusted_by.username, payload.get("by")), "adjusted_at": (row.adjusted_at, event.at)}


def _lock(row: ForecastLock, event: Event) -> dict[str, tuple[Any, Any]]:
    payload = event.payload or {}
    rows = (row.figures or {}).get("rows") if isinstance(row.figures, dict) else None
    organisation = rows[0] if rows and isinstance(rows[0], dict) else {}
    return {"period": (row.period, payload.get("period")), "week": (row.week.isoformat(), payload.get("week")),
            "locked_at": (row.locked_at, event.at),
            "final_commit": (_amount(organisation.get("final_commit")), _amount(payload.get("final_commit"))),
            "expected": (_amount(organisation.get("expected")), _amount(payload.get("expected")))}


def _check(report: IntegrityReport, label: str, kind: str, rows: Iterable[Any],
           facts: Callable[[Any, Event], dict[str, tuple[Any, Any]]], model: Any) -> None:
    """Compare one table's rows with the events of ``kind``; report rows without their event and the reverse."""
    rows = list(rows)
    events = {event.seq: event for event in Event.objects.filter(kind=kind).order_by("seq").iterator(chunk_size=5000)}
    linked: set[int] = set()
    for row in rows:
        report.checked += 1
        event = events.get(row.event_seq)
        if event is None and row.event_seq is not None:  # another kind of event (or none) at that place
            event = Event.objects.filter(seq=row.event_seq).first()
        if row.event_seq is None or event is None:
            report.add(f"forecast {label} {row.pk}: no event records it (event {row.event_seq})",
                       {"forecast": label, "id": row.pk, "problem": "no event", "seq": row.event_seq})
            continue
        linked.add(event.seq)
        if event.kind != kind:
            report.add(f"forecast {label} {row.pk}: event {event.seq} is {event.kind}, not {kind}",
                       {"forecast": label, "id": row.pk, "problem": "wrong event", "seq": event.seq})
            continue
        names = [name for name, (stored, logged) in facts(row, event).items() if stored != logged]
        if names:
            report.add(f"forecast {label} {row.pk}: {', '.join(names)} differ(s) from event {event.seq}",
                       {"forecast": label, "id": row.pk, "problem": "differs", "fields": names, "seq": event.seq})
    unlinked = sorted(set(events) - linked)
    written_since = set(model.objects.filter(event_seq__in=unlinked).values_list("event_seq", flat=True))
    for seq in unlinked:
        if seq not in written_since:
            report.add(f"forecast {label}: event {seq} records it, but it is not in the database",
                       {"forecast": label, "problem": "missing", "seq": seq})


def check_forecasts() -> IntegrityReport:
    """Compare forecast submissions, adjustments and locks with the events they were written with."""
    report = IntegrityReport()
    submissions = list(ForecastSubmission.objects.select_related("owner").order_by("id"))
    adjustments = list(ForecastAdjustment.objects.select_related("team", "adjusted_by").order_by("id"))
    locks = list(ForecastLock.objects.order_by("id"))
    _check(report, "submission", SUBMITTED, submissions, _submission, ForecastSubmission)
    _check(report, "adjustment", ADJUSTED, adjustments, _adjustment, ForecastAdjustment)
    _check(report, "lock", LOCKED, locks, _lock, ForecastLock)
    return report

"""Exports of exactly what a list shows — same filter, same order, same access rule — as CSV or Excel.

The record list's export has the list's columns (titles in the reader's language, stage titles and
owners as the list shows them); the audit trail's has the columns of `salesflow.interop.exports`'
event export. Tables are written by `salesflow.interop.tables`. Every export appends a
``security.export`` event naming who exported what, how many rows and with which filters.
"""

from __future__ import annotations

import datetime
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from salesflow.engine.errors import BadInput
from salesflow.engine.texts import N_
from salesflow.interop.exports import EVENT_COLUMNS
from salesflow.interop.tables import Column, write_table
from salesflow.lists import trail
from salesflow.people.security import log_security_event
from salesflow.records import queries
from salesflow.web import labels
from salesflow.web.presenters import days_in_stage

#: The formats a person downloads from a list.
LIST_FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
HEAVY = ("process_version__definition", "process_version__source")
#: Rows a download from a list may hold (larger tables: `salesflow export`, which streams to a file).
MAX_ROWS = 100_000


@dataclass
class Download:
    """A written export: its bytes, file name, content type and row count."""

    content: bytes
    name: str
    content_type: str
    rows: int


def format_of(value: Any) -> str:
    """The download format (``csv`` by default); `BadInput` for any other than csv and xlsx."""
    fmt = str(value or "csv").strip().lower()
    if fmt not in LIST_FORMATS:
        raise BadInput(N_("format: csv or xlsx expected, got %(value)s", value=repr(fmt[:20])))
    return fmt


def record_columns() -> list[Column]:
    """The record list's columns, titled in the active language."""
    return [Column("#", "int"), Column(_("Title")), Column(_("Account")), Column(_("Process")), Column(_("Stage")),
            Column(_("Amount"), "decimal"), Column(_("Currency")), Column(_("Probability (%)"), "int"),
            Column(_("Owner")), Column(_("Close date"), "date"), Column(_("Days in stage"), "int"),
            Column(_("Classification")), Column(_("Outcome"))]


def record_rows(user: Any, flt: queries.RecordFilter, language: str) -> Iterator[list[Any]]:
    """The rows of the record list ``user`` sees with ``flt``, in the list's order."""
    from salesflow.web.views.records import row_of

    now = timezone.now()
    for record in queries.records_for(user, flt).defer(*HEAVY).iterator(chunk_size=2000):
        row = row_of(record, language, now)
        yield [row["id"], row["title"], row["account"] or None, row["process"], row["stage"], row["amount"],
               row["currency"], row["probability"], row["owner"], row["close_date"],
               None if row["outcome"] else days_in_stage(record, now),
               labels.label(labels.CLASSIFICATIONS, row["classification"]),
               labels.label(labels.OUTCOMES, row["outcome"]) or None]


def account_columns() -> list[Column]:
    """The account list's columns, titled in the active language (sums in the corporate currency)."""
    from salesflow.currency.settings import corporate_currency

    currency = corporate_currency()
    return [Column("#", "int"), Column(_("Account")), Column(_("Domain")), Column(_("Segment")),
            Column(_("Won revenue (%(currency)s)") % {"currency": currency}, "decimal"), Column(_("Customer")),
            Column(_("Open pipeline (%(currency)s)") % {"currency": currency}, "decimal"), Column(_("Records"), "int")]


def account_rows(user: Any, flt: Any) -> Iterator[list[Any]]:
    """The rows of the account list ``user`` sees with ``flt`` (figures of the records they may see), in its order."""
    from salesflow.accounts.overview import accounts_for

    for account in accounts_for(user, flt).iterator(chunk_size=2000):
        yield [account.pk, account.name, account.domain or None, account.visible_segment or None,
               account.won_revenue, _("existing customer") if account.existing_customer else _("new customer"),
               account.open_pipeline, account.record_count]


def event_rows(user: Any, flt: trail.TrailFilter) -> Iterator[list[Any]]:
    """The rows of the audit trail ``user`` sees with ``flt``, newest first (columns of the event export)."""
    for event, payload in trail.stream(trail.events_for(user, flt), user):
        yield [event.seq, event.at, event.record_id, event.process or None, event.process_version, event.kind,
               event.from_stage or None, event.to_stage or None, event.activity or None, event.approval or None,
               event.actor_id, event.actor_name, event.role or None, event.imported, payload,
               event.prev_hash, event.hash]


def refuse_large(count: int) -> None:
    """Refuse (`BadInput`) a download of more than `MAX_ROWS` rows, before anything is written or logged."""
    if count > MAX_ROWS:
        raise BadInput(N_("the list holds %(count)s rows, more than the %(limit)s a download may hold: narrow the "
                          "filter, or export with the command line (salesflow export)", count=count, limit=MAX_ROWS))


def _write(stem: str, fmt: str, columns: list[Column], rows: Iterator[list[Any]]) -> Download:
    name = f"{stem}-{timezone.localdate().isoformat()}.{fmt}"
    with tempfile.TemporaryDirectory(prefix="salesflow-list-") as folder:
        path = Path(folder) / name
        count = write_table(path, fmt, columns, rows)
        return Download(path.read_bytes(), name, CONTENT_TYPES[fmt], count)


def _filters(flt: Any) -> dict[str, str]:
    if isinstance(flt, trail.TrailFilter):
        return flt.as_params()
    values = {name: getattr(flt, name) for name in flt.__dataclass_fields__}
    return {name: value.isoformat() if isinstance(value, datetime.date) else str(value)
            for name, value in values.items() if value not in (None, "")}


def export_records(user: Any, flt: queries.RecordFilter, fmt: str, language: str, *, request: Any = None,
                   via: str = "web") -> Download:
    """The record list as ``user`` sees it with ``flt``, as a file; logs a ``security.export`` event."""
    refuse_large(queries.records_for(user, flt).count())
    download = _write("records", fmt, record_columns(), record_rows(user, flt, language))
    log_security_event("export", user, request=request, what="record_list", format=fmt, rows=download.rows,
                       file=download.name, filters=_filters(flt), context="user", via=via)
    return download


def export_accounts(user: Any, flt: Any, fmt: str, *, request: Any = None, via: str = "web") -> Download:
    """The account list as ``user`` sees it with ``flt``, as a file; logs a ``security.export`` event."""
    from salesflow.accounts.overview import accounts_for

    refuse_large(accounts_for(user, flt).count())
    download = _write("accounts", fmt, account_columns(), account_rows(user, flt))
    log_security_event("export", user, request=request, what="account_list", format=fmt, rows=download.rows,
                       file=download.name, filters=_filters(flt), context="user", via=via)
    return download


def export_events(user: Any, flt: trail.TrailFilter, fmt: str, *, request: Any = None, via: str = "web") -> Download:
    """The audit trail as ``user`` sees it with ``flt``, as a file; logs a ``security.export`` event."""
    refuse_large(trail.events_for(user, flt).count())
    download = _write("audit-trail", fmt, list(EVENT_COLUMNS), event_rows(user, flt))
    log_security_event("export", user, request=request, what="audit_trail", format=fmt, rows=download.rows,
                       file=download.name, filters=_filters(flt), context="user", via=via)
    return download

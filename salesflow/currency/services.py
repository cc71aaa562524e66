"""Exchange rates: set, import (our CSV or Salesforce's ``DatedConversionRate`` export), list, convert.

Each change is one transaction that writes the rates and their events (``exchange_rate_set``, with
the previous rate where one was replaced) to the hash-chained log. An import checks every row
first and stores all of them or none; every bad row is named (file, line, column, value).
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from salesflow.currency.book import Conversion, RateBook
from salesflow.currency.models import ExchangeRate
from salesflow.currency.settings import corporate_currency, currency_code, rate_manager_roles
from salesflow.engine.errors import BadInput, NotPermitted
from salesflow.engine.state import EventDraft
from salesflow.records import eventlog

CSV_COLUMNS = ("date", "from", "to", "rate")
#: The columns of a Salesforce ``DatedConversionRate`` export that an import reads.
SALESFORCE_COLUMNS = ("IsoCode", "ConversionRate", "StartDate")
#: Bad rows named in one message at most (the rest are counted).
MAX_PROBLEMS = 20
MAX_RATE = Decimal("1e12")
#: The file of a Salesforce export folder holding the dated exchange rates.
RATE_FILE = "DatedConversionRate.csv"


@dataclass(frozen=True)
class RateInput:
    """A rate as checked: ``1 from_currency = rate to_currency`` from ``date`` on."""

    date: datetime.date
    from_currency: str
    to_currency: str
    rate: Decimal


def may_manage_rates(user: Any) -> bool:
    """True for administrators and the roles the library names as rate managers."""
    if user is None:
        return True
    return bool(getattr(user, "is_superuser", False)) or bool(user.role_ids() & set(rate_manager_roles()))


def parse_date(value: Any, what: str = "date") -> datetime.date:
    """An ISO date (``2027-01-31``; a Salesforce date-time keeps its date); `BadInput` naming ``what``."""
    text = str(value or "").strip()
    try:
        return datetime.date.fromisoformat(text[:10])
    except ValueError:
        raise BadInput(f"{what}: a date like 2027-01-31 is expected, got {value!r}") from None


def parse_rate(value: Any, what: str = "rate") -> Decimal:
    """A positive rate; `BadInput` naming ``what`` and the bad value."""
    text = str(value or "").strip().replace(" ", "").replace("_", "")
    try:
        rate = Decimal(text)
    except (InvalidOperation, ValueError):
        raise BadInput(f"{what}: a number is expected, got {value!r}") from None
    if not rate.is_finite() or rate <= 0 or rate >= MAX_RATE:
        raise BadInput(f"{what}: a number greater than 0 is expected, got {value!r}")
    return rate


def check_rate(date: Any, source: Any, target: Any, rate: Any) -> RateInput:
    """A checked rate (``date`` None: today); raises `BadInput` naming the field."""
    day = timezone.localdate() if date in (None, "") else (date if isinstance(date, datetime.date)
                                                           else parse_date(date))
    from_code, to_code = currency_code(source, "from"), currency_code(target, "to")
    if from_code == to_code:
        raise BadInput(f"to: a rate converts between two currencies, got {from_code} → {to_code}")
    return RateInput(day, from_code, to_code, parse_rate(rate))


def _refuse(by: Any | None) -> None:
    if not may_manage_rates(by):
        roles = ", ".join(rate_manager_roles()) or "administrators only"
        raise NotPermitted(f"exchange rates are managed by {roles}")


def _store(items: list[RateInput], by: Any | None, source: str,
           at: datetime.datetime | None = None) -> list[ExchangeRate]:
    """Write the rates and one event each at ``at`` (default now; inside a transaction)."""
    from salesflow.records.services import actorship

    stored, drafts = [], []
    for item in items:
        found = ExchangeRate.objects.filter(date=item.date, from_currency=item.from_currency,
                                            to_currency=item.to_currency).first()
        previous = f"{found.rate.normalize():f}" if found else None
        rate, _ = ExchangeRate.objects.update_or_create(
            date=item.date, from_currency=item.from_currency, to_currency=item.to_currency,
            defaults={"rate": item.rate, "source": source[:200],
                      "updated_by": by.username if by is not None else "system"})
        stored.append(rate)
        payload = {"date": item.date.isoformat(), "from": item.from_currency, "to": item.to_currency,
                   "rate": f"{item.rate.normalize():f}", "source": source[:200]}
        if previous is not None:
            payload["previous"] = previous
        drafts.append(EventDraft(kind="exchange_rate_set", payload=payload))
    eventlog.append(drafts, actor=actorship(by), at=at or timezone.now())
    return stored


def do_set_rate(date: Any, source: Any, target: Any, rate: Any, by: Any | None = None) -> ExchangeRate:
    """Set (or replace) the rate of a pair from a date on (default: today)."""
    _refuse(by)
    item = check_rate(date, source, target, rate)
    with transaction.atomic():
        return _store([item], by, "set")[0]


def _read_text(path: str | Path) -> str:
    file = Path(path)
    try:
        return file.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise BadInput(f"{file}: no such file") from None
    except IsADirectoryError:
        raise BadInput(f"{file}: is a directory, a CSV file is expected") from None
    except (OSError, UnicodeDecodeError) as error:
        raise BadInput(f"{file}: cannot be read as UTF-8 text ({error})") from None


def parse_rates_csv(text: str, name: str, corporate: str | None = None) -> list[RateInput]:
    """Check every row of a rates CSV — ours (``date,from,to,rate``) or a Salesforce ``DatedConversionRate``
    export (``IsoCode,ConversionRate,StartDate``: 1 corporate = ConversionRate IsoCode) — and return them.

    Raises `BadInput` naming every bad row (file:line, column, value) — up to `MAX_PROBLEMS` of them.
    """
    try:
        reader = csv.DictReader(io.StringIO(text))
        header = [(column or "").strip() for column in (reader.fieldnames or [])]
    except csv.Error as error:
        raise BadInput(f"{name}:1: not a CSV file ({error})") from None
    if not header:
        raise BadInput(f"{name}: the file is empty (expected a header line: {', '.join(CSV_COLUMNS)})")
    salesforce = all(column in header for column in SALESFORCE_COLUMNS)
    if not salesforce:
        lowered = [column.lower() for column in header]
        unknown = [column for column in header if column.lower() not in CSV_COLUMNS]
        if unknown:
            raise BadInput(f"{name}:1: unknown column {unknown[0]!r} (columns: {', '.join(CSV_COLUMNS)}; or a "
                           f"Salesforce DatedConversionRate export with {', '.join(SALESFORCE_COLUMNS)})")
        missing = [column for column in CSV_COLUMNS if column not in lowered]
        if missing:
            raise BadInput(f"{name}:1: column {missing[0]!r} is missing (columns: {', '.join(CSV_COLUMNS)})")
        header = lowered
    reader.fieldnames = header
    base = currency_code(corporate or corporate_currency(), "corporate currency")
    items: list[RateInput] = []
    problems: list[str] = []
    bad = 0
    seen: dict[tuple[datetime.date, str, str], int] = {}
    try:
        for row in reader:
            line = reader.line_num
            if None in row:
                bad += 1
                problems.append(f"{name}:{line}: more values than columns")
                continue
            values = {key: (value or "").strip() for key, value in row.items()}
            if not any(values.values()):
                continue
            try:
                if salesforce:
                    code = currency_code(values["IsoCode"], "IsoCode")
                    if code == base:
                        continue      # the corporate currency's own row (rate 1)
                    item = RateInput(parse_date(values["StartDate"], "StartDate"), base, code,
                                     parse_rate(values["ConversionRate"], "ConversionRate"))
                else:
                    item = check_rate(parse_date(values["date"]), values["from"], values["to"], values["rate"])
            except BadInput as error:
                bad += 1
                column, _, detail = error.message.partition(":")
                problems.append(f"{name}:{line}: column {column}: {detail.strip()}")
                continue
            key = (item.date, item.from_currency, item.to_currency)
            if key in seen:
                bad += 1
                problems.append(f"{name}:{line}: {item.from_currency} → {item.to_currency} on {item.date} is "
                                f"already given on line {seen[key]}")
                continue
            seen[key] = line
            items.append(item)
    except csv.Error as error:
        raise BadInput(f"{name}:{reader.line_num}: not a CSV file ({error})") from None
    if problems:
        shown = problems[:MAX_PROBLEMS]
        more = f"\n… and {bad - len(shown)} more bad row(s)" if bad > len(shown) else ""
        raise BadInput(f"{name}: {bad} bad row(s), nothing imported:\n" + "\n".join(shown) + more)
    if not items:
        raise BadInput(f"{name}: no rate in the file")
    return items


def import_rates_text(text: str, name: str, by: Any | None = None, corporate: str | None = None
                      ) -> list[ExchangeRate]:
    """Import the rates of a CSV text (all rows or none)."""
    _refuse(by)
    items = parse_rates_csv(text, name, corporate)
    with transaction.atomic():
        return _store(items, by, f"import {Path(name).name}")


def import_rates_csv(path: str | Path, by: Any | None = None, corporate: str | None = None) -> list[ExchangeRate]:
    """Import a rates CSV file (``date,from,to,rate`` or a Salesforce ``DatedConversionRate`` export)."""
    _refuse(by)
    return import_rates_text(_read_text(path), str(path), by, corporate)


def parse_rates_file(path: str | Path, corporate: str | None = None) -> list[RateInput]:
    """Check a rates CSV file (see `parse_rates_csv`) without storing anything."""
    return parse_rates_csv(_read_text(path), str(path), corporate)


def store_rates(items: list[RateInput], by: Any | None, source: str,
                at: datetime.datetime | None = None) -> list[ExchangeRate]:
    """Store checked rates and their events (at ``at``, default now) in one transaction."""
    _refuse(by)
    with transaction.atomic():
        return _store(items, by, source, at)


def list_rates(source: str | None = None, target: str | None = None) -> list[ExchangeRate]:
    """Every stored rate (optionally of one currency on either side), by pair and date."""
    query = ExchangeRate.objects.all()
    if source:
        query = query.filter(from_currency=currency_code(source, "from"))
    if target:
        query = query.filter(to_currency=currency_code(target, "to"))
    return list(query.order_by("from_currency", "to_currency", "date"))


def rate_data(rate: ExchangeRate) -> dict[str, Any]:
    """A rate as JSON-ready data."""
    return {"date": rate.date.isoformat(), "from": rate.from_currency, "to": rate.to_currency,
            "rate": f"{rate.rate.normalize():f}", "source": rate.source, "updated_by": rate.updated_by,
            "updated_at": rate.updated_at.isoformat() if rate.updated_at else None}


def rate_book() -> RateBook:
    """Every stored rate in memory (a few per currency and month: small)."""
    rows = list(ExchangeRate.objects.values_list("date", "from_currency", "to_currency", "rate"))
    return RateBook(rows, corporate_currency())


def to_corporate(amount: Decimal | float | None, currency: str | None, day: datetime.date | None = None,
                 book: RateBook | None = None) -> Conversion | None:
    """``amount`` in the corporate currency at the rate in force on ``day`` (default today); None without a
    rate or an amount."""
    if amount is None:
        return None
    corporate = corporate_currency()
    book = book or rate_book()
    return book.convert(Decimal(str(amount)), (currency or corporate).upper(), corporate,
                        day or timezone.localdate())

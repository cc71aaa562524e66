"""Cell values from other systems' files: dates, times, numbers, yes/no — each refusal a clear message.

Every parser takes what a CSV or spreadsheet cell holds (text, or a number / date from Excel) and
raises ``ValueError`` with a message meant for the person who made the file.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any

UTC = datetime.UTC
_DATE_PREFIX = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?$")
_NUMBER_GROUPS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
_TRUE = {"1", "true", "yes", "y", "wahr", "ja"}
_FALSE = {"0", "false", "no", "n", "falsch", "nein", ""}


def blank(value: Any) -> bool:
    """True for an empty cell."""
    return value is None or (isinstance(value, str) and not value.strip())


def parse_datetime(value: Any, zone: datetime.tzinfo = UTC) -> datetime.datetime:
    """A point in time (aware, UTC): ``YYYY-MM-DD``, ``YYYY-MM-DD HH:MM:SS``, ISO 8601 with or without zone.

    Times without a zone are taken in ``zone`` (UTC by default: Salesforce exports are in UTC).
    US dates ``M/D/YYYY [h:mm [AM|PM]]`` (HubSpot, Excel) are accepted too.
    """
    if isinstance(value, datetime.datetime):
        parsed = value
    elif isinstance(value, datetime.date):
        parsed = datetime.datetime(value.year, value.month, value.day)
    else:
        text = str(value).strip()
        if not text:
            raise ValueError("a date is required")
        parsed = _parse_text_datetime(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)


def instant_text(at: datetime.datetime) -> str:
    """A point in time as fixed-width UTC text ``YYYY-MM-DDTHH:MM:SS.ffffff`` (sorts like the times)."""
    if at.tzinfo is not None:
        at = at.astimezone(UTC)
    return at.replace(tzinfo=None).isoformat(timespec="microseconds")


def parse_instant(value: Any, zone: datetime.tzinfo = UTC) -> str:
    """`parse_datetime` as `instant_text`; fast for Salesforce's ``YYYY-MM-DD HH:MM:SS`` (UTC)."""
    if (zone is UTC and isinstance(value, str) and len(value) == 19 and value[4] == "-" and value[7] == "-"
            and value[10] in " T" and value[13] == ":" and value[16] == ":"):
        try:
            datetime.datetime.fromisoformat(value)  # a real date and time
        except ValueError:
            pass
        else:
            return f"{value[:10]}T{value[11:]}.000000"
    return instant_text(parse_datetime(value, zone))


def _parse_text_datetime(text: str) -> datetime.datetime:
    candidate = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    try:
        return datetime.datetime.fromisoformat(candidate)
    except ValueError:
        pass
    match = _US_DATE.match(text)
    if match:
        month, day, year, hour, minute, second, half = match.groups()
        hour_value = int(hour or 0)
        if half:
            if not 1 <= hour_value <= 12:
                raise ValueError(f"not a valid time: {text!r}")
            hour_value = hour_value % 12 + (12 if half.lower() == "pm" else 0)
        try:
            return datetime.datetime(int(year), int(month), int(day), hour_value, int(minute or 0), int(second or 0))
        except ValueError:
            raise ValueError(f"not a valid date: {text!r}") from None
    if _DATE_PREFIX.match(text):
        raise ValueError(f"not a valid date/time: {text!r} (YYYY-MM-DD, YYYY-MM-DD HH:MM:SS or ISO 8601 expected)")
    raise ValueError(f"a date is expected (YYYY-MM-DD, YYYY-MM-DD HH:MM:SS or ISO 8601), got {text!r}")


def parse_date(value: Any) -> datetime.date:
    """A calendar date: the date part of any value `parse_datetime` accepts (as written, no zone shift)."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    if not text:
        raise ValueError("a date is required")
    match = _DATE_PREFIX.match(text)
    if match:
        try:
            day = datetime.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            raise ValueError(f"not a valid date: {text!r}") from None
        rest = text[10:]
        if rest:
            _parse_text_datetime(text)  # the time part must be valid too
        return day
    return _parse_text_datetime(text).date()


def parse_number(value: Any) -> Decimal:
    """A finite decimal number (``120000``, ``120000.50``, ``120,000.50``; Excel numbers as they are)."""
    if isinstance(value, bool):
        raise ValueError(f"a number is expected, got {value!r}")
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = str(value).strip().replace("_", "").replace("\u00a0", "").replace(" ", "")
    if _NUMBER_GROUPS.match(text):
        text = text.replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"a number is expected, got {str(value)!r}") from None
    if not number.is_finite():
        raise ValueError(f"a finite number is expected, got {str(value)!r}")
    return number


def parse_money(value: Any) -> str:
    """A non-negative amount as canonical money text (two decimals)."""
    number = parse_number(value)
    if number < 0:
        raise ValueError(f"must not be negative, got {str(value)!r}")
    if number >= Decimal("1e15"):
        raise ValueError(f"too large: {str(value)!r}")
    return f"{number.quantize(Decimal('0.01')):f}"


def parse_percent(value: Any) -> int:
    """A whole percentage 0–100 (``10``, ``10.0``, ``10%``)."""
    text = str(value).strip().removesuffix("%").strip() if not isinstance(value, (int, float, Decimal)) else value
    number = parse_number(text)
    if number != number.to_integral_value():
        raise ValueError(f"a whole percentage is expected, got {str(value)!r}")
    if not 0 <= number <= 100:
        raise ValueError(f"a percentage 0–100 is expected, got {str(value)!r}")
    return int(number)


def parse_bool(value: Any) -> bool:
    """Yes/no: ``1``/``0``, ``true``/``false``, ``yes``/``no`` (empty is no)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"yes or no (1/0, true/false) expected, got {str(value)!r}")

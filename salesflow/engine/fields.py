"""Field values: from what a person types to the canonical form records and events keep."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from salesflow.engine.errors import BadInput
from salesflow.process.model import BUILTIN_FIELDS, Classification, ProcessDefinition

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_TRUE = {"1", "true", "yes", "on", "y"}
_FALSE = {"0", "false", "no", "off", "n"}
MAX_TEXT = 2000


def parse_decimal(raw: Any, name: str) -> Decimal:
    """A finite decimal number (accepts ``120000``, ``120000.50``, ``120_000``, ``120,000.50``)."""
    if isinstance(raw, bool):
        raise BadInput(f"{name}: a number is expected, got {raw!r}")
    text = str(raw).strip().replace("_", "")
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", text):
        text = text.replace(",", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise BadInput(f"{name}: a number is expected, got {raw!r}") from None
    if not value.is_finite():
        raise BadInput(f"{name}: a finite number is expected, got {raw!r}")
    return value


def money_text(value: Decimal) -> str:
    """Canonical money text: two decimals, no exponent."""
    return f"{value.quantize(Decimal('0.01')):f}"


def parse_date(raw: Any, name: str) -> str:
    """An ISO date ``YYYY-MM-DD``."""
    if isinstance(raw, datetime.datetime):
        return raw.date().isoformat()
    if isinstance(raw, datetime.date):
        return raw.isoformat()
    try:
        return datetime.date.fromisoformat(str(raw).strip()).isoformat()
    except ValueError:
        raise BadInput(f"{name}: a date YYYY-MM-DD is expected, got {raw!r}") from None


def coerce(definition: ProcessDefinition, name: str, raw: Any) -> Any:
    """Check and convert one field value to its canonical form; ``None``/"" clears the field.

    User fields are not resolved here (the caller maps user names to ids and checks roles).
    Raises `BadInput` naming the field.
    """
    kind = definition.field_type(name)
    if kind is None:
        known = ", ".join(sorted(set(BUILTIN_FIELDS) | set(definition.fields)))
        raise BadInput(f"unknown field {name!r} (fields of {definition.process}: {known})")
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        if name in ("title", "classification", "currency"):
            raise BadInput(f"{name}: a value is required")
        return None
    if kind == "money":
        value = parse_decimal(raw, name)
        if value < 0:
            raise BadInput(f"{name}: must not be negative")
        if value >= Decimal("1e15"):
            raise BadInput(f"{name}: too large")
        return money_text(value)
    if kind == "number":
        return f"{parse_decimal(raw, name):f}"
    if kind == "integer":
        value = parse_decimal(raw, name)
        if value != value.to_integral_value():
            raise BadInput(f"{name}: a whole number is expected, got {raw!r}")
        return int(value)
    if kind == "date":
        return parse_date(raw, name)
    if kind == "boolean":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise BadInput(f"{name}: yes or no expected, got {raw!r}")
    if kind == "classification":
        try:
            return Classification(str(raw).strip().lower().replace(" ", "_")).value
        except ValueError:
            allowed = ", ".join(item.value for item in Classification)
            raise BadInput(f"{name}: one of {allowed} expected, got {raw!r}") from None
    if kind == "user":
        return raw
    text = str(raw).strip()
    if len(text) > MAX_TEXT:
        raise BadInput(f"{name}: at most {MAX_TEXT} characters")
    if name == "currency":
        text = text.upper()
        if not _CURRENCY.match(text):
            raise BadInput(f"currency: a three-letter ISO 4217 code is expected, got {raw!r}")
    if kind == "choice":
        choices = definition.fields[name].choice_ids()
        if text not in choices:
            raise BadInput(f"{name}: one of {', '.join(choices)} expected, got {raw!r}")
    if kind == "email" and not _EMAIL.match(text):
        raise BadInput(f"{name}: an e-mail address is expected, got {raw!r}")
    if kind == "url" and not re.match(r"^https?://\S+$", text):
        raise BadInput(f"{name}: an http(s) URL is expected, got {raw!r}")
    return text


def is_filled(value: Any) -> bool:
    """True when a field holds a value (0 counts, empty text does not)."""
    return value is not None and value != "" and value != []

"""Field values: from what a person types to the canonical form records and events keep."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from salesflow.engine.errors import BadInput
from salesflow.engine.texts import N_
from salesflow.process.model import BUILTIN_FIELDS, Classification, ProcessDefinition

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_TRUE = {"1", "true", "yes", "on", "y"}
_FALSE = {"0", "false", "no", "off", "n"}
MAX_TEXT = 2000


def parse_decimal(raw: Any, name: str) -> Decimal:
    """A finite decimal number (accepts ``120000``, ``120000.50``, ``120_000``, ``120,000.50``)."""
    if isinstance(raw, bool):
        raise BadInput(N_("%(field)s: a number is expected, got %(value)s", field=name, value=repr(raw)))
    text = str(raw).strip().replace("_", "")
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", text):
        text = text.replace(",", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise BadInput(N_("%(field)s: a number is expected, got %(value)s", field=name, value=repr(raw))) from None
    if not value.is_finite():
        raise BadInput(N_("%(field)s: a finite number is expected, got %(value)s", field=name, value=repr(raw)))
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
        raise BadInput(N_("%(field)s: a date YYYY-MM-DD is expected, got %(value)s", field=name, value=repr(raw))) from None


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
            raise BadInput(N_("%(field)s: a value is required", field=name))
        return None
    if kind == "money":
        value = parse_decimal(raw, name)
        if value < 0:
            raise BadInput(N_("%(field)s: must not be negative", field=name))
        if value >= Decimal("1e15"):
            raise BadInput(N_("%(field)s: too large", field=name))
        return money_text(value)
    if kind == "number":
        return f"{parse_decimal(raw, name):f}"
    if kind == "integer":
        value = parse_decimal(raw, name)
        if value != value.to_integral_value():
            raise BadInput(N_("%(field)s: a whole number is expected, got %(value)s", field=name, value=repr(raw)))
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
        raise BadInput(N_("%(field)s: yes or no expected, got %(value)s", field=name, value=repr(raw)))
    if kind == "classification":
        try:
            return Classification(str(raw).strip().lower().replace(" ", "_")).value
        except ValueError:
            allowed = ", ".join(item.value for item in Classification)
            raise BadInput(N_("%(field)s: one of %(allowed)s expected, got %(value)s", field=name, allowed=allowed,
                              value=repr(raw))) from None
    if kind == "user":
        return raw
    text = str(raw).strip()
    if len(text) > MAX_TEXT:
        raise BadInput(N_("%(field)s: at most %(limit)s characters", field=name, limit=MAX_TEXT))
    if name == "currency":
        text = text.upper()
        if not _CURRENCY.match(text):
            raise BadInput(N_("%(field)s: a three-letter ISO 4217 code is expected, got %(value)s", field="currency",
                              value=repr(raw)))
    if kind == "choice":
        choices = definition.fields[name].choice_ids()
        if text not in choices:
            raise BadInput(N_("%(field)s: one of %(allowed)s expected, got %(value)s", field=name,
                              allowed=", ".join(choices), value=repr(raw)))
    if kind == "email" and not _EMAIL.match(text):
        raise BadInput(N_("%(field)s: an e-mail address is expected, got %(value)s", field=name, value=repr(raw)))
    if kind == "url" and not re.match(r"^https?://\S+$", text):
        raise BadInput(N_("%(field)s: an http(s) URL is expected, got %(value)s", field=name, value=repr(raw)))
    return text


def is_filled(value: Any) -> bool:
    """True when a field holds a value (0 counts, empty text does not)."""
    return value is not None and value != "" and value != []

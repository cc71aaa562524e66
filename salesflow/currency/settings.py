"""The corporate currency and the roles that manage exchange rates: one place reads them.

The library's settings file (``salesflow/library/library-settings.yaml``, top-level key
``library_settings:``) may hold a ``currency:`` section::

    library_settings:
      currency:
        corporate: EUR                   # every total, forecast, target, segment and chart
        rate_managers: [head_of_sales]   # roles that may set and import exchange rates

Without that section the installation setting ``SALESFLOW_CURRENCY`` (default ``EUR``) names the
corporate currency, and only administrators manage rates.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from salesflow.engine.errors import BadInput

SETTINGS_FILE = Path(__file__).resolve().parent.parent / "library" / "library-settings.yaml"
DEFAULT_CURRENCY = "EUR"


@dataclass(frozen=True)
class CurrencySettings:
    """The corporate currency and the roles that may manage exchange rates."""

    corporate: str
    rate_managers: tuple[str, ...] = ()


def currency_code(value: object, what: str = "currency") -> str:
    """A three-letter currency code (upper case); raises `BadInput` naming ``what`` and the bad value."""
    text = str(value or "").strip().upper()
    if len(text) != 3 or not text.isascii() or not text.isalpha():
        raise BadInput(f"{what}: a three-letter currency code is expected, got {value!r}")
    return text


@lru_cache(maxsize=4)
def _read(path: str, mtime: float) -> CurrencySettings | None:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise BadInput(f"{path}: cannot be read as YAML ({error})") from None
    section = ((data.get("library_settings") or {}) if isinstance(data, dict) else {}).get("currency")
    if not isinstance(section, dict):
        return None
    corporate = section.get("corporate")
    managers = section.get("rate_managers") or []
    if not isinstance(managers, list) or not all(isinstance(item, str) for item in managers):
        raise BadInput(f"{path}: library_settings.currency.rate_managers: a list of role ids is expected, "
                       f"got {managers!r}")
    code = currency_code(corporate, f"{path}: library_settings.currency.corporate") if corporate else \
        _installation_currency()
    return CurrencySettings(code, tuple(managers))


def _installation_currency() -> str:
    return currency_code(os.environ.get("SALESFLOW_CURRENCY") or DEFAULT_CURRENCY, "SALESFLOW_CURRENCY")


def currency_settings(path: Path | None = None) -> CurrencySettings:
    """The library's currency section (re-read when the file changes), else the installation's setting."""
    file = path or SETTINGS_FILE
    if file.is_file():
        found = _read(str(file), file.stat().st_mtime)
        if found is not None:
            return found
    return CurrencySettings(_installation_currency())


def corporate_currency() -> str:
    """The currency every figure is computed and shown in."""
    return currency_settings().corporate


def rate_manager_roles() -> tuple[str, ...]:
    """The roles that may set and import exchange rates (besides administrators)."""
    return currency_settings().rate_managers

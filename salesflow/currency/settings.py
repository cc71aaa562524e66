"""The corporate currency and the roles that manage exchange rates: one place reads them.

The library settings in force (the default library's ``salesflow/library/library-settings.yaml``,
top-level key ``library_settings:``; `salesflow.process.library_settings.CurrencySection`) may hold a
``currency:`` section::

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

from salesflow.engine.errors import BadInput

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


def _installation_currency() -> str:
    return currency_code(os.environ.get("SALESFLOW_CURRENCY") or DEFAULT_CURRENCY, "SALESFLOW_CURRENCY")


def currency_settings() -> CurrencySettings:
    """The currency section of the library settings in force, else the installation's setting.

    Read through the access rules' cache of the settings in force (`salesflow.people.access.policy`),
    so a company's own library settings (``salesflow process load DIR``) count, not the shipped file.
    """
    from salesflow.people.access import policy

    section = policy().settings.currency
    corporate = section.corporate or _installation_currency()
    return CurrencySettings(corporate, tuple(section.rate_managers))


def corporate_currency() -> str:
    """The currency every figure is computed and shown in."""
    return currency_settings().corporate


def rate_manager_roles() -> tuple[str, ...]:
    """The roles that may set and import exchange rates (besides administrators)."""
    return currency_settings().rate_managers

"""The longest text each database column holds, and the message for a value beyond it.

Importers check every text they store against its column while they check the rows, so a value
that does not fit is refused as ``file:row: column: too long …`` with everything else that is wrong,
and nothing is written: a title is never cut short without a word.
"""

from __future__ import annotations

from functools import cache
from typing import Any

#: (model label, field) of each limited text an import stores.
COLUMNS = {
    "title": ("records.Record", "title"),
    "account": ("records.Record", "account"),
    "account_name": ("accounts.Account", "name"),
    "domain": ("accounts.Account", "domain"),
    "external_id": ("interop.ExternalRef", "external_id"),
    "username": ("people.User", "username"),
    "first_name": ("people.User", "first_name"),
    "last_name": ("people.User", "last_name"),
    "email": ("people.User", "email"),
}


@cache
def limit(kind: str) -> int:
    """The most characters the column for ``kind`` (a key of `COLUMNS`) holds: the model's ``max_length``."""
    from django.apps import apps

    label, field = COLUMNS[kind]
    return int(apps.get_model(label)._meta.get_field(field).max_length)


def too_long(value: Any, kind: str) -> str | None:
    """The message for a text longer than its column (naming its length and how it starts); None if it fits."""
    if value is None:
        return None
    text = str(value)
    most = limit(kind)
    if len(text) <= most:
        return None
    start = text[:40] + ("…" if len(text) > 40 else "")
    return f"too long: {len(text):,} characters, at most {most:,} fit ({start!r})"

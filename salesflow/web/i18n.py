"""The core's marked sentences (`salesflow.engine.texts.Sentence`) in the reader's language.

One place turns a `Sentence` into the active language: the template is looked up in the catalogue,
each parameter is localized (a nested `Sentence` in turn, a list joined, a number or date in the locale's
format, an id named by ``name`` when the caller knows what it stands for). Plain strings are
returned as they are (``translate_label`` is the one for fixed labels such as column headings).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.utils.translation import get_language, gettext

from salesflow.engine.texts import Names, Sentence, Translated

#: names a parameter: (parameter name, value) → the text to show, or None to keep the value
Namer = Callable[[str, Any], str | None]


def localize(value: Any, name: Namer | None = None) -> str:
    """``value`` in the active language when it is a marked `Sentence` or a `Translated` library text;
    else ``value`` as text."""
    if isinstance(value, Translated):
        return value.in_language((get_language() or "en")[:2])
    if not isinstance(value, Sentence):
        return "" if value is None else str(value)
    params = {key: _parameter(key, item, name) for key, item in value.params.items()}
    template = gettext(value.template)
    try:
        return template % params if params else template
    except (KeyError, TypeError, ValueError):  # a catalogue entry that does not fit its template: say it in English
        return str(value)


def translate_label(value: Any) -> str:
    """A fixed label of the core (a column heading, a chart title) in the active language."""
    if isinstance(value, Sentence | Translated):
        return localize(value)
    return gettext(value) if isinstance(value, str) and value else ("" if value is None else str(value))


def _parameter(key: str, value: Any, name: Namer | None) -> Any:
    if name is not None and not isinstance(value, Sentence):
        named = name(key, value)
        if named is not None:
            return named
    if isinstance(value, Sentence | Translated):
        return localize(value, name)
    if isinstance(value, Names):
        return str(value)
    if isinstance(value, list | tuple):
        return ", ".join(str(_parameter(key, item, name)) for item in value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and _names_an_identifier(key):
        return str(value)  # a record number is a name, not a quantity: never "14,023"
    if isinstance(value, int | float | Decimal | datetime.date):
        from salesflow.web.formats import show

        return show(value)
    return value


def _names_an_identifier(key: str) -> bool:
    return key in {"record", "approval", "event", "seq"} or key.endswith("_id")

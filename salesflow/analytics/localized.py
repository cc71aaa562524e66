"""The reports as people read them in the browser: labels, titles, notes, chart texts and cells in the
active language and the locale's formats (`salesflow.web.formats`). The CLI and CSV keep the reports' raw
English values."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext, gettext_noop

from salesflow.analytics.reports.base import ALL_LABEL, NONE_LABEL, Column
from salesflow.engine.texts import Sentence
from salesflow.web import formats
from salesflow.web.i18n import localize, translate_label

#: texts the reports put into cells (groups, flags) that have a translation
CELL_WORDS = {ALL_LABEL: gettext_noop("all"), NONE_LABEL: gettext_noop("(none)")}


def web_cell(value: Any, column: Column) -> str:
    """A value as shown in a table cell of a report page."""
    if value is None:
        return "–"
    if isinstance(value, Sentence):
        return localize(value)
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if column.kind == "pct":
        return formats.percent(value)
    if column.kind == "money":
        return formats.number(round(float(value)), 0)
    if column.kind == "days":
        return formats.days(value)
    if column.kind in ("num", "int"):
        return formats.number(value) if isinstance(value, int | float) else str(value)
    if isinstance(value, str) and value in CELL_WORDS:
        return gettext(CELL_WORDS[value])
    return formats.show(value)


def translate_spec(value: Any, key: str = "") -> Any:
    """A chart specification with every marked text (titles, axis and legend titles, series names) localized."""
    if isinstance(value, Sentence):
        return localize(value)
    if isinstance(value, dict):
        return {name: translate_spec(item, name) for name, item in value.items()}
    if isinstance(value, list):
        return [translate_spec(item, key) for item in value]
    if key == "title" and isinstance(value, str):
        return translate_label(value)
    return value


def notes(report: Any) -> list[str]:
    """The report's notes in the active language."""
    return [localize(note) for note in report.notes]

"""The reports as people read them in the browser: labels, titles, notes, chart texts and cells in the
active language and the locale's formats (`salesflow.web.formats`). The CLI and CSV keep the reports' raw
English values."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.utils.translation import gettext, gettext_noop

from salesflow.analytics.reports.base import ALL_LABEL, NONE_LABEL, Column
from salesflow.analytics.reports.lostreasons import NO_REASON
from salesflow.analytics.reports.winrate import SEGMENT_EXISTING, SEGMENT_NEW
from salesflow.engine.texts import Sentence, Translated
from salesflow.web import formats
from salesflow.web.i18n import localize, translate_label

#: texts the reports put into cells (groups, flags) that have a translation
CELL_WORDS = {ALL_LABEL: gettext_noop("all"), NONE_LABEL: gettext_noop("(none)"), NO_REASON: gettext_noop("(no reason)"),
              SEGMENT_NEW: gettext_noop("new business"), SEGMENT_EXISTING: gettext_noop("existing customer"),
              "team": gettext_noop("team"), "owner": gettext_noop("owner"), "type": gettext_noop("type")}


def web_cell(value: Any, column: Column) -> str:
    """A value as shown in a table cell of a report page."""
    if value is None:
        return "–"
    if isinstance(value, Sentence | Translated):
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
    if isinstance(value, str) and ISO_DAY.match(value):
        return formats.show(_parsed(value))
    return formats.show(value)


#: a date or a timestamp as the reports write them in text cells (ISO 8601)
ISO_DAY = re.compile(r"^\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d+)?)?([+-]\d\d:\d\d|Z)?)?$")


def _parsed(value: str) -> datetime.date | datetime.datetime | str:
    try:
        return datetime.date.fromisoformat(value) if len(value) == 10 else \
            datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value


def translate_spec(value: Any, key: str = "") -> Any:
    """A chart specification with every marked text (titles, axis and legend titles, series names) localized."""
    if isinstance(value, Sentence | Translated):
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

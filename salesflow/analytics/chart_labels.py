"""What a chart's categories are called on a page: people by name, choice values, processes and the "all" group
in the reader's language, instead of the ids the reports compute with (``kam2``, ``cross_selling``, ``all``).

The reports and their CSV keep the ids; only the specification drawn in the browser (or rendered as SVG/PNG
for the web) is relabelled here.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.utils.translation import gettext, gettext_noop

from salesflow.analytics.localized import CELL_WORDS

#: Data fields of the charts that hold a category (a group, a lead source, a person, a target scope, a step).
LABELLED_FIELDS = ("group", "source", "person", "scope", "step", "owner")
#: Words the monitoring reports group by (subjects of mystery shopping, audiences of satisfaction surveys).
CHART_WORDS = {"partner": gettext_noop("partners"), "rep": gettext_noop("own sales force"),
               "end customer": gettext_noop("end customers"), "channel": gettext_noop("channel partners")}
#: Table columns holding a stage id, and those holding a person, a group or a process key.
STAGE_COLUMNS = ("from_stage", "to_stage")
NAMED_COLUMNS = ("group", "owner", "manager", "person", "process")
#: Prefix of the stage ids in the labels (a stage id may equal another id).
STAGE = "stage:"
#: How some fields join their parts ("head → kam", "account-management: Draft").
SEPARATORS = {"person": " → ", "step": ": ", "source": ": ", "scope": ": "}


def chart_labels(language: str) -> dict[str, str]:
    """Id → name: users (username → display name), choice values of the processes' fields, process keys."""
    from salesflow.people.models import User
    from salesflow.process.model import Status
    from salesflow.records.models import Process, ProcessVersion

    # every version's id, number, status and hash in one query (not the definitions: they are cached)
    versions: dict[int, list[Any]] = {}
    for version in ProcessVersion.objects.only("id", "process_id", "version", "status", "scheduled", "sha256"
                                               ).order_by("-version"):
        versions.setdefault(version.process_id, []).append(version)
    labels: dict[str, str] = {}
    for process in Process.objects.only("id", "key", "title"):
        candidates = versions.get(process.id, [])
        current = [version for version in candidates
                   if version.status == Status.approved.value and not version.scheduled]
        version = (current or candidates or [None])[0]
        if version is not None:
            for key, text in _definition_labels(version.pk, version.sha256, language):
                labels.setdefault(key, text)
        labels[process.key] = process.title_in(language)
    for username, first, last in User.objects.values_list("username", "first_name", "last_name"):
        name = f"{first} {last}".strip()
        if name:
            labels[username] = name
    for word, text in {**CHART_WORDS, **CELL_WORDS}.items():
        labels[word] = gettext(text)
    return labels


@lru_cache(maxsize=256)
def _definition_labels(version_id: int, sha256: str, language: str) -> tuple[tuple[str, str], ...]:
    """(id, name) of the stages and choice values of one process version, in ``language``."""
    from salesflow.records.models import ProcessVersion
    from salesflow.records.services import definition_of

    definition = definition_of(ProcessVersion(pk=version_id, sha256=sha256))
    pairs = [(STAGE + stage.id, stage.display_title(language)) for stage in definition.stages]
    for field in definition.fields.values():
        if isinstance(field.choices, dict):
            pairs.extend((choice, text.get_text(language)) for choice, text in field.choices.items())
    return tuple(pairs)


def _label(value: Any, field: str, labels: dict[str, str]) -> Any:
    if not isinstance(value, str):
        return value
    if value in labels:
        return labels[value]
    separator = SEPARATORS.get(field)
    if separator and separator in value:
        head, _sep, tail = value.partition(separator)
        if field == "step":   # "process: stage title": only the process is an id
            return f"{labels.get(head, head)}{separator}{tail}"
        return separator.join(labels.get(part, part) for part in (head, tail))
    return value


def relabel(spec: Any, labels: dict[str, str]) -> Any:
    """The specification with every category value of its data named (see `LABELLED_FIELDS`)."""
    if isinstance(spec, list):
        return [relabel(item, labels) for item in spec]
    if not isinstance(spec, dict):
        return spec
    result = {}
    for key, value in spec.items():
        if key == "values" and isinstance(value, list):
            result[key] = [{name: _label(cell, name, labels) if name in LABELLED_FIELDS else cell
                            for name, cell in row.items()} if isinstance(row, dict) else row for row in value]
        else:
            result[key] = relabel(value, labels)
    return result


def table_value(value: Any, column: str, labels: dict[str, str]) -> Any:
    """A report table's cell named for the page: stage ids by their title, people and groups by their name."""
    if not isinstance(value, str):
        return value
    if column in STAGE_COLUMNS:
        return labels.get(STAGE + value, value)
    if column in NAMED_COLUMNS:
        return _label(value, column, labels)
    return value

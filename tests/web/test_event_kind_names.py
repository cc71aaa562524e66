"""Every event kind the code writes has a name in English and German (`salesflow.web.event_kinds`): the audit
trail's kind filter and column and the record timeline show it instead of the raw id."""

from __future__ import annotations

import re
from pathlib import Path

from django.utils import translation

from salesflow.web.event_kinds import EVENT_KIND_NAMES, kind_choices, kind_name

SOURCE = Path(__file__).resolve().parents[2] / "salesflow"
#: Where the code names the kind of an event it appends (a literal kind).
WRITES = re.compile(r"""(?:EventDraft\(kind=|_append\(|_log\(|log_security_event\(|services\._log\(|kind = (?=f?"[a-z_]+" if ))"""
                    r"""f?"([a-z][a-z0-9_.{}]*)"(?: if .*? else "([a-z_]+)")?""")
#: Kinds assembled from a prefix and a value: every value they take.
ASSEMBLED = {"stock_{movement.kind}": ("stock_received", "stock_issued", "stock_adjusted")}


def kinds_written() -> set[str]:
    """The event kinds appended somewhere in the code (security events with their prefix)."""
    found: set[str] = set()
    constants: dict[str, str] = {}
    named: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            constant = re.match(r'^([A-Z][A-Z_]+) = "([a-z_]+)"', line)
            if constant:
                constants[constant.group(1)] = constant.group(2)
            named.update(re.findall(r"EventDraft\(kind=([A-Z][A-Z_]+)\b", line))
            for match in WRITES.finditer(line):
                for kind in filter(None, match.groups()):
                    if "log_security_event(" in line and "security." not in kind:
                        kind = f"security.{kind}"
                    found.update(ASSEMBLED.get(kind, (kind,)))
    found.update(constants[name] for name in named if name in constants)
    return {kind for kind in found if "_" in kind or kind.startswith("security.") or kind in EVENT_KIND_NAMES}


def test_every_kind_written_has_a_name() -> None:
    written = kinds_written()
    assert {"stage_changed", "forecast_submitted", "security.login", "stock_issued", "process_retired"} <= written
    unnamed = sorted(kind for kind in written if kind not in EVENT_KIND_NAMES and "{" not in kind)
    assert unnamed == []


def test_names_in_german_and_unknown_kinds_readable() -> None:
    with translation.override("de"):
        assert kind_name("stage_changed") == "Phase gewechselt"
        assert kind_name("security.login") == "Angemeldet"
        german = {kind: kind_name(kind) for kind in EVENT_KIND_NAMES}
        assert [name for _kind, name in kind_choices(["stage_changed", "approval_granted"])] == [
            "Freigabe erteilt", "Phase gewechselt"]
    assert kind_name("stage_changed") == "Stage changed"
    assert [kind for kind in EVENT_KIND_NAMES if kind_name(kind) == german[kind]] == []  # each one translated
    assert kind_name("plugin.thing_done") == "plugin: thing done"

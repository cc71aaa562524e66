"""A semantic diff of two process definitions: stages, probabilities, gates, roles, activities, approvals.

Each change names a section (stage, activity, gate …), the item, the attribute and the old and new
value as readable text; `text_diff` adds the plain line diff of the YAML sources.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from salesflow.process.model import Approval, ProcessDefinition, Requirements, Text

#: Sections in the order a reader expects them.
SECTIONS = ("process", "guideline", "role", "stage", "gate", "activity", "approval", "field", "transition", "rights")


@dataclass(frozen=True)
class Change:
    """One difference: ``kind`` is added, removed or changed."""

    section: str
    item: str
    attribute: str
    kind: str
    old: str | None
    new: str | None

    def to_data(self) -> dict[str, Any]:
        """JSON-ready change."""
        return {"section": self.section, "item": self.item, "attribute": self.attribute, "kind": self.kind,
                "old": self.old, "new": self.new}

    def __str__(self) -> str:
        where = f"{self.section} {self.item}".strip()
        if self.kind == "added" and not self.attribute:
            return f"+ {where}: added"
        if self.kind == "removed" and not self.attribute:
            return f"- {where}: removed"
        return f"~ {where}: {self.attribute} {self.old if self.old not in (None, '') else '∅'} → " \
               f"{self.new if self.new not in (None, '') else '∅'}"


class _Value:
    """A compared value: what is compared (all languages) and what is shown (one language)."""

    def __init__(self, compare: Any, show: str) -> None:
        self.compare = compare
        self.show = show


def _text(value: Text | None, language: str) -> _Value:
    if value is None:
        return _Value(None, "")
    return _Value(dict(value), value.get_text(language))


def _texts(values: list[Text], language: str) -> _Value:
    return _Value([dict(value) for value in values], "; ".join(value.get_text(language) for value in values))


def _plain(value: Any) -> _Value:
    if value is None:
        return _Value(None, "")
    if isinstance(value, bool):
        return _Value(value, "yes" if value else "no")
    if isinstance(value, (list, tuple)):
        return _Value(list(value), ", ".join(str(item) for item in value))
    return _Value(value, str(value.value if hasattr(value, "value") else value))


def _requires(requires: Requirements | None) -> _Value:
    if requires is None or requires.is_empty():
        return _Value(None, "")
    parts = []
    for key in ("activities", "fields", "approvals"):
        items = getattr(requires, key)
        if items:
            parts.append(f"{key}: {', '.join(items)}")
    return _Value(requires.model_dump(), "; ".join(parts))


def _bands(approval: Approval) -> _Value:
    if approval.role:
        return _Value(approval.role, approval.role)
    parts = []
    for band in approval.by_amount:
        limit = f"≤ {band.up_to:,.0f}" if band.up_to is not None else "above"
        parts.append(f"{limit} {band.role}")
    for band in approval.by_discount:
        parts.append(f"{'≤ ' + format(band.up_to, 'g') + ' %' if band.up_to is not None else 'above'} discount "
                     f"{band.role}")
    data = [band.model_dump() for band in approval.by_amount] + \
        [{"discount": band.model_dump()} for band in approval.by_discount]
    return _Value(data, "; ".join(parts))


def entities(definition: ProcessDefinition, language: str = "en") -> dict[tuple[str, str], dict[str, _Value]]:
    """Every comparable item of a definition with its attributes."""
    d = definition
    g = d.guideline
    result: dict[tuple[str, str], dict[str, _Value]] = {
        ("process", ""): {"title": _text(d.title, language), "record": _plain(d.record),
                          "description": _text(d.description, language)},
        ("guideline", ""): {
            "responsible": _plain(g.responsible), "associated_process": _text(g.associated_process, language),
            "classification": _plain(g.classification), "goal": _text(g.goal, language),
            "scope": _text(g.scope, language), "inputs": _texts(g.inputs, language),
            "outputs": _texts(g.outputs, language), "depends_on": _plain(g.depends_on),
            "notes": _texts(g.notes, language),
        },
    }
    for role_id, role in d.roles.items():
        result[("role", role_id)] = {"title": _text(role.title, language), "tasks": _texts(role.tasks, language),
                                     "description": _text(role.description, language)}
    for position, stage in enumerate(d.stages, start=1):
        result[("stage", stage.id)] = {
            "position": _plain(position), "title": _Value(dict(stage.title) if stage.title else None,
                                                          stage.display_title(language)),
            "probability": _Value(stage.probability, f"{stage.probability} %"),
            "forecast_category": _plain(stage.effective_forecast_category()),
            "time_limit_days": _plain(stage.max_days), "outcome": _plain(stage.outcome),
            "activities": _plain([activity.id for activity in stage.activities]),
            "entry_requires": _requires(stage.requires),
        }
        if stage.gate is not None:
            gate = stage.gate
            result[("gate", stage.id)] = {
                "decision": _text(gate.decision, language), "decided_by": _plain(gate.decided_by),
                "delegable_to": _plain(gate.delegable_to), "requires": _requires(d.gate_requirements(stage)),
                "on_no": _text(gate.on_no, language),
            }
        for activity in stage.activities:
            result[("activity", activity.id)] = {
                "stage": _plain(stage.id), "title": _text(activity.title, language),
                "responsible": _plain(activity.responsible), "accountable": _plain(activity.accountable),
                "consulted": _plain(activity.consulted), "informed": _plain(activity.informed),
                "required": _plain(activity.required), "customer_contact": _plain(activity.customer_contact),
                "time_limit_days": _plain(activity.max_days), "requires": _requires(activity.requires),
                "description": _text(activity.description, language),
            }
    for approval_id, approval in d.approvals.items():
        result[("approval", approval_id)] = {"title": _text(approval.title, language), "authority": _bands(approval)}
    for name, field in d.fields.items():
        result[("field", name)] = {"type": _plain(field.type), "title": _text(field.title, language),
                                   "required": _plain(field.required), "role": _plain(field.role),
                                   "choices": _plain(field.choice_ids())}
    for transition in d.transitions:
        result[("transition", f"{transition.from_} → {transition.to}")] = {"roles": _plain(transition.roles)}
    for right in ("move", "edit", "override", "set_probability", "create"):
        result[("rights", right)] = {"roles": _plain(getattr(d.rights, right))}
    return result


def semantic_diff(old: ProcessDefinition, new: ProcessDefinition, language: str = "en") -> list[Change]:
    """The changes from ``old`` to ``new``, ordered by section then by the items' order in the newer version."""
    before, after = entities(old, language), entities(new, language)
    order = {key: index for index, key in enumerate([*after, *[k for k in before if k not in after]])}
    changes: list[Change] = []
    for key in sorted(set(before) | set(after), key=lambda k: (SECTIONS.index(k[0]), order[k])):
        section, item = key
        if key not in before:
            changes.append(Change(section, item, "", "added", None, _summary(after[key])))
            continue
        if key not in after:
            changes.append(Change(section, item, "", "removed", _summary(before[key]), None))
            continue
        for attribute, value in after[key].items():
            previous = before[key].get(attribute, _Value(None, ""))
            if previous.compare != value.compare:
                old_show, new_show = previous.show, value.show
                if old_show == new_show:  # only another language differs
                    old_show, new_show = f"{old_show} (other language)", f"{new_show} (changed translation)"
                changes.append(Change(section, item, attribute, "changed", old_show, new_show))
    return changes


def _summary(attributes: dict[str, _Value]) -> str:
    for name in ("title", "probability", "roles", "authority"):
        if name in attributes and attributes[name].show:
            return attributes[name].show
    return ""


def text_diff(old_source: str, new_source: str, old_name: str = "old", new_name: str = "new") -> list[str]:
    """The unified line diff of two YAML sources."""
    return list(difflib.unified_diff(old_source.splitlines(), new_source.splitlines(), old_name, new_name, lineterm=""))


def side_by_side(old_source: str, new_source: str) -> list[tuple[str, str, str]]:
    """Rows (tag, old line, new line) for a side-by-side view; tag is equal, replace, delete or insert."""
    old_lines, new_lines = old_source.splitlines(), new_source.splitlines()
    rows: list[tuple[str, str, str]] = []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        left, right = old_lines[i1:i2], new_lines[j1:j2]
        for index in range(max(len(left), len(right))):
            rows.append((tag, left[index] if index < len(left) else "", right[index] if index < len(right) else ""))
    return rows

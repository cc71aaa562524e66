"""Version migration: a running record moved from its process version to a newer one with a stage map.

Framework-free. `stage_map` checks a map (old stage id → new stage id) against both versions and
fills in the stages that keep their id; `plan` tells for one record what the move changes (stage,
probability, gate items unmet in the new stage, what is dropped because the new version no longer
declares it, what the new stage adds); `migrate` returns the new state and the one
``record_migrated`` event that records it. Replay (`salesflow.engine.replay`) follows the event's
payload alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from salesflow.engine.actions import effective_probability
from salesflow.engine.errors import BadInput
from salesflow.engine.gates import gate_unmet
from salesflow.engine.replay import RECORD_MIGRATED
from salesflow.engine.state import EventDraft, RecordState
from salesflow.process.model import BUILTIN_FIELDS, ProcessDefinition

__all__ = ["RECORD_MIGRATED", "Plan", "event", "plan", "stage_map"]


def stage_map(old: ProcessDefinition, new: ProcessDefinition, explicit: dict[str, str],
              used: set[str] | None = None) -> dict[str, str]:
    """The full stage map from ``old`` to ``new``: the explicit entries, then every stage keeping its id.

    Raises `BadInput` for an entry naming an unknown stage or mapping to an outcome stage (a
    migration does not close records), and for stages of ``used`` (the running records' stages;
    default every open stage) that ``new`` no longer has and the map leaves out.
    """
    problems: list[str] = []
    for source, target in explicit.items():
        if not old.has_stage(source):
            problems.append(f"--map {source}={target}: v{old.version} has no stage {source!r}")
        elif not new.has_stage(target):
            known = ", ".join(stage.id for stage in new.open_stages)
            problems.append(f"--map {source}={target}: v{new.version} has no stage {target!r} (its stages: {known})")
        elif new.stage(target).is_outcome:
            problems.append(f"--map {source}={target}: {target} is an outcome; a migration does not close records")
    if problems:
        raise BadInput("; ".join(problems))
    result = {stage.id: stage.id for stage in old.stages if new.has_stage(stage.id)}
    result.update(explicit)
    stages = used if used is not None else {stage.id for stage in old.open_stages}
    missing = sorted(stage for stage in stages if stage not in result)
    if missing:
        raise BadInput(f"stage(s) {', '.join(missing)} of v{old.version} do not exist in v{new.version}: map them "
                       f"with --map OLD=NEW (stages of v{new.version}: "
                       f"{', '.join(stage.id for stage in new.open_stages)})")
    return result


@dataclass
class Plan:
    """What migrating one record changes."""

    from_version: int
    to_version: int
    from_stage: str
    to_stage: str
    mapped: bool  # the stage was mapped explicitly (its id is not in the new version)
    probability_from: int
    probability_to: int
    unmet: list[str] = field(default_factory=list)
    dropped: dict[str, Any] = field(default_factory=dict)
    added: dict[str, list[str]] = field(default_factory=dict)
    override_cleared: bool = False

    def to_data(self) -> dict[str, Any]:
        """JSON-ready form (the contract of ``process migrate --json`` and the API)."""
        return {
            "from_version": self.from_version, "to_version": self.to_version,
            "from_stage": self.from_stage, "to_stage": self.to_stage, "mapped": self.mapped,
            "probability": {"from": self.probability_from, "to": self.probability_to},
            "unmet_gate": list(self.unmet),
            "dropped": {"fields": sorted(self.dropped.get("fields", {})),
                        **{key: list(self.dropped.get(key, [])) for key in
                           ("activities", "decisions", "approvals", "delegations")}},
            "added": {key: list(value) for key, value in self.added.items()},
        }

    def changes(self) -> list[str]:
        """The changes in words (what the dry run prints after the stage)."""
        words: list[str] = []
        if self.probability_from != self.probability_to:
            words.append(f"probability {self.probability_from}% → {self.probability_to}%")
        if self.unmet:
            words.append("unmet gate: " + "; ".join(self.unmet))
        data = self.to_data()
        for key, items in data["dropped"].items():
            if items:
                words.append(f"dropped {key}: {', '.join(items)}")
        for key, items in data["added"].items():
            if items:
                words.append(f"added {key}: {', '.join(items)}")
        return words


def _new_state(old: ProcessDefinition, new: ProcessDefinition, state: RecordState,
               target: str) -> tuple[RecordState, dict[str, Any], bool]:
    """The state under ``new`` in stage ``target``, what it dropped, and whether the override was cleared."""
    moved = state.copy()
    moved.stage = target
    dropped: dict[str, Any] = {}
    gone_fields = {name: value for name, value in state.values.items()
                   if name not in BUILTIN_FIELDS and name not in new.fields}
    if gone_fields:
        dropped["fields"] = gone_fields
    activities = new.activities()
    for key, kept, items in (("activities", lambda item: item in activities, moved.done),
                             ("decisions", new.has_stage, moved.decisions),
                             ("approvals", lambda item: item in new.approvals, moved.approvals),
                             ("delegations", new.has_stage, moved.delegations)):
        gone = sorted(item for item in items if not kept(item))
        for item in gone:
            items.pop(item)
        if gone:
            dropped[key] = gone
    for name in gone_fields:
        moved.values.pop(name)
    cleared = state.probability_override is not None and target != state.stage
    if cleared:
        moved.probability_override = None
    return moved, dropped, cleared


def plan(old: ProcessDefinition, new: ProcessDefinition, state: RecordState, stages: dict[str, str],
         language: str = "en") -> tuple[Plan, RecordState]:
    """What migrating a record in ``state`` from ``old`` to ``new`` with the full map ``stages`` changes."""
    target = stages[state.stage]
    moved, dropped, cleared = _new_state(old, new, state, target)
    new_stage = new.stage(target)
    old_activities = old.activities()
    added = {
        "fields": sorted(name for name in new.fields if name not in old.fields),
        "activities": [activity.id for activity in new_stage.activities if activity.id not in old_activities],
    }
    unmet = [item.message for item in gate_unmet(new, moved, new_stage, language)] if new_stage.gate else []
    result = Plan(old.version, new.version, state.stage, target, target != state.stage or not new.has_stage(state.stage),
                  effective_probability(old, state), effective_probability(new, moved), unmet, dropped, added, cleared)
    return result, moved


def event(result: Plan) -> EventDraft:
    """The ``record_migrated`` event of one record's migration (replayable from its payload)."""
    return EventDraft(kind=RECORD_MIGRATED, from_stage=result.from_stage, to_stage=result.to_stage, payload={
        "from_version": result.from_version, "to_version": result.to_version,
        "dropped": result.dropped, "override_cleared": result.override_cleared,
    })

"""The stage graph of a process: which moves exist (not who may make them).

By default a record may move forward one open stage, back to any earlier open stage, and from any
open stage to any outcome; a process's ``transitions`` add further moves.
"""

from __future__ import annotations

from enum import StrEnum

from salesflow.process.model import Outcome, ProcessDefinition


class MoveKind(StrEnum):
    """How a move relates to the order of the stages."""

    forward = "forward"      # to a later open stage, or to a positive outcome: the gate must hold
    backward = "backward"    # back to an earlier stage: always allowed, recorded
    exit = "exit"            # to a negative outcome (lost): the outcome's own requirements apply


def move_kind(definition: ProcessDefinition, from_stage: str, to_stage: str) -> MoveKind:
    """Classify a move between two stages of the process."""
    target = definition.stage(to_stage)
    if target.is_outcome:
        return MoveKind.forward if target.outcome == Outcome.won else MoveKind.exit
    if definition.stage_index(to_stage) < definition.stage_index(from_stage):
        return MoveKind.backward
    return MoveKind.forward


def skipped_stages(definition: ProcessDefinition, from_stage: str, to_stage: str) -> list[str]:
    """Open stages jumped over by a forward move (empty for a move to the next stage)."""
    open_ids = [stage.id for stage in definition.open_stages]
    if from_stage not in open_ids:
        return []
    start = open_ids.index(from_stage)
    target = definition.stage(to_stage)
    end = len(open_ids) if target.is_outcome else open_ids.index(to_stage)
    if target.is_outcome and target.outcome != Outcome.won:
        return []
    return open_ids[start + 1 : end]


def default_targets(definition: ProcessDefinition, from_stage: str) -> list[str]:
    """Stages reachable in one move by the default rules."""
    stage = definition.stage(from_stage)
    if stage.is_outcome:
        return []
    open_ids = [item.id for item in definition.open_stages]
    index = open_ids.index(from_stage)
    targets = open_ids[:index]
    if index + 1 < len(open_ids):
        targets.append(open_ids[index + 1])
    targets.extend(item.id for item in definition.outcome_stages)
    return targets


def extra_targets(definition: ProcessDefinition, from_stage: str) -> list[str]:
    """Stages a process's explicit ``transitions`` add from this stage."""
    return [transition.to for transition in definition.transitions if transition.from_ == from_stage]


def targets(definition: ProcessDefinition, from_stage: str) -> list[str]:
    """Every stage reachable in one move from ``from_stage``, in stage order."""
    found = set(default_targets(definition, from_stage)) | set(extra_targets(definition, from_stage))
    return [stage.id for stage in definition.stages if stage.id in found]


def reachable_stages(definition: ProcessDefinition) -> set[str]:
    """Stages reachable from the first stage by any sequence of moves."""
    start = definition.first_stage.id
    seen = {start}
    todo = [start]
    while todo:
        current = todo.pop()
        for target in targets(definition, current):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen

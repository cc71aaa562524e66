"""Stage effects: what entering a stage does besides the engine's bookkeeping, as the library declares it.

A stage's ``effects`` (see `salesflow.process.model.Effects`) name what happens on entry, e.g.
``issue_stock``. The app that carries an effect out registers a handler for its key when Django starts
(`register`); `run_stage_effects` calls the handlers of the stage a record just entered, inside the
transaction of the action that moved it, so a handler's refusal (an `EngineError`) undoes the move too.
Nothing here knows a process, a stage or a role.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from salesflow.engine.errors import BadInput
from salesflow.process.model import ProcessDefinition

#: handler(record, definition, effect declaration, user, at)
Handler = Callable[[Any, ProcessDefinition, Any, Any, datetime.datetime], None]

_HANDLERS: dict[str, Handler] = {}


def register(key: str, handler: Handler) -> None:
    """Let ``handler`` carry out the effect ``key`` (one handler per key; the last registration wins)."""
    _HANDLERS[key] = handler


def run_stage_effects(record: Any, definition: ProcessDefinition, user: Any | None, at: datetime.datetime) -> None:
    """Run the effects declared on the stage ``record`` has just entered."""
    effects = definition.stage(record.stage).effects
    if effects is None:
        return
    for key in type(effects).model_fields:
        declared = getattr(effects, key)
        if declared is None:
            continue
        handler = _HANDLERS.get(key)
        if handler is None:
            raise BadInput(f"stage {record.stage}: effect {key} is not available in this installation")
        handler(record, definition, declared, user, at)

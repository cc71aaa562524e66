"""An outcome sets the close date to the day of the close; the planned date stays in the event (engine)."""

from __future__ import annotations

from salesflow.engine import actions
from tests.engine.walk import HEAD, new_record


def test_closing_sets_the_close_date_and_keeps_the_planned_one_in_the_event(definition) -> None:
    state = actions.set_fields(definition, new_record(definition), HEAD, {"close_date": "2027-03-31"}).state
    result = actions.move(definition, state, HEAD, "won", override_reason="signed early")
    actions.close_on(result, "2026-12-04")
    assert result.state.values["close_date"] == "2026-12-04"
    closed = next(event for event in result.events if event.kind == "record_closed")
    assert closed.payload["close_date"] == "2026-12-04"
    assert closed.payload["planned_close_date"] == "2027-03-31"


def test_a_move_between_open_stages_keeps_the_close_date(definition) -> None:
    state = actions.set_fields(definition, new_record(definition), HEAD, {"close_date": "2027-03-31"}).state
    result = actions.move(definition, state, HEAD, "solution_design", override_reason="test")
    actions.close_on(result, "2026-12-04")
    assert result.state.values["close_date"] == "2027-03-31"

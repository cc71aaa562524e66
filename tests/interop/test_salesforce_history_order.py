"""OpportunityHistory.csv in any row order gives the same events: per opportunity, in time order."""

from __future__ import annotations

import pytest

from salesflow.records.eventlog import verify
from salesflow.records.models import Event, Record
from tests.interop.conftest import opportunity

pytestmark = pytest.mark.django_db

HISTORY = [
    ["008H1", "006O1", "005U1", "2025-01-02 09:00:00", "Prospecting", "1000", "10", "2025-06-30"],
    ["008H2", "006O2", "005U1", "2025-01-03 09:00:00", "Prospecting", "700", "10", "2025-06-30"],
    ["008H3", "006O1", "005U1", "2025-02-01 09:00:00", "Proposal/Price Quote", "1500", "75", "2025-06-30"],
    ["008H4", "006O2", "005U1", "2025-02-02 09:00:00", "Needs Analysis", "700", "20", "2025-07-31"],
    ["008H5", "006O1", "005U1", "2025-03-05 09:00:00", "Closed Won", "1500", "100", "2025-07-15"],
]
OPPORTUNITIES = [
    opportunity("006O1", "Acme rollout", "Closed Won", amount="1500", probability="100", close="2025-07-15",
                closed="1", won="1", modified="2025-03-05 09:00:00"),
    opportunity("006O2", "Beta pilot", "Needs Analysis", amount="700", probability="20", close="2025-07-31",
                modified="2025-02-02 09:00:00"),
]


def events_by_title() -> dict[str, list[tuple[str, str, str, str | None]]]:
    """Per record title: its events (kind, to stage, time, history id) in chain order."""
    result: dict[str, list[tuple[str, str, str, str | None]]] = {}
    for record in Record.objects.order_by("title"):
        result[record.title] = [(event.kind, event.to_stage, event.at.isoformat(),
                                 event.payload["source"].get("history_id"))
                                for event in Event.objects.filter(record=record).order_by("seq")]
    return result


@pytest.mark.parametrize("order", [[0, 1, 2, 3, 4], [4, 3, 2, 1, 0], [2, 0, 4, 1, 3]])
def test_history_rows_in_any_order_give_the_same_events(cli, sf_export, order: list[int]) -> None:
    folder = sf_export(OPPORTUNITIES, [HISTORY[index] for index in order])
    result = cli("import", "salesforce", folder)
    assert result.code == 0, result
    assert events_by_title() == {
        "Acme rollout": [
            ("record_created", "qualification", "2025-01-02T09:00:00+00:00", None),
            ("stage_changed", "proposal", "2025-02-01T09:00:00+00:00", "008H3"),
            ("field_changed", "", "2025-02-01T09:00:00+00:00", "008H3"),
            ("stage_changed", "won", "2025-03-05T09:00:00+00:00", "008H5"),
            ("record_closed", "won", "2025-03-05T09:00:00+00:00", "008H5"),
            ("field_changed", "", "2025-03-05T09:00:00+00:00", "008H5"),
        ],
        "Beta pilot": [
            ("record_created", "qualification", "2025-01-02T09:00:00+00:00", None),
            ("stage_changed", "solution_design", "2025-02-02T09:00:00+00:00", "008H4"),
            ("field_changed", "", "2025-02-02T09:00:00+00:00", "008H4"),
        ],
    }
    assert verify().ok

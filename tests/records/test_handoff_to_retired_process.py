"""A hand-off into a retired process starts no record there; the source record still moves."""

from __future__ import annotations

from typing import Any

from salesflow.guidelines.retirement import do_retire_process
from salesflow.records import services
from salesflow.records.models import Record, RecordLink


def test_converting_a_lead_when_the_opportunity_process_is_retired(chain: dict[str, Any]) -> None:
    kam = chain["kam"]
    lead = services.do_create_record("t-lead", kam, {"title": "Storage for Alpen Solar", "company": "Alpen Solar GmbH",
                                                     "email": "eva@alpen-solar.example", "budget": "80000"})
    services.do_move(lead.pk, kam, "qualified")
    do_retire_process("t-opp", None, "opportunities are run in the partner portal now")
    lead = services.do_move(lead.pk, kam, "converted")
    assert lead.stage == "converted"
    assert not Record.objects.filter(process__key="t-opp").exists()
    assert not RecordLink.objects.exists()

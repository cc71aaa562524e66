"""A newer export adds only what is new; history rows become imported events keeping the Salesforce ids."""

from __future__ import annotations

import pytest

from salesflow.interop.models import ExternalRef
from salesflow.records.eventlog import verify
from salesflow.records.models import Event, Record
from tests.interop.conftest import counts, opportunity

pytestmark = pytest.mark.django_db

H1 = ["008H1", "006O1", "005U1", "2025-01-02 09:00:00", "Prospecting", "1000", "10", "2025-06-30"]
H2 = ["008H2", "006O1", "005U1", "2025-02-01 09:00:00", "Proposal/Price Quote", "1500", "75", "2025-06-30"]
H3 = ["008H3", "006O1", "005U2", "2025-03-05 09:00:00", "Closed Won", "1500", "100", "2025-07-15"]


def test_history_becomes_imported_events_at_their_dates(cli, sf_export) -> None:
    folder = sf_export([opportunity("006O1", "Acme rollout", "Proposal/Price Quote", amount="1500", probability="75",
                                    modified="2025-02-01 09:00:00")], [H1, H2])
    result = cli("import", "salesforce", folder)
    assert result.code == 0, result
    record = Record.objects.get()
    assert (record.stage, record.amount, record.account) == ("proposal", 1500, "Acme GmbH")
    assert record.owner.username == "kim@acme.example" and not record.owner.is_active
    events = list(Event.objects.filter(record=record).order_by("seq"))
    assert [(event.kind, event.to_stage) for event in events] == [
        ("record_created", "qualification"), ("stage_changed", "proposal"), ("field_changed", "")]
    assert all(event.imported for event in events)
    moved = events[1]
    assert moved.at.isoformat() == "2025-02-01T09:00:00+00:00"
    assert moved.actor_name == "Kim Seller"
    assert moved.payload["source"] == {"system": "salesforce", "history_id": "008H2", "opportunity_id": "006O1",
                                       "stage": "Proposal/Price Quote"}
    assert moved.payload["direction"] == "forward"
    assert events[2].payload["field"] == "amount"
    assert record.stage_entered_at == moved.at


def test_newer_export_adds_only_the_new_history_and_updates_the_record(cli, sf_export) -> None:
    first = sf_export([opportunity("006O1", "Acme rollout", "Proposal/Price Quote", amount="1500",
                                   probability="75")], [H1, H2], name="march")
    assert cli("import", "salesforce", first).code == 0
    events_before = Event.objects.count()
    newer = sf_export([opportunity("006O1", "Acme rollout", "Closed Won", amount="1500", probability="100",
                                   close="2025-07-15", closed="1", won="1", modified="2025-03-05 09:00:00"),
                       opportunity("006O2", "Beta pilot", "Qualification", amount="700")],
                      [H1, H2, H3], name="april")
    result = cli("import", "salesforce", newer, "--json")
    assert result.code == 0, result
    summary = result.json()
    assert summary["records"] == {"created": 1, "updated": 1, "unchanged": 0}
    record = Record.objects.get(title="Acme rollout")
    assert (record.stage, record.outcome, str(record.close_date)) == ("won", "won", "2025-07-15")
    new_events = list(Event.objects.filter(seq__gt=events_before, record=record).order_by("seq"))
    assert [event.kind for event in new_events] == ["stage_changed", "record_closed", "field_changed"]
    assert new_events[0].payload["source"]["history_id"] == "008H3"
    assert new_events[0].actor_name == "sf-005U2"  # unknown user: a placeholder keeping the id
    # History is linked by one watermark per opportunity (its last imported row), not one ref per row.
    link = ExternalRef.objects.get(system="salesforce", kind="opportunity", external_id="006O1")
    assert link.data["history"] == ["2025-03-05T09:00:00.000000", "008H3", 3]
    before = counts()
    assert cli("import", "salesforce", newer).code == 0
    assert counts() == before
    assert verify().ok


def test_history_linked_row_by_row_by_an_older_import_is_not_imported_again(cli, sf_export) -> None:
    first = sf_export([opportunity("006O1", "Acme rollout", "Proposal/Price Quote", amount="1500",
                                   probability="75")], [H1, H2], name="march")
    assert cli("import", "salesforce", first).code == 0
    # As the older importer left it: one ref per history row, no watermark on the opportunity's ref.
    link = ExternalRef.objects.get(system="salesforce", kind="opportunity", external_id="006O1")
    link.data = {key: value for key, value in link.data.items() if key != "history"}
    link.save()
    for history_id in ("008H1", "008H2"):
        ExternalRef.objects.create(system="salesforce", kind="history", external_id=history_id,
                                   local_id=link.local_id, imported_at=link.imported_at)
    events_before = Event.objects.count()
    newer = sf_export([opportunity("006O1", "Acme rollout", "Closed Won", amount="1500", probability="100",
                                   close="2025-07-15", closed="1", won="1", modified="2025-03-05 09:00:00")],
                      [H1, H2, H3], name="april")
    assert cli("import", "salesforce", newer).code == 0
    new_events = Event.objects.filter(seq__gt=events_before).order_by("seq")
    assert [event.payload["source"].get("history_id") for event in new_events if event.kind == "stage_changed"] \
        == ["008H3"]
    before = counts()
    assert cli("import", "salesforce", newer).code == 0
    assert counts() == before
    assert verify().ok


def test_explicit_probability_different_from_the_stage_default_becomes_an_override(cli, sf_export) -> None:
    folder = sf_export([opportunity("006O1", "Default", "Negotiation/Review", probability="90"),
                        opportunity("006O2", "Override", "Negotiation/Review", probability="65"),
                        opportunity("006O3", "None given", "Negotiation/Review", probability="")])
    assert cli("import", "salesforce", folder).code == 0
    overrides = dict(Record.objects.values_list("title", "probability_override"))
    assert overrides == {"Default": None, "Override": 65, "None given": None}


def test_is_closed_and_is_won_contradictions_are_reported_not_guessed(cli, sf_export) -> None:
    folder = sf_export([opportunity("006O1", "Open but closed", "Negotiation/Review", closed="1", won="0"),
                        opportunity("006O2", "Won but lost", "Closed Lost", closed="1", won="1")])
    before = counts()
    result = cli("import", "salesforce", folder)
    assert result.code == 1, result
    assert "Opportunity.csv:2: IsClosed: says closed, but stage 'Negotiation/Review' maps to negotiation (open)" \
        in result.err
    assert "Opportunity.csv:3: IsWon: says won, but stage 'Closed Lost' maps to lost" in result.err
    assert counts() == before


def test_unmapped_type_is_an_error_and_a_stage_map_maps_types(cli, sf_export, tmp_path) -> None:
    folder = sf_export([opportunity("006O1", "Odd type", "Qualification", type_="Channel Partner")])
    result = cli("import", "salesforce", folder)
    assert result.code == 1
    assert "Opportunity.csv:2: Type: type 'Channel Partner' is not mapped" in result.err
    stage_map = tmp_path / "map.yaml"
    stage_map.write_text("types:\n  Channel Partner: cross_selling\n", encoding="utf-8")
    assert cli("import", "salesforce", folder, "--stage-map", stage_map).code == 0
    assert Record.objects.get().values == {"type": "cross_selling"}


def test_a_stage_map_naming_an_unknown_stage_is_refused(cli, sf_export, tmp_path) -> None:
    folder = sf_export([opportunity("006O1", "x", "Qualification")])
    stage_map = tmp_path / "map.yaml"
    stage_map.write_text("stages:\n  Qualification: nowhere\n", encoding="utf-8")
    result = cli("import", "salesforce", folder, "--stage-map", stage_map)
    assert result.code == 1
    assert "'Qualification' → 'nowhere': not a stage of opportunity-management" in result.err

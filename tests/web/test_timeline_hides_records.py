"""Events on a visible record never name a record its reader may not see (timeline, API events, CLI events)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from salesflow.people.tokens import create_token
from salesflow.records.chain import do_link_records
from salesflow.records.models import Event
from salesflow.records.redaction import reader_payloads
from tests.api.conftest import Api
from tests.cli.run import run_cli

pytestmark = pytest.mark.django_db


@pytest.fixture
def linked(cast):
    """The owner links the internal record with the strictly confidential one (seen by owner and member only)."""
    internal, strict = cast.records["internal"], cast.records["strictly_confidential"]
    do_link_records(internal.pk, strict.pk, cast.users["owner"], kind="related")
    return internal, strict


def test_the_record_page_says_only_that_a_hidden_record_is_linked(linked, cast, client_for) -> None:
    internal, strict = linked
    page = client_for(cast.users["other_kam"]).get(reverse("record", args=[internal.pk])).content.decode()
    assert "Linked with a record you may not see (related)" in page
    assert f"#{strict.pk}" not in page and strict.title not in page
    owner_page = client_for(cast.users["owner"]).get(reverse("record", args=[internal.pk])).content.decode()
    assert f"Linked with #{strict.pk} (related)" in owner_page


def test_the_api_event_page_leaves_the_hidden_id_out(linked, cast) -> None:
    internal, strict = linked
    items = Api(create_token(cast.users["other_kam"], "t")[1]).get(f"/api/records/{internal.pk}/events").json()["items"]
    [link] = [item for item in items if item["kind"] == "link_added"]
    assert link["payload"]["to"] is None and link["payload"]["hidden_record"] is True
    assert strict.pk not in link["payload"].values()
    owner_items = Api(create_token(cast.users["owner"], "t")[1]).get(f"/api/records/{internal.pk}/events").json()["items"]
    assert [item["payload"]["to"] for item in owner_items if item["kind"] == "link_added"] == [strict.pk]
    stored = Event.objects.get(record_id=internal.pk, kind="link_added")
    assert stored.payload["to"] == strict.pk  # the log itself is never changed


def test_the_cli_reads_events_as_the_user(linked, cast, capsys, monkeypatch) -> None:
    internal, strict = linked
    result = run_cli(capsys, monkeypatch, "record", "events", internal.pk, "--as", cast.users["other_kam"].username,
                     "--json")
    assert result.code == 0, result
    [link] = [row for row in result.json() if row["kind"] == "link_added"]
    assert link["payload"] == {"to": None, "kind": "related", "process": "opportunity-management",
                               "hidden_record": True}
    hidden = run_cli(capsys, monkeypatch, "record", "events", strict.pk, "--as", cast.users["other_kam"].username)
    assert hidden.code == 1 and "not found" in hidden.err


def test_hand_offs_and_their_origin_are_redacted_too(cast) -> None:
    strict = cast.records["strictly_confidential"].pk
    events = [Event(seq=1, kind="record_created", payload={"origin": {"record": strict, "handoff": "order"}}),
              Event(seq=2, kind="handoff_sent", payload={"target": strict, "title": "Order"})]
    payloads = reader_payloads(events, cast.users["other_kam"])
    assert payloads[1] == {"origin": {"record": None, "handoff": "order"}, "hidden_record": True}
    assert payloads[2] == {"target": None, "title": "Order", "hidden_record": True}
    assert reader_payloads(events, cast.users["owner"])[2]["target"] == strict


def test_event_exports_as_a_user_name_no_hidden_record(linked, cast, tmp_path) -> None:
    import csv
    import json

    from salesflow.interop.exports import export
    from salesflow.interop.ocel import export_ocel

    internal, strict = linked
    path = tmp_path / "events.csv"
    export("events", path, user=cast.users["other_kam"])
    with path.open(encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["kind"] == "link_added"]
    [row] = rows
    assert json.loads(row["payload"])["to"] is None
    ocel = tmp_path / "log.json"
    export_ocel(ocel, user=cast.users["other_kam"])
    text = ocel.read_text(encoding="utf-8")
    assert '\\"hidden_record\\": true' in text and f'\\"to\\": {strict.pk}' not in text
    assert Event.objects.get(record_id=internal.pk, kind="link_added").payload["to"] == strict.pk

"""``salesflow audit verify`` replays every record's events: a record row changed without its events
is named with the record and the field (exit 1); records written through every action still agree."""

from __future__ import annotations

import pytest
from django.db import connection

from salesflow.records import services
from salesflow.records.models import Record
from salesflow.records.replay import check_records, replay_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(people, record):
    """A record taken through fields, activities, a decision, an approval, a delegation, members and moves."""
    kam, head = people["kam"], people["head"]
    services.do_complete_activity(record.pk, kam, "risk_analysis")
    services.do_complete_activity(record.pk, kam, "customer_workshop")
    services.do_set_fields(record.pk, kam, {"account": "Alpen Solar", "close_date": "2027-03-31",
                                            "classification": "confidential"})
    services.do_set_probability(record.pk, kam, 35, "customer signalled budget")
    services.do_set_members(record.pk, kam, ["mate"], [])
    services.do_move(record.pk, head, "proposal", override_reason="test history")
    services.do_move(record.pk, head, "solution_design")
    services.do_set_fields(record.pk, kam, {"owner": "mate"})
    return Record.objects.get(pk=record.pk)


def _sql(statement: str, params: list) -> None:
    table = connection.ops.quote_name(Record._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(statement.format(table=table), params)


def test_records_written_by_actions_agree_with_their_events(cli, history) -> None:
    state = replay_record(history.pk)
    assert (state.stage, state.owner_id, state.values["close_date"]) == (history.stage, history.owner_id,
                                                                         "2027-03-31")
    assert set(state.done) == set(history.progress["done"])
    assert state.members == {"mate"}
    assert check_records().ok
    result = cli("audit", "verify")
    assert result.code == 0, result
    assert f"{Record.objects.count()} records agree with their events" in result.out


@pytest.mark.parametrize(("column", "value", "field"), [
    ("stage", "won", "stage"),
    ("amount", "999.00", "amount"),
    ("close_date", "2030-01-01", "close_date"),
    ("classification", "public", "classification"),
    ("outcome", "won", "outcome"),
])
def test_a_record_column_changed_without_events_is_named(cli, history, column, value, field) -> None:
    _sql(f"UPDATE {{table}} SET {connection.ops.quote_name(column)} = %s WHERE id = %s", [value, history.pk])
    result = cli("audit", "verify")
    assert result.code == 1, result
    assert f"record {history.pk}: {field} is {value.removesuffix('.00') if field != 'amount' else value}" \
        in result.err, result
    as_json = cli("audit", "verify", "--json")
    assert as_json.code == 1
    listed = as_json.json()["records"]["listed"]
    assert {(item["record"], item["field"]) for item in listed} == {(history.pk, field)}


def test_changed_owner_values_and_progress_are_named(cli, history, people) -> None:
    record = Record.objects.get(pk=history.pk)
    record.owner = people["kam2"]
    record.values = {**record.values, "planted": "yes"}
    record.progress = {**record.progress, "done": {**record.progress["done"], "planted_activity": {"by": 1}}}
    record.save()
    record.members.add(people["support"])
    result = cli("audit", "verify")
    assert result.code == 1, result
    for text in (f"record {history.pk}: owner is {people['kam2'].pk} in the record, its events say "
                 f"{people['mate'].pk}",
                 f"record {history.pk}: field planted is yes in the record, its events say empty",
                 f"record {history.pk}: done activities is",
                 f"record {history.pk}: members is [mate, support] in the record, its events say [mate]"):
        assert text in result.err, result


def test_an_untouched_second_record_is_not_reported(cli, history, people) -> None:
    other = services.do_create_record("opportunity-management", people["kam2"], {"title": "Other", "amount": "5"})
    _sql("UPDATE {table} SET amount = %s WHERE id = %s", ["6", other.pk])
    result = cli("audit", "verify", "--json")
    assert result.code == 1
    assert {item["record"] for item in result.json()["records"]["listed"]} == {other.pk}

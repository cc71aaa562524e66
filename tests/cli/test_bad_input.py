"""Bad input exits 1 with a clear message and never a traceback."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

CREATE = ("record", "create", "opportunity-management", "--title", "Bad input")


@pytest.fixture
def record_id(cli, staff) -> str:
    created = cli(*CREATE, "--as", "kam")
    assert created.code == 0, created
    return created.out.strip()


@pytest.mark.parametrize(("args", "message"), [
    ((*CREATE, "--as", "nobody"), "unknown user 'nobody'"),
    (("record", "show", "999999"), "record 999999 not found"),
    (("record", "show", "abc"), "record 'abc' not found"),
    (("record", "move", "999999", "lost", "--as", "kam"), "record 999999 not found"),
    ((*CREATE, "--field", "amount", "--as", "kam"), "expected name=value, got 'amount'"),
    ((*CREATE, "--field", "=5", "--as", "kam"), "expected name=value, got '=5'"),
    ((*CREATE, "--field", "close_date=31.12.2030", "--as", "kam"), "close_date: a date YYYY-MM-DD is expected"),
    ((*CREATE, "--field", "close_date=2030-02-30", "--as", "kam"), "close_date: a date YYYY-MM-DD is expected"),
    ((*CREATE, "--field", "amount=lots", "--as", "kam"), "amount: a number is expected, got 'lots'"),
    ((*CREATE, "--field", "amount=-5", "--as", "kam"), "amount: must not be negative"),
    ((*CREATE, "--field", "amount=NaN", "--as", "kam"), "amount: a finite number is expected"),
    ((*CREATE, "--field", "colour=red", "--as", "kam"), "unknown field 'colour'"),
    ((*CREATE, "--field", "type=hostile_takeover", "--as", "kam"), "type: one of new_business"),
    ((*CREATE, "--field", "bid_manager=kam2", "--as", "kam"), "bid_manager: kam2 does not hold the role bid_manager"),
    (("record", "create", "sales-planning", "--title", "x", "--as", "kam"), "unknown process 'sales-planning'"),
])
def test_bad_input_exits_1(cli, staff, args, message) -> None:
    result = cli(*args)
    assert result.code == 1, result
    assert result.err.startswith("error: ")
    assert message in result.err
    assert "Traceback" not in result.err + result.out


def test_bad_input_on_an_existing_record(cli, record_id) -> None:
    for args, message in [
        (("record", "set", record_id, "nonsense", "--as", "kam"), "expected name=value"),
        (("record", "set", record_id, "decision_date=tomorrow", "--as", "kam"), "decision_date: a date"),
        (("record", "do", record_id, "coffee_break", "--as", "kam"), "unknown activity 'coffee_break'"),
        (("record", "move", record_id, "closing", "--as", "kam"), "unknown stage 'closing'"),
        (("record", "probability", record_id, "lots", "--reason", "x", "--as", "kam"), "whole number 0-100"),
        (("record", "probability", record_id, "40", "--as", "kam"), "needs a written reason"),
        (("record", "delegate", record_id, "--to", "ghost", "--as", "head"), "unknown user 'ghost'"),
    ]:
        result = cli(*args)
        assert result.code == 1, (args, result)
        assert message in result.err, (args, result)
        assert "Traceback" not in result.err
    assert cli("record", "show", record_id, "--json").json()["version"] == 1


def test_json_errors_are_json(cli, record_id) -> None:
    result = cli("record", "move", record_id, "closing", "--as", "kam", "--json")
    assert result.code == 1
    assert result.json()["error"] == "bad_input"

"""The training matrix shows who read or was trained on each current version, and who is overdue."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from salesflow.guidelines import services
from salesflow.guidelines.training import pending_for, training_matrix
from tests.guidelines.conftest import CURRENT, NEXT, PROCESS, version_text

pytestmark = pytest.mark.django_db


def test_states_of_the_matrix(cast) -> None:
    services.do_acknowledge(PROCESS, cast.kam)
    services.do_record_training(PROCESS, cast.head2, cast.author)
    today = timezone.localdate()
    matrix = training_matrix(today=today)
    column = next(c for c in matrix.processes if c.key == PROCESS)
    assert column.version == CURRENT and column.due == column.effective_date + datetime.timedelta(days=14)
    assert matrix.cell(cast.kam, PROCESS).state == "read"
    assert matrix.cell(cast.head2, PROCESS).state == "trained"
    assert matrix.cell(cast.head, PROCESS).state == "due"
    assert matrix.cell(cast.author, PROCESS) is None  # sales_ops is not a role of the process
    assert matrix.cell(cast.auditor, PROCESS) is None
    later = training_matrix(today=today + datetime.timedelta(days=15))
    assert later.cell(cast.head, PROCESS).state == "overdue"
    assert later.cell(cast.kam, PROCESS).state == "read"


def test_a_new_version_makes_earlier_readers_due_again(cast) -> None:
    services.do_acknowledge(PROCESS, cast.kam)
    services.do_propose_version(version_text(NEXT), cast.author)
    services.do_submit_for_review(PROCESS, NEXT, cast.author)
    services.do_approve_version(PROCESS, NEXT, cast.head)
    cell = training_matrix().cell(cast.kam, PROCESS)
    assert (cell.state, cell.previous_version) == ("due", CURRENT)
    # The library's other processes are pending too (the Key Account Manager has a role in each).
    assert [version.version for version in pending_for(cast.kam) if version.process.key == PROCESS] == [NEXT]


def test_cli_training_json(cast, capsys: pytest.CaptureFixture[str]) -> None:
    services.do_acknowledge(PROCESS, cast.kam)
    call_command("process", "training", "--json")
    data = json.loads(capsys.readouterr().out)
    kam = next(user for user in data["users"] if user["username"] == "gl_kam")
    assert kam["processes"][PROCESS]["state"] == "read"
    assert data["counts"]["read"] >= 1

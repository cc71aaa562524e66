"""A refused or failing action leaves no event and no change behind."""

from __future__ import annotations

import pytest

from salesflow.engine.errors import NotPermitted, Unmet
from salesflow.records import eventlog, services
from salesflow.records.models import ChainHead, Event, Record

pytestmark = pytest.mark.django_db


def fingerprint(record_id: int) -> tuple:
    record = Record.objects.get(pk=record_id)
    head = ChainHead.objects.get(pk=1)
    return (record.version, record.stage, record.progress, record.values, record.amount, Event.objects.count(),
            head.seq, head.hash)


def test_unmet_gate_changes_nothing(people, record) -> None:
    before = fingerprint(record.pk)
    with pytest.raises(Unmet):
        services.do_move(record.pk, people["kam"], "solution_design")
    assert fingerprint(record.pk) == before


def test_refused_approval_changes_nothing(people, record) -> None:
    before = fingerprint(record.pk)
    with pytest.raises(NotPermitted):
        services.do_approve(record.pk, people["kam"], "offer")
    assert fingerprint(record.pk) == before


def test_failure_while_writing_the_log_rolls_the_change_back(people, record, monkeypatch) -> None:
    before = fingerprint(record.pk)

    def broken_append(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services.eventlog, "append", broken_append)
    with pytest.raises(RuntimeError, match="disk full"):
        services.do_complete_activity(record.pk, people["kam"], "risk_analysis")
    assert fingerprint(record.pk) == before
    assert Record.objects.get(pk=record.pk).progress.get("done", {}) == {}
    monkeypatch.undo()
    assert eventlog.verify().ok

"""``salesflow demo`` is idempotent and deterministic, and its history verifies."""

from __future__ import annotations

import pytest
from django.db import transaction

from salesflow.records.models import Event, Record

pytestmark = pytest.mark.django_db


class _Undo(Exception):
    """Raised to roll a block back."""


def snapshot() -> list[tuple]:
    """What the seed decides: every record's title, stage, amount, owner and outcome, in creation order."""
    return [
        (record.title, record.account, record.stage, record.amount, record.owner.username, record.outcome,
         record.classification, sorted(record.progress.get("done", {})))
        for record in Record.objects.select_related("owner").order_by("created_at", "id")
    ]


def test_demo_is_deterministic_idempotent_and_verifies(cli) -> None:
    try:
        with transaction.atomic():
            first = cli("demo", "--opportunities", "15", "--seed", "3")
            assert first.code == 0, first
            expected = snapshot()
            expected_events = Event.objects.filter(record__isnull=False).count()
            raise _Undo
    except _Undo:
        pass
    assert Record.objects.count() == 0

    loaded = cli("demo", "--opportunities", "15", "--seed", "3")
    assert loaded.code == 0, loaded
    assert "15 opportunities" in loaded.out
    assert snapshot() == expected
    assert Event.objects.filter(record__isnull=False).count() == expected_events
    assert len(expected) == 15
    assert len({row[2] for row in expected}) >= 3, "the demo should spread records over several stages"

    again = cli("demo", "--opportunities", "15", "--seed", "3")
    assert again.code == 0, again
    assert "already present" in again.out
    assert snapshot() == expected

    verified = cli("audit", "verify", "--json")
    assert verified.code == 0, verified
    assert verified.json()["ok"] is True
    assert verified.json()["checked"] == Event.objects.count()


def test_another_seed_gives_another_history(cli) -> None:
    try:
        with transaction.atomic():
            assert cli("demo", "--opportunities", "5", "--seed", "3").code == 0
            seed_3 = snapshot()
            raise _Undo
    except _Undo:
        pass
    assert cli("demo", "--opportunities", "5", "--seed", "4").code == 0
    assert len(snapshot()) == len(seed_3) == 5
    assert snapshot() != seed_3


def test_negative_count_is_bad_input(cli) -> None:
    result = cli("demo", "--opportunities", "-1")
    assert result.code == 1
    assert "must not be negative" in result.err

"""The chain head a connection wrote last is only a hint: an append checks it in the statement that
advances the head, and falls back to locking and reading the head when anyone else moved it (another
process, a rolled-back transaction, an edit of the head). The chain stays gapless and verifiable."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from salesflow.records import eventlog, services
from salesflow.records.models import ChainHead, Event

pytestmark = pytest.mark.django_db(transaction=True)


def _linked_and_verified() -> None:
    seqs = list(Event.objects.order_by("seq").values_list("seq", "prev_hash", "hash"))
    assert [seq for seq, _prev, _hash in seqs] == list(range(1, len(seqs) + 1))
    for (_seq, _prev, earlier), (_next, prev, _hash) in zip(seqs, seqs[1:], strict=False):
        assert prev == earlier
    head = ChainHead.objects.get(pk=1)
    assert (head.seq, head.hash) == (seqs[-1][0], seqs[-1][2])
    assert eventlog.verify().ok


def test_a_rolled_back_append_leaves_a_hint_that_misses(people, record) -> None:
    kam = people["kam"]
    services.do_complete_activity(record.pk, kam, "risk_analysis")
    with pytest.raises(RuntimeError), transaction.atomic():
        services.do_complete_activity(record.pk, kam, "customer_workshop")
        raise RuntimeError("the caller's transaction fails after the append")
    hint = getattr(connection, eventlog._HEAD_HINT)
    assert hint != tuple(ChainHead.objects.values_list("seq", "hash").get(pk=1))  # the hint names the lost head
    services.do_complete_activity(record.pk, kam, "customer_workshop")
    _linked_and_verified()


def test_a_head_moved_by_someone_else_is_read_again(people, record) -> None:
    kam = people["kam"]
    services.do_complete_activity(record.pk, kam, "risk_analysis")
    seq, digest = ChainHead.objects.values_list("seq", "hash").get(pk=1)
    setattr(connection, eventlog._HEAD_HINT, (seq - 1, digest))  # as if another process had appended since
    services.do_set_fields(record.pk, kam, {"budget": "150000"})
    setattr(connection, eventlog._HEAD_HINT, (seq + 1, "0" * 64))  # right number, wrong hash
    services.do_complete_activity(record.pk, kam, "customer_workshop")
    _linked_and_verified()


def test_an_append_without_a_hint_locks_the_head(people, record) -> None:
    if hasattr(connection, eventlog._HEAD_HINT):
        delattr(connection, eventlog._HEAD_HINT)
    services.do_complete_activity(record.pk, people["kam"], "risk_analysis")
    assert getattr(connection, eventlog._HEAD_HINT) == tuple(ChainHead.objects.values_list("seq", "hash").get(pk=1))
    _linked_and_verified()

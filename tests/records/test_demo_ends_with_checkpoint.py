"""``salesflow demo`` appends many events and ends with a signed checkpoint of the chain head it left."""

from __future__ import annotations

import json

import pytest

from salesflow.records.models import ChainHead

pytestmark = pytest.mark.django_db


def test_demo_ends_with_a_checkpoint(cli, checkpoint_journal) -> None:
    result = cli("demo", "--opportunities", "1", "--leads", "0")
    assert result.code == 0, result
    head = ChainHead.objects.get(pk=1)
    newest = json.loads(checkpoint_journal.read_text().splitlines()[-1])
    assert (newest["seq"], newest["hash"]) == (head.seq, head.hash)
    assert cli("audit", "verify").code == 0

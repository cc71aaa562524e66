"""An import that appended events ends with a signed checkpoint of the new chain head; a dry run writes none."""

from __future__ import annotations

import json

import pytest

from salesflow.records.models import ChainHead
from tests.interop.conftest import opportunity

pytestmark = pytest.mark.django_db


def test_an_import_ends_with_a_checkpoint_and_a_dry_run_writes_none(cli, sf_export, checkpoint_journal) -> None:
    folder = sf_export([opportunity("006O1", "A", "Qualification"), opportunity("006O2", "B", "Closed Won",
                                                                                 closed="1", won="1")])
    assert cli("import", "salesforce", folder, "--dry-run").code == 0
    assert not checkpoint_journal.exists()
    result = cli("import", "salesforce", folder)
    assert result.code == 0, result
    lines = checkpoint_journal.read_text().splitlines()
    assert len(lines) == 1
    head = ChainHead.objects.get(pk=1)
    assert (json.loads(lines[0])["seq"], json.loads(lines[0])["hash"]) == (head.seq, head.hash)
    assert f"checkpoint: event {head.seq} signed" in result.err
    assert cli("import", "salesforce", folder).code == 0  # nothing new: no events, no checkpoint
    assert len(checkpoint_journal.read_text().splitlines()) == 1

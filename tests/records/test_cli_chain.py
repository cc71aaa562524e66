"""The CLI of the chain: linked records, links, documents, the scheduled job, hand-offs with a picked account."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

from salesflow.accounts.models import Account
from salesflow.records.models import Record


def test_create_from_links_and_lists_the_chain(chain: dict[str, Any], cli: Any) -> None:
    opportunity = cli("record", "create", "t-opp", "--title", "Storage", "--as", "kam")
    assert opportunity.code == 0
    contract = cli("record", "create", "t-contract", "--title", "Contract", "--from", opportunity.out.strip(),
                   "--as", "kam")
    assert contract.code == 0, contract.err
    shown = cli("record", "links", opportunity.out.strip(), "--json")
    data = json.loads(shown.out)
    assert [(link["kind"], link["record"]) for link in data["links"]] == [("contract", int(contract.out))]
    assert len(data["chain"]) == 2


def test_move_with_a_picked_account_and_bad_ids(chain: dict[str, Any], cli: Any) -> None:
    account = Account(name="Picked", created_at=datetime.datetime.now(datetime.UTC))
    account.save()
    lead = cli("record", "create", "t-lead", "--title", "Lead", "--field", "company=Alpen", "--as", "kam").out.strip()
    assert cli("record", "move", lead, "qualified", "--as", "kam").code == 0
    bad = cli("record", "move", lead, "converted", "--account", "x", "--as", "kam")
    assert bad.code == 1 and "--account: a numeric id expected" in bad.err
    moved = cli("record", "move", lead, "converted", "--account", str(account.pk), "--as", "kam")
    assert moved.code == 0, moved.err
    assert Record.objects.get(process__key="t-opp").customer == account


def test_attach_and_list_documents(chain: dict[str, Any], cli: Any, tmp_path: Path) -> None:
    contract = cli("record", "create", "t-contract", "--title", "Contract", "--as", "kam").out.strip()
    file = tmp_path / "contract.pdf"
    file.write_bytes(b"%PDF-1.4 test")
    assert cli("record", "attach", contract, str(file), "--as", "kam").code == 0
    missing = cli("record", "attach", contract, str(tmp_path / "nope.pdf"), "--as", "kam")
    assert missing.code == 1 and "nope.pdf: cannot read file" in missing.err
    listed = json.loads(cli("record", "documents", contract, "--json").out)
    assert [(row["name"], row["version"]) for row in listed] == [("contract.pdf", 1)]


def test_jobs_run(chain: dict[str, Any], cli: Any) -> None:
    end = datetime.date(2026, 11, 23) + datetime.timedelta(days=100)
    cli("record", "create", "t-contract", "--title", "Contract", "--field", f"end_date={end}", "--as", "kam")
    first = json.loads(cli("jobs", "run", "--today", "2026-11-23", "--json").out)
    second = json.loads(cli("jobs", "run", "--today", "2026-11-23", "--json").out)
    assert (first["moves"], first["handoffs"], second["moves"]) == (1, 1, 0)
    bad = cli("jobs", "run", "--today", "23.11.2026")
    assert bad.code == 1 and "--today: a date YYYY-MM-DD expected" in bad.err

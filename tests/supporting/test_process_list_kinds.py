"""``salesflow process list --json`` shows the supporting processes' record kinds, with demo records in each."""

from __future__ import annotations

from salesflow.records.models import Record

KINDS = {"presales_request", "nonconformity", "internal_audit", "management_review"}


def test_process_list_shows_the_kinds_with_demo_records(cli) -> None:
    assert cli("demo", "--opportunities", "4", "--leads", "2", "--seed", "5").code == 0
    rows = {row["record"]: row for row in cli("process", "list", "--json").json()}
    assert KINDS <= set(rows)
    assert all(rows[kind]["current_version"] == 1 and rows[kind]["records"] > 0 for kind in KINDS), rows
    stages = set(Record.objects.filter(process__key="nonconformity").values_list("stage", flat=True))
    assert stages == {"reported", "analysed", "action_planned", "implemented", "verified", "closed", "rejected"}
    verified = cli("audit", "verify", "--json")
    assert verified.code == 0 and verified.json()["ok"] is True

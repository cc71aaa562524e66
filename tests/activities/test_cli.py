"""``salesflow activity log|list`` and ``salesflow task add|list|done``: --as USER, --json, exit codes."""

from __future__ import annotations

from typing import Any

from salesflow.records.models import Event
from tests.cli.run import run_cli


def test_activity_and_task_commands(team: dict[str, Any], opportunity: Any, account: Any, capsys: Any,
                                    monkeypatch: Any) -> None:
    def cli(*args: Any) -> Any:
        return run_cli(capsys, monkeypatch, *args)

    logged = cli("activity", "log", "--record", opportunity.pk, "--kind", "call", "--subject", "Price call",
                 "--at", "2026-12-01 14:00", "--duration", "25", "--outcome", "wants 5 % off",
                 "--next-step", "send a revised offer", "--as", "kam", "--json")
    assert logged.code == 0, logged
    [call] = logged.json()
    assert {key: call[key] for key in ("kind", "subject", "duration_minutes", "outcome", "next_step", "record",
                                       "account", "owner")} == {
        "kind": "call", "subject": "Price call", "duration_minutes": 25, "outcome": "wants 5 % off",
        "next_step": "send a revised offer", "record": opportunity.pk, "account": account.pk, "owner": "kam"}

    added = cli("task", "add", "--record", opportunity.pk, "--subject", "Send the offer", "--due", "2026-12-10",
                "--remind", "2026-12-08", "--as", "kam", "--json")
    assert added.code == 0, added
    task_id = added.json()[0]["id"]
    listed = cli("task", "list", "--mine", "--as", "kam")
    assert listed.code == 0 and "Send the offer" in listed.out and "due 2026-12-10" in listed.out
    assert "no tasks" in cli("task", "list", "--mine", "--as", "kam2").out

    text = cli("activity", "list", "--record", opportunity.pk, "--kind", "call", "--as", "kam")
    assert "Price call" in text.out and "outcome: wants 5 % off" in text.out

    done = cli("task", "done", task_id, "--as", "kam", "--json")
    assert done.code == 0 and done.json()[0]["done_by"] == "Kai Becker"
    again = cli("task", "done", task_id, "--as", "kam")
    assert again.code == 5 and f"task {task_id} was done already" in again.err

    # Refusals: clear message, exit code, nothing written.
    events = Event.objects.count()
    for args, code, message in [
        (("activity", "log", "--record", opportunity.pk, "--kind", "call", "--subject", "x", "--duration", "lots",
          "--as", "kam"), 1, "duration: minutes (a whole number) expected, got 'lots'"),
        (("activity", "log", "--record", opportunity.pk, "--kind", "call", "--subject", "x", "--at", "soon",
          "--as", "kam"), 1, "at: a date-time YYYY-MM-DD HH:MM expected, got 'soon'"),
        (("activity", "log", "--kind", "note", "--subject", "x", "--as", "kam"), 1,
         "name a record, an account or a contact"),
        (("activity", "log", "--record", 999999, "--kind", "note", "--subject", "x", "--as", "kam"), 1,
         "record 999999 not found"),
        (("activity", "log", "--account", account.pk, "--kind", "note", "--subject", "x", "--as", "auditor"), 4,
         "read-only access"),
        (("task", "add", "--account", account.pk, "--subject", "x", "--due", "2026-12-01", "--remind", "2026-12-05",
          "--as", "kam"), 1, "must not be after the due date"),
    ]:
        result = cli(*args)
        assert result.code == code, result
        assert message in result.err and "Traceback" not in result.err
    assert Event.objects.count() == events

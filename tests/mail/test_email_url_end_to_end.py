"""Done when, as an administrator would do it: with EMAIL_URL pointing to a local SMTP server, asking the Head of
Sales for an offer approval sends them an e-mail with the record's link, and `salesflow worker --once` sends the
digest and runs the due jobs (every step a `salesflow` command in a subprocess on a fresh `salesflow init`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.ops.run import salesflow

from .smtp import SmtpServer, bodies

pytestmark = pytest.mark.installation
BASE = "https://sales.example.com"


def test_approval_request_and_digest_through_email_url(tmp_path: Path) -> None:
    var = tmp_path / "var"
    with SmtpServer() as smtp:
        env = {"EMAIL_URL": smtp.url, "SALESFLOW_BASE_URL": BASE, "EMAIL_FROM": "Salesflow <sf@example.com>"}

        def run(*args: str) -> str:
            result = salesflow(var, *args, **env)
            assert result.returncode == 0, f"{args}: {result.stderr}"
            return result.stdout

        (tmp_path / "pw").write_text("Granite-Orchard-River-31\n")
        run("init", "--admin", "hanna", "--email", "hanna@example.com", "--password-file", str(tmp_path / "pw"),
            "--processes", "opportunity-management")  # the administrator holds the responsible role: Head of Sales
        run("user", "add", "kim", "--role", "kam", "--email", "kim@example.com")
        run("user", "add", "bidmanager", "--role", "bid_manager")
        record = json.loads(run("record", "create", "opportunity-management", "--title", "Smart metering",
                                "--field", "account=Nordwind", "--field", "amount=120000", "--as", "kim", "--json"))
        record_id = str(record["id"])
        run("record", "move", record_id, "solution_design", "--override", "qualified in the call", "--as", "hanna")
        run("record", "set", record_id, "bid_manager=bidmanager", "--as", "kim")
        for activity in ("name_bid_manager", "customer_needs"):
            run("record", "do", record_id, activity, "--as", "kim")
        run("record", "do", record_id, "solution_design", "--as", "bidmanager")  # the Bid Manager's (RACI)
        run("record", "move", record_id, "proposal", "--as", "hanna")
        run("record", "do", record_id, "prepare_offer", "--as", "kim")

        approvals = [mail for mail in smtp.inbox.to("hanna@example.com")
                     if "Approval requested: Offer approval" in str(mail["Subject"])]
        assert len(approvals) == 1
        text, html = bodies(approvals[0])
        assert f"{BASE}/records/{record_id}/" in text and f'href="{BASE}/records/{record_id}/"' in html

        before = len(smtp.inbox.messages)
        once = json.loads(run("worker", "--once", "--json"))
        ran = {item["job"]: item for item in once["ran"]}
        assert ran["schedules"]["ok"] and ran["forecast_snapshot"]["ok"] and ran["mail_digest"]["ok"]
        digests = [mail for mail in smtp.inbox.messages[before:] if "digest" in str(mail["Subject"])]
        # Hanna: the approval waiting for her; Kim: the override on her record (owners are told)
        assert sorted(str(mail["To"]) for mail in digests) == ["hanna@example.com", "kim@example.com"]
        for digest in digests:
            assert f"{BASE}/records/{record_id}/" in bodies(digest)[0]
        kims = next(mail for mail in digests if str(mail["To"]) == "kim@example.com")
        assert "qualified in the call" in bodies(kims)[0] or "overr" in bodies(kims)[0].lower()

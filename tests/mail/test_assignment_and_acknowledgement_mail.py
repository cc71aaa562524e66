"""Assignments and approved process versions to read reach people by e-mail, each with its link."""

from __future__ import annotations

import re
from pathlib import Path

from salesflow.guidelines import services as guidelines
from salesflow.people.services import do_add_user
from salesflow.records import services

from .conftest import BASE_URL
from .smtp import bodies

LIBRARY = Path(__file__).resolve().parents[2] / "salesflow" / "library" / "opportunity-management.yaml"


def test_new_owner_is_told(smtp, team, django_capture_on_commit_callbacks) -> None:
    other = do_add_user("m_kam2", ["kam"], ["North"], password="pw-m-1", email="kam2@example.com")
    record = services.do_create_record("opportunity-management", team["kam"], {"title": "Wind park"})
    with django_capture_on_commit_callbacks(execute=True):
        services.do_set_fields(record.pk, team["head"], {"owner": other.username})
    mails = smtp.inbox.to("kam2@example.com")
    assert len(mails) == 1 and "Wind park: assigned to you (owner)" in str(mails[0]["Subject"])
    assert f"{BASE_URL}/records/{record.pk}/" in bodies(mails[0])[0]


def test_an_approved_version_asks_its_roles_to_read_it(smtp, team, django_capture_on_commit_callbacks) -> None:
    author = do_add_user("m_ops", ["sales_ops"], password="pw-m-1", email="ops@example.com")
    text = LIBRARY.read_text(encoding="utf-8")
    current = int(re.search(r"(?m)^version: (\d+)$", text).group(1))
    proposal = re.sub(r"(?m)^version: \d+$", f"version: {current + 1}", text)
    guidelines.do_propose_version(proposal, author, note="next")
    guidelines.do_submit_for_review("opportunity-management", current + 1, author)
    with django_capture_on_commit_callbacks(execute=True):
        guidelines.do_approve_version("opportunity-management", current + 1, team["head"])
    mails = smtp.inbox.to("kam@example.com")
    assert len(mails) == 1 and "Please read: Opportunity Management" in str(mails[0]["Subject"])
    assert f"{BASE_URL}/guidelines/opportunity-management/v{current + 1}/" in bodies(mails[0])[0]
    assert smtp.inbox.to("head@example.com") == []  # the approver is not asked to read what they approved

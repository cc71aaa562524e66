"""The audit pack answers ISO 9001 6.1, 9.1.2, 9.2, 9.3 and 10.2 (sections from the library settings), in EN and
DE, as its builder may see it; a management review's actions become tasks on their owners' My work."""

from __future__ import annotations

import datetime
import json
import zipfile
from pathlib import Path

import pytest
from django.utils import timezone

from salesflow.activities.models import Activity
from salesflow.guidelines.audit_pack import Reader, _window
from salesflow.guidelines.iso_sections import build_section, sections_of_library
from salesflow.people.models import User
from salesflow.records.models import Event
from salesflow.records.replay import check_records

SECRET = "Strictly confidential: bribery allegation at a partner"


def _ok(result):
    assert result.code == 0, result
    return result.json() if result.out.lstrip().startswith(("{", "[")) else result


@pytest.fixture
def loop(cli, quality_people, tmp_path: Path) -> dict[str, int]:
    """A risk, a satisfaction assessment, an audit with the nonconformity it raised, a secret nonconformity
    and a management review held with its decisions and actions."""
    ids: dict[str, int] = {}
    ids["risk"] = _ok(cli("risk", "add", "--as", "quinn", "--title", "Partners quote unpublished prices",
                          "--process", "opportunity-management", "--likelihood", "4", "--impact", "4", "--json"))["id"]
    from salesflow.accounts.models import Account

    customer = Account.objects.create(name="Müller Maschinenbau GmbH", created_at=timezone.now())
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"overall": 5, "advice": 4, "responsiveness": 4, "promises_kept": "yes",
                                   "delivery": "na", "recommend": 10}), encoding="utf-8")
    ids["assessment"] = _ok(cli("assess", "customer-satisfaction", "--subject", f"account:{customer.pk}",
                                "--answers", answers, "--as", "quinn", "--json"))["id"]
    ids["audit"] = _ok(cli("record", "create", "internal-audit", "--title", "Audit 2026: order management",
                           "--as", "quinn", "--field", "programme_year=2026",
                           "--field", "audited_process=order-management", "--field", "auditor=quinn",
                           "--field", "auditee=kim", "--field", "findings=Orders confirmed before review",
                           "--json"))["id"]
    ids["finding"] = _ok(cli("record", "create", "nonconformity", "--title", "Audit finding: order review skipped",
                             "--as", "quinn", "--field", "description=3 of 10 samples", "--from", ids["audit"],
                             "--json"))["id"]
    ids["secret"] = _ok(cli("record", "create", "nonconformity", "--title", SECRET, "--as", "quinn",
                            "--field", "description=Reported by a whistle-blower", "--field",
                            "classification=strictly_confidential", "--json"))["id"]
    ids["review"] = _ok(cli("record", "create", "management-review", "--title", "Management review 2026",
                            "--as", "quinn", "--field", "review_date=2026-12-01",
                            "--field", "participants=Head of Sales, Managing Director", "--json"))["id"]
    _ok(cli("record", "do", ids["review"], "prepare_agenda", "--as", "quinn"))
    _ok(cli("record", "move", ids["review"], "in_review", "--as", "quinn"))
    _ok(cli("record", "do", ids["review"], "review_inputs", "--as", "hans"))
    _ok(cli("record", "set", ids["review"], "decisions=Quarterly mystery shopping", "--as", "hans"))
    _ok(cli("record", "move", ids["review"], "decided", "--as", "quinn"))
    _ok(cli("user", "add", "rita", "--role", "sales_quality", "--first-name", "Rita", "--last-name", "Roth"))
    _ok(cli("record", "set", ids["review"], "--as", "quinn",
            "actions=- Rita Roth: budget for a pre-sales engineer 2027-03-31\n- quirin: quarterly mystery-shopping plan"))
    return ids


def _sections(user) -> dict[str, dict]:
    today = timezone.localdate()
    start, end = _window(today - datetime.timedelta(days=30), today)
    reader = Reader(user)
    return {section.clause: build_section(section, reader, start, end, language)
            for section in sections_of_library() for language in ("de",)} | {
        f"{section.clause}/en": build_section(section, reader, start, end, "en") for section in sections_of_library()}


def test_the_sections_come_from_the_library_and_hold_the_loop(loop) -> None:
    assert [(s.clause, s.source.value, s.record) for s in sections_of_library()] == [
        ("6.1", "risks", None), ("9.1.2", "assessments", None), ("9.2", "records", "internal_audit"),
        ("9.3", "records", "management_review"), ("10.2", "records", "nonconformity")]
    sections = _sections(None)  # the administrator's view: everything
    assert [row["id"] for row in sections["6.1/en"]["entries"]] == [loop["risk"]]
    [satisfaction] = [row for row in sections["9.1.2/en"]["checklists"] if row["assessments"]]
    assert satisfaction["items"][0]["id"] == loop["assessment"] and satisfaction["title"] == "Customer satisfaction (end customer)"
    assert sections["9.1.2"]["checklists"][0]["title"] == "Kundenzufriedenheit (Endkunde)"
    [audit] = sections["9.2/en"]["records"]
    assert [link["id"] for link in audit["links"]] == [loop["finding"]]
    assert {"Findings": "Orders confirmed before review"}.items() <= {f["title"]: f["value"] for f in audit["fields"]}.items()
    assert {f["title"] for f in sections["9.2"]["records"][0]["fields"]} >= {"Feststellungen", "Auditierter"}
    [review] = sections["9.3/en"]["records"]
    assert review["stage_title"] == "Decided" and sections["9.3"]["records"][0]["stage_title"] == "Entschieden"
    assert [item["id"] for item in review["frozen_inputs"]["inputs"]][:2] == ["adherence", "forecast_accuracy"]
    assert {f["title"]: f["value"] for f in review["fields"]}["Decisions"] == "Quarterly mystery shopping"
    assert [stage["stage"] for stage in review["stages"]] == ["planned", "in_review", "decided"]
    assert sections["10.2/en"]["summary"]["total"] == 2 and SECRET in json.dumps(sections["10.2/en"], default=str)


def test_what_the_reader_may_not_see_does_not_exist_in_the_sections(loop, cli) -> None:
    _ok(cli("user", "add", "karl", "--role", "kam", "--first-name", "Karl"))
    kam = User.objects.get(username="karl")
    sections = _sections(kam)
    text = json.dumps(sections, default=str)
    assert SECRET not in text and "whistle-blower" not in text
    assert sections["10.2/en"]["summary"] == {"total": 1, "open": 1, "closed": 0, "by_stage": {"Reported": 1}}
    assert sections["9.3/en"]["records"] == [] and sections["9.3/en"]["summary"]["total"] == 0  # confidential
    assert "Management review 2026" not in text
    assert sections["9.1.2/en"]["assessments"] == 0  # not the assessor, not the checklist's role, no oversight
    assert [row["id"] for row in sections["6.1/en"]["entries"]] == [loop["risk"]]  # every staff member reads it
    head = _sections(User.objects.get(username="hans"))  # oversight: the review, not the strictly confidential NC
    assert head["9.3/en"]["summary"]["total"] == 1 and SECRET not in json.dumps(head, default=str)


def test_the_zip_has_every_section_in_english_and_german(loop, cli, tmp_path: Path) -> None:
    today = timezone.localdate()
    output = tmp_path / "pack.zip"
    _ok(cli("audit", "pack", "--from", (today - datetime.timedelta(days=7)).isoformat(), "--to", today.isoformat(),
            "-o", output, "--as", "arne"))
    with zipfile.ZipFile(output) as archive:
        names = set(archive.namelist())
        nc_de = archive.read("iso/10.2-nonconformities.de.html").decode()
        review_en = archive.read("iso/9.3-management_reviews.en.html").decode()
        index = archive.read("index.html").decode()
    for base in ("6.1-risks", "9.1.2-customer_satisfaction", "9.2-internal_audits", "9.3-management_reviews",
                 "10.2-nonconformities"):
        assert {f"iso/{base}.en.html", f"iso/{base}.de.html", f"iso/{base}.json"} <= names
        assert f"iso/{base}.de.html" in index
    assert "Nichtkonformitäten und Korrekturmaßnahmen" in nc_de and "Gemeldet" in nc_de and SECRET not in nc_de
    assert "Inputs (frozen)" in review_en and "Quarterly mystery shopping" in review_en


def test_review_actions_become_tasks_on_the_owners_my_work(loop, cli, client) -> None:
    review = loop["review"]
    refused = cli("review", "tasks", review, "--as", "kim")
    assert refused.code == 1, refused  # kim may not see the confidential review
    made = _ok(cli("review", "tasks", review, "--as", "quinn", "--json"))
    tasks = {task["owner"]: task for task in made["tasks"]}
    assert set(tasks) == {"rita", "quirin"}
    assert str(tasks["rita"]["due_date"]) == "2027-03-31" and tasks["quirin"]["due_date"] is None
    assert tasks["rita"]["subject"] == "budget for a pre-sales engineer 2027-03-31"
    event = Event.objects.get(record_id=review, kind="actions_became_tasks")
    assert [row["line"] for row in event.payload["tasks"]] == [1, 2]
    again = cli("review", "tasks", review, "--as", "quinn")
    assert again.code == 5 and "already a task" in again.err, again
    assert Activity.objects.filter(record_id=review).count() == 2
    client.force_login(User.objects.get(username="rita"))
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "budget for a pre-sales engineer" in page
    # A line added later becomes a task from the review's page (the new line only).
    _ok(cli("record", "set", review, "--as", "quinn", "actions=- Rita Roth: budget for a pre-sales engineer "
            "2027-03-31\n- quirin: quarterly mystery-shopping plan\nhans: brochure stock check 2027-01-15"))
    client.force_login(User.objects.get(username="quinn"))
    record_page = client.get(f"/records/{review}/").content.decode()
    assert 'id="review-actions"' in record_page and "Turn the actions into tasks" in record_page
    assert "Actions became tasks: Rita Roth, Quirin" in record_page  # the timeline names the owners
    response = client.post(f"/quality/records/{review}/actions-to-tasks/", follow=True)
    assert "1 action(s) became tasks" in response.content.decode()
    assert "Turn the actions into tasks" not in response.content.decode()  # every line is a task now
    assert Activity.objects.get(record_id=review, owner__username="hans").due_date == datetime.date(2027, 1, 15)
    assert Activity.objects.filter(record_id=review).count() == 3
    assert check_records().ok


def test_a_bad_action_line_changes_nothing(loop, cli) -> None:
    review = loop["review"]
    _ok(cli("record", "set", review, "actions=quirin: plan\nNobody Known: something", "--as", "quinn"))
    bad = cli("review", "tasks", review, "--as", "quinn")
    assert bad.code == 1 and "line 2" in bad.err and "Nobody Known" in bad.err, bad
    assert not Activity.objects.filter(record_id=review).exists()
    assert not Event.objects.filter(record_id=review, kind="actions_became_tasks").exists()

"""The audit pack answers ISO 9001 6.1, 9.1.2, 9.2, 9.3 and 10.2 (sections from the library settings), in EN and
DE, as its builder may see it; a management review's actions become tasks on their owners' My work."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from salesflow.activities.models import Activity
from salesflow.guidelines.audit_pack import AuditPack, Reader, _window
from salesflow.guidelines.iso_sections import add_iso_sections, build_section, sections_of_library
from salesflow.people.models import User
from salesflow.people.tokens import create_token
from salesflow.records.models import Event
from salesflow.records.replay import check_records
from tests.api.conftest import Api

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


def test_the_sections_come_from_the_library_and_show_only_what_the_reader_may_see(loop, cli) -> None:
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

    # What the reader may not see does not exist for them: neither listed nor counted.
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


def test_the_pack_has_every_section_in_english_and_german(loop) -> None:
    today = timezone.localdate()
    start, end = _window(today - datetime.timedelta(days=7), today)
    pack = AuditPack(today - datetime.timedelta(days=7), today, timezone.now())
    context = {"date_from": pack.date_from, "date_to": pack.date_to, "generated_at": pack.generated_at}
    rows = add_iso_sections(pack, Reader(User.objects.get(username="arne")), start, end, context)
    files = {item.path: item.content.decode() for item in pack.files}
    for base in ("6.1-risks", "9.1.2-customer_satisfaction", "9.2-internal_audits", "9.3-management_reviews",
                 "10.2-nonconformities"):
        assert {f"iso/{base}.en.html", f"iso/{base}.de.html", f"iso/{base}.json"} <= set(files)
    assert [(row["clause"], row["count"]) for row in rows] == [("6.1", 1), ("9.1.2", 1), ("9.2", 1), ("9.3", 1),
                                                                 ("10.2", 1)]  # the auditor: not the secret NC
    nc_de = files["iso/10.2-nonconformities.de.html"]
    assert "Nichtkonformitäten und Korrekturmaßnahmen" in nc_de and "Gemeldet" in nc_de and SECRET not in nc_de
    review_en = files["iso/9.3-management_reviews.en.html"]
    assert "Inputs (frozen)" in review_en and "Quarterly mystery shopping" in review_en
    index = render_to_string("guidelines/pack/index.html", {**context, "iso_sections": rows, "summary": {},
                                                             "chain": {}, "checkpoints": {}, "backups": {}})
    assert 'href="iso/9.2-internal_audits.de.html"' in index


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

    # A bad line (an unknown person) changes nothing, not even the good new line before it.
    _ok(cli("record", "set", review, "actions=quirin: plan the partner day\nNobody Known: something", "--as", "quinn"))
    bad = cli("review", "tasks", review, "--as", "quinn")
    assert bad.code == 1 and "line 2" in bad.err and "Nobody Known" in bad.err, bad
    assert Activity.objects.filter(record_id=review).count() == 3
    assert Event.objects.filter(record_id=review, kind="actions_became_tasks").count() == 2

    # The API does the same.
    _ok(cli("record", "set", review, "actions=quirin: plan the partner day", "--as", "quinn"))
    api = Api(create_token(User.objects.get(username="quinn"), "tests")[1])
    made = api.post(f"/api/records/{review}/actions-to-tasks")
    assert made.status_code == 201 and [task["owner"] for task in made.json()] == ["quirin"], made.content
    assert api.post(f"/api/records/{review}/actions-to-tasks").status_code == 409
    assert Api(create_token(User.objects.get(username="kim"), "tests")[1]).post(
        f"/api/records/{review}/actions-to-tasks").status_code == 404
    assert check_records().ok

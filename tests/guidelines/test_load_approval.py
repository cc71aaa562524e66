"""``process load`` is no back door around review, and a version approved for a later day waits for it (issue 12.4)."""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from salesflow.records import services
from salesflow.records.models import Event, Process, ProcessVersion
from tests.guidelines.conftest import CURRENT, NEXT, PROCESS, version_text

pytestmark = pytest.mark.django_db


def _exit_code(*args: str) -> int:
    with pytest.raises(SystemExit) as raised:
        call_command(*args)
    return raised.value.code


def _file(tmp_path: Path, version: int = NEXT, probability: int = 55, effective: str | None = None) -> Path:
    text = version_text(version, proposal_probability=probability)
    assert "  status: approved\n" in text
    if effective:
        text = text.replace("  status: approved\n", f"  status: approved\n  effective_date: {effective}\n", 1)
    path = tmp_path / f"om-v{version}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _in_force() -> int:
    return Process.objects.get(key=PROCESS).current_version().version


def test_an_approved_file_loaded_by_a_kam_is_a_draft_not_the_version_in_force(cast, tmp_path: Path, capsys) -> None:
    call_command("process", "load", str(_file(tmp_path)), "--as", "gl_kam")
    out = capsys.readouterr().out
    assert f"{PROCESS} v{NEXT} added (draft)" in out and "stored as a draft" in out and "Head of Sales" in out
    version = ProcessVersion.objects.get(process__key=PROCESS, version=NEXT)
    assert (version.status, version.approved_at, version.author_name) == ("draft", None, cast.kam.display_name)
    assert _in_force() == CURRENT
    event = Event.objects.filter(kind="process_version_added", process_version=NEXT).get()
    assert event.payload["status"] == "draft" and event.payload["requested_status"] == "approved"
    # The draft goes through review like any proposal: the responsible role approves it.
    call_command("process", "submit", PROCESS, str(NEXT), "--as", "gl_author")
    call_command("process", "approve", PROCESS, str(NEXT), "--as", "gl_head")
    assert _in_force() == NEXT


def test_a_record_started_after_the_kams_load_runs_under_the_approved_version(cast, tmp_path: Path) -> None:
    call_command("process", "load", str(_file(tmp_path)), "--as", "gl_kam")
    record = services.do_create_record(PROCESS, cast.kam, {"title": "After the load"})
    assert record.process_version.version == CURRENT


def test_the_responsible_role_loads_an_approved_version(cast, tmp_path: Path) -> None:
    call_command("process", "load", str(_file(tmp_path)), "--as", "gl_head")
    version = ProcessVersion.objects.get(process__key=PROCESS, version=NEXT)
    assert (version.status, version.approver_id) == ("approved", cast.head.pk)
    assert _in_force() == NEXT
    assert ProcessVersion.objects.get(process__key=PROCESS, version=CURRENT).status == "obsolete"


def test_an_explicit_approver_is_recorded(cast, tmp_path: Path) -> None:
    call_command("process", "load", str(_file(tmp_path)), "--as", "gl_author", "--approved-by", "gl_head2")
    version = ProcessVersion.objects.get(process__key=PROCESS, version=NEXT)
    assert (version.status, version.author_id, version.approver_id) == ("approved", cast.author.pk, cast.head2.pk)
    event = Event.objects.filter(kind="process_version_added", process_version=NEXT).get()
    assert (event.actor_name, event.payload["approver"], event.payload["role"]) == (
        cast.author.display_name, "gl_head2", "head_of_sales")


def test_an_approver_without_the_role_is_refused_and_nothing_is_stored(cast, tmp_path: Path) -> None:
    assert _exit_code("process", "load", str(_file(tmp_path)), "--as", "gl_author", "--approved-by", "gl_kam") == 4
    assert not ProcessVersion.objects.filter(process__key=PROCESS, version=NEXT).exists()


def test_without_a_user_a_change_to_an_approved_process_is_a_draft(cast, tmp_path: Path) -> None:
    call_command("process", "load", str(_file(tmp_path)))
    assert ProcessVersion.objects.get(process__key=PROCESS, version=NEXT).status == "draft"
    assert _in_force() == CURRENT


def test_a_new_process_without_a_user_is_installed_as_its_file_says(cast, tmp_path: Path) -> None:
    text = version_text(1).replace("process: opportunity-management", "process: om-copy", 1)
    path = tmp_path / "copy.yaml"
    path.write_text(text, encoding="utf-8")
    call_command("process", "load", str(path))
    assert Process.objects.get(key="om-copy").current_version().version == 1


def test_a_version_approved_for_a_later_day_waits_for_the_scheduled_job(cast, tmp_path: Path, capsys) -> None:
    later = timezone.localdate() + datetime.timedelta(days=10)
    call_command("process", "load", str(_file(tmp_path, effective=later.isoformat())), "--as", "gl_head")
    assert f"in force from {later.isoformat()}" in capsys.readouterr().out
    version = ProcessVersion.objects.get(process__key=PROCESS, version=NEXT)
    assert (version.status, version.scheduled, version.effective_date) == ("approved", True, later)
    assert _in_force() == CURRENT
    call_command("process", "history", PROCESS)
    assert f"effective {later.isoformat()} (not in force yet)" in capsys.readouterr().out
    assert services.do_create_record(PROCESS, cast.kam, {"title": "Before"}).process_version.version == CURRENT
    call_command("jobs", "run", "--today", (later - datetime.timedelta(days=1)).isoformat(), "--json")
    assert json.loads(capsys.readouterr().out)["versions_in_force"] == []
    assert _in_force() == CURRENT
    call_command("jobs", "run", "--today", later.isoformat())
    assert f"{PROCESS} v{NEXT} is in force from today" in capsys.readouterr().out
    assert _in_force() == NEXT
    assert ProcessVersion.objects.get(process__key=PROCESS, version=CURRENT).status == "obsolete"
    assert services.do_create_record(PROCESS, cast.kam, {"title": "After"}).process_version.version == NEXT
    assert Event.objects.filter(kind="process_version_in_force", process_version=NEXT).count() == 1
    call_command("jobs", "run", "--today", later.isoformat())
    assert Event.objects.filter(kind="process_version_in_force", process_version=NEXT).count() == 1


def test_approving_for_a_later_day_in_review_waits_too(cast, tmp_path: Path) -> None:
    path = tmp_path / "proposal.yaml"
    path.write_text(version_text(NEXT, proposal_probability=55), encoding="utf-8")
    call_command("process", "propose", str(path), "--as", "gl_author")
    call_command("process", "submit", PROCESS, str(NEXT), "--as", "gl_author")
    later = timezone.localdate() + datetime.timedelta(days=3)
    call_command("process", "approve", PROCESS, str(NEXT), "--as", "gl_head", "--effective", later.isoformat())
    assert _in_force() == CURRENT
    call_command("jobs", "run", "--today", later.isoformat())
    assert _in_force() == NEXT


def _with_deputy(version: int) -> str:
    text = version_text(version, proposal_probability=60)
    return re.sub(r"(?m)^  responsible: head_of_sales$", "  responsible: head_of_sales\n  deputy_approver: managing_director",
                  text, count=1)


def test_a_deputy_approver_role_approves_but_never_the_author(cast, tmp_path: Path) -> None:
    from salesflow.people.services import do_add_user

    director = do_add_user("gl_director", ["managing_director"], password="pw-gl-1")
    current = tmp_path / "deputy.yaml"
    current.write_text(_with_deputy(NEXT), encoding="utf-8")
    call_command("process", "load", str(current), "--as", "gl_head")  # the version in force names the deputy
    assert _in_force() == NEXT
    proposal = tmp_path / "next.yaml"
    proposal.write_text(_with_deputy(NEXT + 1), encoding="utf-8")
    call_command("process", "propose", str(proposal), "--as", "gl_head")
    call_command("process", "submit", PROCESS, str(NEXT + 1), "--as", "gl_head")
    assert _exit_code("process", "approve", PROCESS, str(NEXT + 1), "--as", "gl_head") == 4  # four eyes
    from django.test import Client
    from django.urls import reverse

    page = Client()
    page.force_login(director)
    assert 'name="effective_date"' in page.get(reverse("guideline_version", args=[PROCESS, NEXT + 1])).content.decode()
    call_command("process", "approve", PROCESS, str(NEXT + 1), "--as", "gl_director")
    version = ProcessVersion.objects.get(process__key=PROCESS, version=NEXT + 1)
    assert (version.status, version.approver_id) == ("approved", director.pk)
    assert _exit_code("process", "load", str(_file(tmp_path, NEXT + 2)), "--as", "gl_kam",
                      "--approved-by", "gl_kam") == 4
    call_command("process", "load", str(_file(tmp_path, NEXT + 2)), "--as", "gl_kam", "--approved-by", "gl_director")
    assert _in_force() == NEXT + 2


def test_a_deputy_that_is_not_a_declared_role_is_refused_with_its_line() -> None:
    from salesflow.process.validate import ProcessInvalid, parse_valid

    text = version_text(NEXT).replace("  responsible: head_of_sales\n", "  responsible: head_of_sales\n"
                                      "  deputy_approver: quality_lead\n", 1)
    with pytest.raises(ProcessInvalid) as refused:
        parse_valid(text, "om.yaml", {"lead-management", "account-management"})
    assert any("unknown role 'quality_lead'" in str(problem) and problem.line > 1 for problem in refused.value.problems)

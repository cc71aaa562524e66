"""Importing an e-mail (.eml) or a calendar invitation (.ics) into the log; a bad file names itself and the
problem, exits non-zero and writes nothing."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest

from salesflow.activities import services
from salesflow.activities.models import Activity
from salesflow.engine.errors import BadInput, Conflict
from salesflow.records.models import Event
from tests.activities.conftest import EML, ICS
from tests.cli.run import run_cli


def test_eml_and_ics_become_logged_work(team: dict[str, Any], opportunity: Any, account: Any) -> None:
    kam = team["kam"]
    target = services.resolve_target(kam, record=opportunity.pk)
    [email] = services.do_import_file(kam, target, "offer.eml", EML)
    assert (email.kind, email.subject, email.source, email.source_id) == (
        "email", "Questions on the offer", "eml", "<offer-1@nordwind.example>")
    assert email.at == datetime.datetime(2026, 12, 1, 9, 15, tzinfo=datetime.UTC)
    assert "can you do 5 % off? Grüße" in email.body
    assert "Anna Kunde <anna@nordwind.example>" in email.participants and "otto@nordwind.example" in email.participants
    assert email.contact is not None and email.contact.email == "anna@nordwind.example"  # found by address
    [meeting] = services.do_import_file(kam, target, "invite.ics", ICS)
    assert (meeting.kind, meeting.subject, meeting.duration_minutes) == ("meeting", "Requirements workshop", 90)
    assert meeting.body == "Scope and data sources" and meeting.source_id == "workshop-7@nordwind.example"
    assert Event.objects.filter(kind="activity_logged", record=opportunity).count() == 2

    with pytest.raises(Conflict, match=r"offer.eml: already imported to record"):
        services.do_import_file(kam, target, "offer.eml", EML)


@pytest.mark.parametrize(("name", "data", "problem"), [
    ("empty.eml", b"", "empty.eml: the file is empty"),
    ("binary.eml", b"\x00\x01\x02 not mail", "binary.eml: not an e-mail message (no From, Date or Subject header)"),
    ("nodate.eml", b"From: a@b.example\r\nSubject: hi\r\n\r\nx", "nodate.eml: the e-mail has no Date header"),
    ("baddate.eml", b"From: a@b.example\r\nDate: yesterday-ish\r\nSubject: hi\r\n\r\nx",
     "baddate.eml: the Date header is not a date: 'yesterday-ish'"),
    ("garbage.ics", b"this is no calendar", "garbage.ics: not a calendar file"),
    ("empty.ics", b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n",
     "empty.ics: the calendar holds no event (VEVENT)"),
    ("nostart.ics", b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nSUMMARY:s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
     "nostart.ics: the event has no start (DTSTART)"),
    ("notes.txt", b"hello", "notes.txt: not an .eml (e-mail) or .ics (calendar invitation) file"),
])
def test_bad_files_are_refused_naming_file_and_problem(team: dict[str, Any], opportunity: Any, name: str,
                                                       data: bytes, problem: str) -> None:
    target = services.resolve_target(team["kam"], record=opportunity.pk)
    with pytest.raises(BadInput) as refused:
        services.do_import_file(team["kam"], target, name, data)
    assert str(refused.value).startswith(problem) and str(refused.value).endswith("nothing was imported")
    assert not Activity.objects.exists()


def test_cli_import_of_a_bad_file_among_good_ones_writes_nothing(team: dict[str, Any], opportunity: Any,
                                                                  tmp_path: Path, capsys: Any,
                                                                  monkeypatch: Any) -> None:
    good, bad = tmp_path / "offer.eml", tmp_path / "broken.ics"
    good.write_bytes(EML)
    bad.write_bytes(ICS.replace(b"DTSTART:20261203T100000Z", b"DTSTART:tomorrow"))
    events = Event.objects.count()
    result = run_cli(capsys, monkeypatch, "activity", "import", good, bad, "--record", opportunity.pk, "--as", "kam")
    assert result.code == 1, result
    assert "broken.ics:" in result.err and "DTSTART" in result.err and "Traceback" not in result.err
    assert not Activity.objects.exists() and Event.objects.count() == events

    result = run_cli(capsys, monkeypatch, "activity", "import", good, "--record", opportunity.pk, "--as", "kam",
                     "--json")
    assert result.code == 0, result
    assert [item["subject"] for item in result.json()] == ["Questions on the offer"]

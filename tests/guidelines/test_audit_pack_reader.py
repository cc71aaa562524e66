"""The audit pack shows its builder only what they may see (``audit pack --as USER``, as the web does).

An override of a strictly confidential record appears to a builder who may not see the record only as
"a record you may not see": no id, title, reason or unmet requirement anywhere in the zip; its
reads (security events) lose the record id. The record's named member sees everything.
"""

from __future__ import annotations

import datetime
import json
import zipfile
from pathlib import Path

import pytest
from django.utils import timezone

from salesflow.guidelines.audit_pack import HIDDEN_RECORD
from salesflow.people.security import log_security_event
from salesflow.records import services as records
from tests.cli.run import run_cli

pytestmark = pytest.mark.django_db

SECRET_REASON = "Merger talks: board asked to skip the design review"
SECRET_TITLE = "Project Nightingale takeover"


@pytest.fixture
def secret(cast) -> int:
    """A strictly confidential opportunity of the KAM (the Head of Sales a named member) moved by an override."""
    record = records.do_create_record("opportunity-management", cast.kam, {
        "title": SECRET_TITLE, "amount": "4400000", "classification": "strictly_confidential"})
    records.do_set_members(record.pk, cast.kam, [cast.head.username], [])
    records.do_move(record.pk, cast.head, "solution_design", override_reason=SECRET_REASON)
    log_security_event("download_strictly_confidential", cast.head, record_id=record.pk, file="nightingale-terms.pdf",
                       via="web")
    return record.pk


def _pack(capsys, monkeypatch, tmp_path: Path, *extra: str):
    today = timezone.localdate()
    output = tmp_path / "pack.zip"
    result = run_cli(capsys, monkeypatch, "audit", "pack", "--from", (today - datetime.timedelta(days=1)).isoformat(),
                     "--to", today.isoformat(), "-o", output, *extra)
    return result, output


def _texts(output: Path) -> dict[str, str]:
    with zipfile.ZipFile(output) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist() if not name.endswith(".pdf")}


def test_a_builder_who_may_not_see_the_record_reads_only_that_it_exists(secret, cast, capsys, monkeypatch,
                                                                         tmp_path) -> None:
    result, output = _pack(capsys, monkeypatch, tmp_path, "--as", cast.author.username)  # Sales Ops: no member
    assert result.code == 0, result
    texts = _texts(output)
    adherence = json.loads(texts["adherence/process-adherence.json"])
    [override] = adherence["overrides"]
    assert override["record_label"] == HIDDEN_RECORD and override["record"] is None
    assert override["reason"] == "" and override["unmet"] == [] and override["hidden"] is True
    figures = {row["process"]: row for row in adherence["processes"]}
    assert figures["opportunity-management"]["forward_moves_overridden"] == 1, figures  # still counted
    assert HIDDEN_RECORD in texts["adherence/process-adherence.html"]
    for name, text in texts.items():
        assert SECRET_REASON not in text, name
        assert SECRET_TITLE not in text, name
        assert "4400000" not in text and "4 400 000" not in text, name
    access = json.loads(texts["access/access-review.json"])
    [download] = [change for change in access["changes"] if change["kind"] == "security.download_strictly_confidential"]
    assert download["payload"] == {"record": HIDDEN_RECORD, "via": "web"}
    assert "nightingale-terms" not in texts["access/access-review.html"]


def test_the_named_member_sees_the_record_in_the_pack(secret, cast, capsys, monkeypatch, tmp_path) -> None:
    result, output = _pack(capsys, monkeypatch, tmp_path, "--as", cast.head.username)
    assert result.code == 0, result
    texts = _texts(output)
    [override] = json.loads(texts["adherence/process-adherence.json"])["overrides"]
    assert (override["record"], override["reason"]) == (secret, SECRET_REASON)
    assert "nightingale-terms.pdf" in texts["access/access-review.json"]


def test_without_as_the_administrator_context_names_every_record(secret, capsys, monkeypatch, tmp_path) -> None:
    result, output = _pack(capsys, monkeypatch, tmp_path)
    assert result.code == 0, result
    [override] = json.loads(_texts(output)["adherence/process-adherence.json"])["overrides"]
    assert override["reason"] == SECRET_REASON


def test_a_user_without_the_library_right_may_not_build_it(cast, capsys, monkeypatch, tmp_path) -> None:
    result, output = _pack(capsys, monkeypatch, tmp_path, "--as", cast.kam.username)
    assert result.code == 4 and "audit_pack" in result.err, result
    assert not output.exists()


def test_a_list_read_names_only_the_records_the_reader_sees(secret, cast) -> None:
    from salesflow.guidelines.audit_pack import Reader

    visible = records.do_create_record("opportunity-management", cast.kam, {"title": "Open deal"}).pk
    payload = {"via": "api list", "record_ids": [secret, visible], "count": 2}
    redacted = Reader(cast.author).payload(None, payload)
    assert redacted["record_ids"] == [visible] and redacted["hidden_records"] == f"1 × {HIDDEN_RECORD}"
    assert Reader(cast.head).payload(None, payload) == payload
    assert Reader(None).payload(None, payload) == payload

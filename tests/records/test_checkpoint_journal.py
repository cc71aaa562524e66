"""Where checkpoints go and how they are kept apart: one journal per database (by its identity), the signing
key from the environment (or generated in development), syslog as a second copy, ``checkpoint_if_due``."""

from __future__ import annotations

import json
import os
import socket
import stat
from pathlib import Path

import pytest
from django.db import connection

from salesflow.records import checkpoints, services
from salesflow.records.models import DatabaseIdentity
from tests.tampering import rewrite_allowed

pytestmark = pytest.mark.django_db


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_checkpoint_carries_the_database_identity_and_a_valid_signature(cli, record, checkpoint_journal) -> None:
    result = cli("audit", "checkpoint", "--json")
    assert result.code == 0, result
    written = result.json()["checkpoint"]
    assert lines(checkpoint_journal) == [written]
    assert written["database"] == DatabaseIdentity.objects.get(pk=1).uuid
    assert written["format"] == "salesflow-checkpoint/1"
    assert checkpoints.verify_checkpoints() == []
    pem = cli("audit", "checkpoint", "--public-key").out
    assert pem.startswith("-----BEGIN PUBLIC KEY-----") and pem.strip() == checkpoints.public_key_pem().strip()


def test_the_default_journal_belongs_to_this_database(monkeypatch, settings, tmp_path) -> None:
    monkeypatch.delenv("SALESFLOW_CHECKPOINT_JOURNAL")
    settings.VAR_DIR = tmp_path
    if connection.vendor == "sqlite":
        assert checkpoints.journal_path() == Path(connection.settings_dict["NAME"] + ".checkpoints.jsonl")
    else:
        identity = DatabaseIdentity.objects.get(pk=1).uuid
        assert checkpoints.journal_path() == tmp_path / "checkpoints" / f"{identity}.jsonl"


def test_a_journal_directory_holds_one_file_per_database(record, monkeypatch, tmp_path) -> None:
    folder = tmp_path / "journals"
    folder.mkdir()
    other = folder / "8a0c0d1e-0000-4000-8000-000000000000.jsonl"
    other.write_text("another database's journal, not even JSON\n")
    monkeypatch.setenv("SALESFLOW_CHECKPOINT_JOURNAL", f"{folder}{os.sep}")
    checkpoints.write_checkpoint()
    mine = folder / f"{DatabaseIdentity.objects.get(pk=1).uuid}.jsonl"
    assert len(lines(mine)) == 1
    assert checkpoints.verify_checkpoints() == []
    assert other.read_text() == "another database's journal, not even JSON\n"


def test_a_changed_database_identity_is_reported(cli, record, checkpoint_journal) -> None:
    assert cli("audit", "checkpoint").code == 0
    with rewrite_allowed(), connection.cursor() as cursor:
        cursor.execute("UPDATE records_databaseidentity SET uuid = %s", ["11111111-2222-4333-8444-555555555555"])
    result = cli("audit", "verify")
    assert result.code == 1, result
    assert "is a checkpoint of database" in result.err
    assert "the identity was changed or the database replaced" in result.err


def test_an_unreadable_or_altered_journal_line_is_reported(cli, record, checkpoint_journal) -> None:
    assert cli("audit", "checkpoint").code == 0
    forged = lines(checkpoint_journal)[0]
    forged["time"] = "2020-01-01T00:00:00.000000Z"
    with checkpoint_journal.open("a") as handle:
        handle.write("{not json\n" + json.dumps(forged) + "\n")
    result = cli("audit", "verify", "--json")
    assert result.code == 1
    messages = [problem["message"] for problem in result.json()["checkpoints"]["problems"]]
    assert any("line 2 is not a checkpoint" in message for message in messages)
    assert any("line 3: the signature does not match" in message for message in messages)


def test_checkpoints_of_another_key_are_reported(cli, record, checkpoint_journal, monkeypatch, tmp_path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    assert cli("audit", "checkpoint").code == 0
    public = tmp_path / "public.pem"
    public.write_bytes(Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    monkeypatch.setenv("SALESFLOW_CHECKPOINT_PUBLIC_KEY_FILE", str(public))
    result = cli("audit", "verify")
    assert result.code == 1
    assert "not by the given key" in result.err


def test_without_a_checkpoint_verify_warns(cli, record, checkpoint_journal) -> None:
    result = cli("audit", "verify")
    assert result.code == 0, result
    assert "warning: no checkpoint of this database" in result.err


def test_checkpoint_if_due(people, record, checkpoint_journal) -> None:
    first = checkpoints.checkpoint_if_due(300)
    assert first is not None  # events and no checkpoint yet
    assert checkpoints.checkpoint_if_due(0) is None  # nothing appended since
    services.do_complete_activity(record.pk, people["kam"], "risk_analysis")
    assert checkpoints.checkpoint_if_due(300) is None  # the newest is younger than 5 minutes
    second = checkpoints.checkpoint_if_due(0)
    assert second is not None and second["seq"] > first["seq"]
    assert len(lines(checkpoint_journal)) == 2


def test_jobs_run_writes_a_checkpoint_when_due(cli, record, checkpoint_journal, monkeypatch) -> None:
    monkeypatch.setenv("SALESFLOW_CHECKPOINT_INTERVAL", "0")
    data = cli("jobs", "run", "--json").json()
    assert data["checkpoint"]["seq"] == lines(checkpoint_journal)[-1]["seq"]
    assert cli("jobs", "run", "--json").json()["checkpoint"] is None  # nothing appended since


def test_without_a_key_in_production_nothing_is_signed(cli, record, monkeypatch, settings, checkpoint_journal) -> None:
    monkeypatch.delenv("SALESFLOW_CHECKPOINT_KEY_FILE")
    settings.DEBUG = False
    result = cli("audit", "checkpoint")
    assert result.code == 1
    assert "no checkpoint key: set SALESFLOW_CHECKPOINT_KEY_FILE" in result.err
    assert not checkpoint_journal.exists()
    monkeypatch.setenv("SALESFLOW_CHECKPOINT_KEY", "not a key")
    result = cli("audit", "checkpoint")
    assert result.code == 1 and "SALESFLOW_CHECKPOINT_KEY: not a PEM private key" in result.err


def test_a_key_given_as_text_signs(cli, record, monkeypatch, checkpoint_key_file) -> None:
    monkeypatch.delenv("SALESFLOW_CHECKPOINT_KEY_FILE")
    monkeypatch.setenv("SALESFLOW_CHECKPOINT_KEY", checkpoint_key_file.read_text())
    assert cli("audit", "checkpoint").code == 0
    assert cli("audit", "verify").code == 0


def test_development_generates_a_private_key_in_var(record, monkeypatch, settings, tmp_path) -> None:
    monkeypatch.delenv("SALESFLOW_CHECKPOINT_KEY_FILE")
    settings.DEBUG = True
    settings.VAR_DIR = tmp_path
    written = checkpoints.write_checkpoint()
    key = tmp_path / "checkpoint-key.pem"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert checkpoints.write_checkpoint()["key"] == written["key"]  # the same key is used again
    assert checkpoints.verify_checkpoints() == []


def test_syslog_gets_a_copy(record, monkeypatch, checkpoint_journal) -> None:
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind(("127.0.0.1", 0))
    server.settimeout(5)
    try:
        monkeypatch.setenv("SALESFLOW_CHECKPOINT_SYSLOG", f"127.0.0.1:{server.getsockname()[1]}")
        written = checkpoints.write_checkpoint()
        message = server.recv(65536).decode("utf-8")
    finally:
        server.close()
    assert "salesflow-checkpoint" in message
    assert json.loads(message.split("salesflow-checkpoint ", 1)[1].rstrip("\x00")) == written


def test_no_checkpoint_inside_a_transaction_that_may_roll_back(record, checkpoint_journal) -> None:
    from django.db import transaction

    with transaction.atomic(), pytest.raises(checkpoints.CheckpointError, match="committed events only"):
        checkpoints.write_checkpoint()
    assert not checkpoint_journal.exists()


@pytest.mark.django_db(transaction=True)
def test_a_checkpoint_outside_any_transaction_syncs_and_signs(checkpoint_journal) -> None:
    from salesflow.people.services import do_add_user

    kam = do_add_user("kam", ["kam"], ["North"], first_name="Kai", last_name="Becker")
    services.do_create_record("opportunity-management", kam, {"title": "Durable", "amount": "1000"})
    written = checkpoints.write_checkpoint()
    assert lines(checkpoint_journal) == [written]
    assert checkpoints.verify_checkpoints() == []


def test_a_line_appended_without_the_key_does_not_count_as_the_newest(people, record, checkpoint_journal) -> None:
    written = checkpoints.write_checkpoint()
    forged = {**written, "seq": written["seq"] + 1000, "time": "2999-01-01T00:00:00.000000Z"}
    with checkpoint_journal.open("a") as handle:
        handle.write(json.dumps(forged) + "\n")
    assert checkpoints.newest_checkpoint() == written
    services.do_complete_activity(record.pk, people["kam"], "risk_analysis")
    assert checkpoints.checkpoint_if_due(0) is not None  # neither postponed nor refused by the forged line

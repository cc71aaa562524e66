"""The stand-alone verifier (``salesflow/verifier.py``, standard library + cryptography, no Django) accepts an
untouched ``salesflow export events`` against the checkpoint and public key written beside it, and rejects an
edited one — also as the copy shipped in the audit pack, run from a directory without Salesflow."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from salesflow.records import services
from salesflow.verifier import GENESIS, event_hash, hashed_fields

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def export(cli, people, record, tmp_path) -> Path:
    """A history with payloads, a checkpoint, then a complete CSV export with its evidence files."""
    services.do_complete_activity(record.pk, people["kam"], "risk_analysis")
    services.do_set_fields(record.pk, people["kam"], {"account": "Alpen Solar – Süd", "amount": "125000.50"})
    assert cli("audit", "checkpoint").code == 0
    path = tmp_path / "events.csv"
    result = cli("export", "events", "-o", path)
    assert result.code == 0, result
    assert "python -m salesflow.verifier" in result.out
    return path


def run_verifier(*args: object, cwd: Path = REPO, script: str | None = None) -> subprocess.CompletedProcess:
    """The verifier in a fresh interpreter without Django settings (``-m salesflow.verifier`` or a script file)."""
    command = [sys.executable, script] if script else [sys.executable, "-m", "salesflow.verifier"]
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO) if script is None else ""}
    return subprocess.run([*command, *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


def rows_of(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def write_rows(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerows(rows)


def test_an_untouched_export_is_accepted(export) -> None:
    assert export.with_name("events.csv.checkpoint.json").is_file()
    assert export.with_name("events.csv.public-key.pem").read_text().startswith("-----BEGIN PUBLIC KEY-----")
    result = run_verifier(export, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    header, rows = rows_of(export)
    assert data["ok"] and data["events"] == len(rows) and data["checkpoint"]["seq"] <= len(rows)


def test_the_verifier_imports_no_django() -> None:
    probe = ("import sys, salesflow.verifier; "
             "sys.exit(1 if any(name.split('.')[0] == 'django' for name in sys.modules) else 0)")
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO, env={"PYTHONPATH": str(REPO)},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_an_edited_event_is_rejected(export) -> None:
    header, rows = rows_of(export)
    target = next(row for row in rows if row["kind"] == "field_changed" and "125000.5" in row["payload"])
    target["payload"] = target["payload"].replace("125000.5", "12500.5")
    write_rows(export, header, rows)
    result = run_verifier(export)
    assert result.returncode == 1
    assert f"event {target['seq']} (field_changed) was altered" in result.stderr


def test_an_edited_export_with_every_hash_recomputed_is_rejected(export) -> None:
    header, rows = rows_of(export)
    rows[1]["actor_name"] = "Mallory"
    prev = GENESIS
    for row in rows:  # the forger recomputes the whole chain of the export
        row["prev_hash"] = prev
        row["hash"] = prev = event_hash(prev, hashed_fields(row))
    write_rows(export, header, rows)
    checkpoint = json.loads(export.with_name("events.csv.checkpoint.json").read_text())
    result = run_verifier(export)
    assert result.returncode == 1
    assert f"event {checkpoint['seq']} does not carry the checkpointed hash" in result.stderr


def test_an_export_cut_before_the_checkpoint_is_rejected(export) -> None:
    header, rows = rows_of(export)
    checkpoint = json.loads(export.with_name("events.csv.checkpoint.json").read_text())
    write_rows(export, header, rows[:checkpoint["seq"] - 1])
    result = run_verifier(export)
    assert result.returncode == 1
    assert f"the checkpoint says the log reached event {checkpoint['seq']}" in result.stderr


def test_a_forged_checkpoint_is_rejected(export) -> None:
    path = export.with_name("events.csv.checkpoint.json")
    checkpoint = json.loads(path.read_text())
    checkpoint["seq"] -= 1
    path.write_text(json.dumps(checkpoint))
    result = run_verifier(export)
    assert result.returncode == 1
    assert "the signature does not match the checkpoint" in result.stderr


def test_another_public_key_is_rejected(export, tmp_path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    other = tmp_path / "other.pem"
    other.write_bytes(Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    result = run_verifier(export, "--public-key", other)
    assert result.returncode == 1
    assert "not by the given key" in result.stderr


def test_a_missing_checkpoint_file_is_bad_use(export, tmp_path) -> None:
    result = run_verifier(export, "--checkpoint", tmp_path / "nope.json")
    assert result.returncode == 2
    assert "nope.json" in result.stderr


def test_the_audit_pack_ships_checkpoint_key_and_verifier(cli, export, tmp_path) -> None:
    pack = tmp_path / "pack.zip"
    assert cli("audit", "pack", "--from", "2020-01-01", "--to", "2030-12-31", "-o", pack).code == 0
    folder = tmp_path / "auditor"
    folder.mkdir()
    with zipfile.ZipFile(pack) as archive:
        for name in ("checkpoint.json", "public-key.pem", "verifier.py", "VERIFY.txt"):
            (folder / name).write_bytes(archive.read(f"event-log/{name}"))
        manifest = json.loads(archive.read("manifest.json"))
        checked = json.loads(archive.read("event-log/checkpoint-verification.json"))
        index = archive.read("index.html").decode("utf-8")
    assert checked["ok"] and checked["count"] >= 2 and checked["problems"] == []
    assert "signed checkpoints still match the chain" in index
    assert f"event {checked['newest']['seq']}, signed" in index
    assert {"event-log/checkpoint.json", "event-log/verifier.py"} <= {item["path"] for item in manifest["files"]}
    newer = tmp_path / "newer.csv"  # the auditor asks for an export made after the pack's checkpoint
    assert cli("export", "events", "-o", newer).code == 0
    result = run_verifier(newer, "--checkpoint", folder / "checkpoint.json", "--public-key",
                          folder / "public-key.pem", cwd=folder, script="verifier.py")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: ")
    header, rows = rows_of(newer)
    rows[0]["kind"] = "forged"
    write_rows(newer, header, rows)
    result = run_verifier(newer, "--checkpoint", folder / "checkpoint.json", "--public-key",
                          folder / "public-key.pem", cwd=folder, script="verifier.py")
    assert result.returncode == 1
    assert "event 1 (forged) was altered" in result.stderr
    assert io.StringIO(result.stdout).read() == ""

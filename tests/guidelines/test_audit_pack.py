"""`audit pack` writes a zip whose manifest lists every file with a SHA-256 that matches it."""

from __future__ import annotations

import datetime
import hashlib
import json
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from salesflow.guidelines import services
from salesflow.records import eventlog
from salesflow.records import services as records
from salesflow.records.models import Event
from tests.guidelines.conftest import CURRENT, NEXT, PROCESS, version_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(cast) -> None:
    """Two guideline versions, an acknowledgement, and a record moved past an unmet gate by an override."""
    services.do_propose_version(version_text(NEXT), cast.author)
    services.do_submit_for_review(PROCESS, NEXT, cast.author)
    services.do_approve_version(PROCESS, NEXT, cast.head)
    services.do_acknowledge(PROCESS, cast.kam)
    record = records.do_create_record(PROCESS, cast.kam, {"title": "Rushed deal"})
    records.do_move(record.pk, cast.head, "solution_design", override_reason="Framework contract already signed")


def test_pack_manifest_matches_its_files(history, tmp_path: Path) -> None:
    today = timezone.localdate()
    output = tmp_path / "pack.zip"
    call_command("audit", "pack", "--from", (today - datetime.timedelta(days=30)).isoformat(),
                 "--to", today.isoformat(), "-o", str(output))
    with zipfile.ZipFile(output) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
        listed = {row["path"]: row for row in manifest["files"]}
        assert set(listed) == names - {"manifest.json", "SHA256SUMS"}
        for path, row in listed.items():
            content = archive.read(path)
            assert hashlib.sha256(content).hexdigest() == row["sha256"] and len(content) == row["bytes"]
        sums = archive.read("SHA256SUMS").decode().splitlines()
        assert sorted(sums) == sorted(f"{row['sha256']}  {path}" for path, row in listed.items())

        assert {f"guidelines/opportunity-management-v{CURRENT}-en.pdf", f"guidelines/opportunity-management-v{NEXT}-en.pdf",
                "index.html", "training/training-matrix.html", "access/access-review.html",
                "adherence/process-adherence.html", "event-log/chain-verification.json",
                "history/opportunity-management.html"} <= names
        assert archive.read(f"guidelines/opportunity-management-v{NEXT}-en.pdf").startswith(b"%PDF-")
        index = archive.read("index.html").decode()
        for path in listed:
            assert f'href="{path}"' in index

        chain = json.loads(archive.read("event-log/chain-verification.json"))
        assert chain["ok"] is True and chain["head_hash"] in index
        adherence = json.loads(archive.read("adherence/process-adherence.json"))
        assert [item["reason"] for item in adherence["overrides"]] == ["Framework contract already signed"]
        figures = adherence["processes"][0]
        assert figures["forward_moves"] == 1 and figures["forward_moves_overridden"] == 1
        history = json.loads(archive.read("history/opportunity-management.json"))
        assert [(v["version"], v["status"]) for v in history["versions"]] == [(CURRENT, "obsolete"), (NEXT, "approved")]
        training = json.loads(archive.read("training/training-matrix.json"))
        kam = next(user for user in training["users"] if user["username"] == "gl_kam")
        assert kam["processes"][PROCESS]["state"] == "read"
        access = json.loads(archive.read("access/access-review.json"))
        assert {"gl_head", "gl_kam", "gl_auditor"} <= {user["username"] for user in access["users"]}
    assert Event.objects.filter(kind="security.export").exists()
    assert eventlog.verify().ok


def test_bad_period_is_refused(cast, tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as raised:
        call_command("audit", "pack", "--from", "2026-02-01", "--to", "2026-01-01", "-o", str(tmp_path / "x.zip"))
    assert raised.value.code == 1
    with pytest.raises(SystemExit):
        call_command("audit", "pack", "--from", "yesterday", "--to", "2026-01-01", "-o", str(tmp_path / "x.zip"))
    assert not (tmp_path / "x.zip").exists()


def test_pack_holds_every_guideline_pdf_first_while_its_other_files_are_collected(history, settings) -> None:
    """The PDFs not cached render in worker processes while the other files are collected; the pack still lists
    one PDF per version and language first, in order, the progress counts up to every file and the index links
    each PDF."""
    from salesflow.guidelines.audit_pack import _window as window
    from salesflow.guidelines.audit_pack import build_audit_pack, versions_current_in
    from salesflow.guidelines.publish import file_name

    settings.SALESFLOW_PDF_WORKERS = 2
    today = timezone.localdate()
    steps: list[tuple[int, str]] = []
    pack = build_audit_pack(today - datetime.timedelta(days=30), today, ("en", "de"),
                            progress=lambda done, _expected, path: steps.append((done, path)))
    versions = versions_current_in(*window(today - datetime.timedelta(days=30), today))
    expected = [f"guidelines/{file_name(version, 'pdf', language)}" for version in versions for language in ("en", "de")]
    assert len(expected) >= 2 * 6
    assert [item.path for item in pack.files[:len(expected)]] == expected
    assert all(item.content.startswith(b"%PDF-") and item.kind == "guideline" for item in pack.files[:len(expected)])
    assert not any(item.path.startswith("guidelines/") for item in pack.files[len(expected):])
    assert pack.summary["guidelines"] == len(expected)
    assert [done for done, _path in steps] == list(range(1, len(pack.files) + 1))
    assert {path for _done, path in steps} == {item.path for item in pack.files}
    index = pack.files[-1]
    assert index.path == "index.html" and all(f'href="{path}"' in index.content.decode() for path in expected)

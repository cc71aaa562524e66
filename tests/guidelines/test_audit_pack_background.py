"""The audit pack built in the background: progress page, download for the one who asked, nobody else."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from salesflow.guidelines import pack_jobs


class InlineThread:
    """Runs the build at ``start()`` in the test's own thread and transaction."""

    def __init__(self, target, args=(), **_options) -> None:
        self.target, self.args = target, args

    def start(self) -> None:
        self.target(*self.args)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def steps(monkeypatch):
    """The progress states written while the pack is built."""
    monkeypatch.setattr(pack_jobs.threading, "Thread", InlineThread)
    written: list[dict] = []
    real = pack_jobs._write_state

    def recording(job, state):
        written.append(state)
        real(job, state)

    monkeypatch.setattr(pack_jobs, "_write_state", recording)
    return written


def test_background_pack_shows_progress_and_is_downloaded_by_its_owner_only(cast, steps) -> None:
    auditor = _client(cast.auditor)
    response = auditor.post(reverse("audit_pack"), {"date_from": "2020-01-01", "date_to": "2020-01-31",
                                                    "background": "1", "language": ["en", "de"]})
    assert response.status_code == 302
    job = response["Location"].rstrip("/").split("/")[-1]
    assert steps[0]["state"] == "running" and steps[-1]["state"] == "ready"
    assert steps[0]["languages"] == ["en", "de"]
    shown = {step["step"] for step in steps if step["step"]}
    assert shown and shown <= set(pack_jobs.SECTIONS), shown       # parts of the pack, each with a German name
    page = auditor.get(response["Location"])
    assert page.status_code == 200 and reverse("audit_pack_download", args=[job]) in page.content.decode()
    download = auditor.get(reverse("audit_pack_download", args=[job]))
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))) as archive:
        assert "manifest.json" in archive.namelist()
        assert "index.html" in archive.namelist()
    cast.head.roles.add(*cast.auditor.roles.all())                 # the right, but not the owner
    other = _client(cast.head)
    assert other.get(reverse("audit_pack_job", args=[job])).status_code == 404
    assert other.get(reverse("audit_pack_download", args=[job])).status_code == 404
    assert _client(cast.kam).get(reverse("audit_pack_job", args=[job])).status_code == 403


def test_progress_while_running_and_a_bad_period(cast, settings, tmp_path) -> None:
    settings.SALESFLOW_AUDIT_PACK_DIR = str(tmp_path)
    auditor = _client(cast.auditor)
    job = "a" * 32
    pack_jobs._write_state(job, {"user_id": cast.auditor.pk, "state": "running", "done": 3, "expected": 12,
                                 "step": "training", "date_from": "2020-01-01", "date_to": "2020-01-31"})
    status = auditor.get(reverse("audit_pack_job", args=[job]), HTTP_HX_REQUEST="true").content.decode()
    assert 'value="25"' in status and "3 of about 12 files: Training matrix" in status
    assert 'hx-trigger="every 1s"' in status
    german = auditor.get(reverse("audit_pack_job", args=[job]), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Das Audit-Paket wird erstellt" in german and "3 von etwa 12 Dateien: Schulungsmatrix" in german
    assert "Training matrix" not in german
    bad = auditor.post(reverse("audit_pack"), {"date_from": "2020-02-01", "date_to": "2020-01-01",
                                               "background": "1"})
    assert bad.status_code == 400

"""The audit pack in a real browser, in English and German: the form starts the build in the background, the
progress page refreshes itself until the pack is ready and offers the download. Screenshots in test-artifacts/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from salesflow.guidelines import pack_jobs
from salesflow.people.services import do_add_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "e2e-password-1"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
WORDS = {"en": ("Building the audit pack…", "3 of about 12 files: Training matrix", "The audit pack is ready",
               "Download the audit pack"),
         "de": ("Das Audit-Paket wird erstellt …", "3 von etwa 12 Dateien: Schulungsmatrix", "Das Audit-Paket ist fertig",
                "Audit-Paket herunterladen")}


@pytest.mark.parametrize("language", ["en", "de"])
def test_audit_pack_progress_and_download(page: Page, live_server: Any, language: str) -> None:
    auditor = do_add_user("audrey", ["auditor"], [], password=PASSWORD)
    base = live_server.url
    page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page.goto(base + "/accounts/login/")
    page.locator("input[name='username']").fill("audrey")
    page.locator("input[name='password']").fill(PASSWORD)
    page.locator("button.button-block[type='submit']").click()
    running, ready, download = WORDS[language][0], WORDS[language][2], WORDS[language][3]

    # a pack still being built: progress bar and the last file
    job = "b" * 31 + language[0]
    pack_jobs._write_state(job, {"user_id": auditor.pk, "state": "running", "done": 3, "expected": 12,
                                 "step": "training", "date_from": "2020-01-01", "date_to": "2020-01-31"})
    page.goto(f"{base}/guidelines/audit-pack/{job}/")
    expect(page.get_by_text(running)).to_be_visible()
    expect(page.get_by_text(WORDS[language][1])).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"audit-pack-progress-{language}.png"), full_page=True)

    # the real thing: the form starts it, the page refreshes itself until it is ready
    page.goto(base + "/guidelines/audit-pack/")
    page.locator("#date_from").fill("2020-01-01")
    page.locator("#date_to").fill("2020-01-31")
    page.locator("form.form button[type='submit']").click()
    expect(page.get_by_text(ready)).to_be_visible(timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / f"audit-pack-ready-{language}.png"), full_page=True)
    with page.expect_download() as event:
        page.get_by_role("link", name=download).click()
    assert event.value.suggested_filename == "audit-pack-2020-01-01-2020-01-31.zip"

"""Issue 17 point 6, in a real browser, in English and German: Sales Ops edits a process in the browser and sees
a problem at its line as they type, previews the change (diff, flowchart, guideline); the Head of Sales previews
the migration of the running records to the new version, maps the removed stage and confirms.

Screenshots (test-artifacts/): process-editor-error-{lang}.png, process-editor-preview-{lang}.png,
migrate-preview-{lang}.png, migrate-done-{lang}.png.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from salesflow.people.services import do_add_user
from salesflow.process.validate import parse_text
from salesflow.records import services
from salesflow.records.models import Event, Record
from tests.migration.conftest import PROCESS, TARGET, target_text

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "e2e-password-1"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TEXTS = {
    "en": {"user": "Username", "password": "Password", "sign_in": "Sign in", "my_work": "My work",
           "problems": "1 problem", "line": "line", "valid": "Valid: opportunity-management",
           "preview": "Preview changes, flowchart and guideline", "changes": f"What changes from v{TARGET}",
           "stage_map": "Stage negotiation no longer exists", "show": "Preview", "rows": "Preview: 3 running records",
           "move": f"Move 3 records to version {TARGET}", "moved": f"3 running record(s) moved to version {TARGET}."},
    "de": {"user": "Benutzername", "password": "Passwort", "sign_in": "Anmelden", "my_work": "Meine Arbeit",
           "problems": "1 Problem", "line": "Zeile", "valid": "Gültig: opportunity-management",
           "preview": "Vorschau: Änderungen, Ablaufdiagramm und Leitfaden", "changes": f"Was sich von v{TARGET}",
           "stage_map": "Phase negotiation gibt es nicht mehr", "show": "Vorschau",
           "rows": "Vorschau: 3 laufende Datensätze", "move": f"3 Datensätze auf Version {TARGET} umstellen",
           "moved": f"3 laufende(r) Datensatz/Datensätze auf Version {TARGET} umgestellt."},
}


def sign_in(page: Page, base: str, username: str, texts: dict[str, str]) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label(texts["user"]).fill(username)
    page.get_by_label(texts["password"]).fill(PASSWORD)
    page.get_by_role("button", name=texts["sign_in"]).click()
    expect(page.get_by_role("heading", name=texts["my_work"])).to_be_visible()


def type_text(page: Page, text: str) -> None:
    """Replace the editor's text as one edit (an input event, as typing ends with): fast on a busy machine."""
    page.locator("#text").evaluate(
        "(area, text) => { area.value = text; area.dispatchEvent(new Event('input', {bubbles: true})); }", text)


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("language", ["en", "de"])
def test_edit_with_inline_error_then_preview_and_migrate(browser: Browser, live_server: Any, language: str) -> None:
    from django.core.cache import cache

    cache.clear()
    texts, base = TEXTS[language], live_server.url
    head = do_add_user("head", ["head_of_sales"], ["North"], password=PASSWORD, first_name="Helena",
                       last_name="Hoffmann")
    do_add_user("ops", ["sales_ops"], password=PASSWORD, first_name="Quinn", last_name="Quality")
    kam = do_add_user("kam", ["kam"], ["North"], password=PASSWORD, first_name="Kai", last_name="Becker")
    for title, stage in (("Grid monitoring – Nordwind", "negotiation"), ("Storage pilot – Hafen", "proposal"),
                         ("Metering – Stadtwerke", "qualification")):
        record = services.do_create_record(PROCESS, kam, {"title": title, "account": "Nordwind", "amount": "50000"})
        if stage != "qualification":
            services.do_move(record.pk, head, stage, override_reason="test set-up")
    services.do_load_process(parse_text(target_text(), "v3.yaml"), head, head)

    context = browser.new_context(viewport={"width": 1400, "height": 900},
                                  locale="de-DE" if language == "de" else "en-GB")
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        sign_in(page, base, "ops", texts)
        page.goto(f"{base}/guidelines/propose/?from={PROCESS}")
        editor = page.locator("#text")
        expect(editor).to_have_value(target_text())
        expect(page.locator("#download-yaml")).to_have_attribute("href", f"/guidelines/{PROCESS}/v{TARGET}/yaml/")
        # a typo: an impossible probability in the Proposal stage → the problem appears at its line as you type
        broken = target_text().replace(f"version: {TARGET}\n", f"version: {TARGET + 1}\n", 1).replace(
            "    probability: 60\n", "    probability: 160\n", 1)
        bad_line = broken.splitlines().index("    probability: 160") + 1
        type_text(page, broken)
        result = page.locator("#validation")
        expect(result).to_contain_text(texts["problems"])
        expect(result).to_contain_text(f"{texts['line']} {bad_line}")
        expect(page.locator("#yaml-gutter .bad")).to_have_text(str(bad_line))
        page.locator("#validation [data-goto-line]").first.click()
        note = page.locator(f".lint-msg[data-line='{bad_line}']")
        expect(note).to_be_visible()
        expect(note).to_contain_text("160")
        shot(page, f"process-editor-error-{language}")
        # fixed: valid, and the preview shows the semantic diff, the flowchart and the guideline
        type_text(page, broken.replace("    probability: 160\n", "    probability: 65\n", 1))
        expect(result).to_contain_text(texts["valid"])
        expect(page.locator("#yaml-gutter .bad")).to_have_count(0)
        page.get_by_role("button", name=texts["preview"]).click()
        expect(page.locator("#preview")).to_contain_text(texts["changes"])
        expect(page.locator("#preview-changes")).to_contain_text("65")
        expect(page.locator("#preview .preview-flowchart")).to_be_visible()
        expect(page.locator("#preview .guideline-doc")).to_be_visible()
        shot(page, f"process-editor-preview-{language}")

        # The Head of Sales migrates the running records to the version in force (v3).
        head_page = browser.new_context(viewport={"width": 1400, "height": 900},
                                        locale="de-DE" if language == "de" else "en-GB").new_page()
        sign_in(head_page, base, "head", texts)
        head_page.goto(f"{base}/guidelines/{PROCESS}/v{TARGET}/")
        head_page.locator("#migrate-link").click()
        expect(head_page.locator(".alert-error")).to_contain_text("negotiation")
        head_page.get_by_label(texts["stage_map"]).select_option("closing")
        head_page.get_by_role("button", name=texts["show"], exact=True).click()
        table = head_page.locator("#migration-preview")
        expect(head_page.locator("#preview-h")).to_have_text(texts["rows"])
        expect(table.locator("tbody tr")).to_have_count(3)
        expect(table).to_contain_text("Grid monitoring – Nordwind")
        expect(table.locator("tr", has_text="Storage pilot")).to_contain_text("50 % → 60 %")
        assert not Event.objects.filter(kind="record_migrated").exists()
        shot(head_page, f"migrate-preview-{language}")
        head_page.get_by_role("button", name=texts["move"]).click()
        expect(head_page.locator(".messages")).to_contain_text(texts["moved"])
        shot(head_page, f"migrate-done-{language}")
        head_page.context.close()
        assert Event.objects.filter(kind="record_migrated").count() == 3
        assert set(Record.objects.values_list("process_version__version", flat=True)) == {TARGET}
        assert Record.objects.filter(stage="closing").count() == 1
    finally:
        context.close()

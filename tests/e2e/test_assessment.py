"""An assessment in a real browser, in English and German: the quality role opens the checklists, fills in a
mystery-shopping checklist of a sales representative (radio buttons, n/a, a scale, notes, an evidence file),
and sees the score and result; a refused form names the unanswered question. Screenshots in test-artifacts/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from salesflow.people.services import do_add_user
from salesflow.quality.models import Assessment

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "e2e-password-1"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def staff(live_server: Any) -> dict[str, Any]:
    from django.core.cache import cache

    cache.clear()
    return {
        "quinn": do_add_user("quinn", ["sales_quality"], [], password=PASSWORD, first_name="Quinn",
                             last_name="Quality"),
        "kam": do_add_user("kam", ["kam"], ["North"], password=PASSWORD, first_name="Kai", last_name="Becker"),
    }


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def answer(page: Page, question: str, value: str) -> None:
    page.locator(f"input[name='q-{question}'][value='{value}']").check()


def test_an_assessment_in_english(page: Page, live_server: Any, staff: dict, tmp_path: Path) -> None:
    base = live_server.url
    sign_in(page, base, "quinn")
    page.get_by_role("navigation").get_by_role("link", name="Checklists").click()
    expect(page.get_by_role("heading", name="Checklists", level=1)).to_be_visible()
    expect(page.get_by_text("Mystery shopping of a sales representative")).to_be_visible()
    shot(page, "checklists-en")
    page.locator("a[href$='/checklists/sales-force-mystery-shopping/assess/']").click()
    expect(page.get_by_role("heading", name="Mystery shopping of a sales representative")).to_be_visible()
    page.get_by_label("Person").select_option("kam")
    answer(page, "response_time", "yes")
    answer(page, "needs", "partial")
    answer(page, "product", "4")
    answer(page, "company", "yes")
    answer(page, "published_price", "yes")
    answer(page, "process", "na")
    # follow_up left out: refused, naming the question; the answers given stay checked.
    page.get_by_role("button", name="Record assessment").click()
    expect(page.locator("#assessment-errors")).to_contain_text("“Followed up as agreed” (follow_up): not answered")
    expect(page.locator("input[name='q-product'][value='4']")).to_be_checked()
    shot(page, "assessment-form-refused-en")
    answer(page, "follow_up", "no")
    page.get_by_label("Notes").fill("Called as a prospect on Monday.")
    evidence = tmp_path / "call-notes.txt"
    evidence.write_text("Call notes", encoding="utf-8")
    page.get_by_label("Evidence files").set_input_files(str(evidence))
    shot(page, "assessment-form-en")
    page.get_by_role("button", name="Record assessment").click()
    # 2 + 3·0.5 + 3·0.75 + 2 + 1 + 0 = 8.75 of 2+3+3+2+1+2 = 13 → 67.3 %; below 80: failed.
    expect(page.locator("#score")).to_have_text("67.3 %")
    expect(page.locator("#result")).to_have_text("Failed")
    expect(page.get_by_role("link", name="call-notes.txt")).to_be_visible()
    shot(page, "assessment-detail-en")
    page.get_by_role("link", name="Checklists").first.click()
    expect(page.locator("table.data-table")).to_contain_text("Kai Becker")
    expect(page.locator("table.data-table")).to_contain_text("67.3 %")
    shot(page, "checklists-with-assessment-en")
    assessment = Assessment.objects.get()
    assert str(assessment.score_percent) == "67.3" and assessment.evidence.get().name == "call-notes.txt"


def test_an_assessment_in_german(page: Page, live_server: Any, staff: dict) -> None:
    base = live_server.url
    page.context.add_cookies([{"name": "django_language", "value": "de", "url": base}])
    page.goto(base + "/accounts/login/")
    page.locator("#id_username").fill("quinn")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.get_by_role("navigation").get_by_role("link", name="Checklisten").click()
    expect(page.get_by_role("heading", name="Checklisten", level=1)).to_be_visible()
    shot(page, "checklists-de")
    page.locator("a[href$='/checklists/sales-force-mystery-shopping/assess/']").click()
    expect(page.get_by_role("heading", name="Mystery Shopping bei einem Vertriebsmitarbeiter")).to_be_visible()
    page.get_by_label("Person").select_option("kam")
    for question, value in (("response_time", "yes"), ("needs", "yes"), ("product", "5"), ("company", "yes"),
                            ("published_price", "no"), ("process", "yes"), ("follow_up", "yes")):
        answer(page, question, value)
    shot(page, "assessment-form-de")
    page.get_by_role("button", name="Bewertung erfassen").click()
    # Everything yes but the critical published price (weight 1): 14 of 15 → 93,3 % (German decimal comma), failed.
    expect(page.locator("#score")).to_have_text("93,3 %")
    expect(page.locator("#result")).to_have_text("Nicht bestanden")
    expect(page.get_by_text("Eine kritische Frage wurde mit „Nein“ beantwortet.")).to_be_visible()
    # The default library's nonconformity process takes it: the page links the raised record.
    expect(page.get_by_text("Eine Nichtkonformität wurde eröffnet:")).to_be_visible()
    shot(page, "assessment-detail-de")

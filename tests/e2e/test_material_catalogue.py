"""The material catalogue in a real browser, in English and German: stock per location, low stock highlighted,
and the movement a distribution made, linked to its record. Screenshots in test-artifacts/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from salesflow.people.services import do_add_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "e2e-password-1"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def stock(live_server: Any) -> dict[str, Any]:
    """A stock keeper and a key account manager; brochures at two places, one of them distributed down to low."""
    from django.core.cache import cache

    from salesflow.material import services
    from salesflow.records import services as records

    cache.clear()
    olga = do_add_user("olga", ["sales_ops"], [], password=PASSWORD, first_name="Olga", last_name="Neumann")
    mara = do_add_user("mara", ["marketing"], [], password=PASSWORD, first_name="Mara", last_name="Lindner")
    kim = do_add_user("kim", ["kam"], ["North"], password=PASSWORD, first_name="Kim", last_name="Becker")
    services.do_add_item(olga, "BRO-PRODUCT", "Product brochure", "Produktbroschüre", "sales_kit", reorder_level=50)
    services.do_add_item(olga, "CAP-LOGO", "Cap with logo", "Kappe mit Logo", "representation", reorder_level=10)
    services.do_receive(olga, "BRO-PRODUCT", "Munich", 200)
    services.do_receive(olga, "BRO-PRODUCT", "Hamburg", 80)
    services.do_receive(olga, "CAP-LOGO", "Hamburg", 30)
    record = records.do_create_record("material-request", kim, {
        "title": "Trade fair", "material_kind": "sales_kit", "items": "BRO-PRODUCT=170", "location": "Munich",
        "purpose": "Trade fair stand"})
    records.do_complete_activity(record.pk, olga, "check_request")
    records.do_decide(record.pk, olga, "yes")
    records.do_move(record.pk, olga, "approved")
    records.do_complete_activity(record.pk, mara, "design")
    records.do_move(record.pk, mara, "designed")
    records.do_complete_activity(record.pk, mara, "order_printing")
    records.do_complete_activity(record.pk, mara, "proof_approved")
    records.do_move(record.pk, mara, "printed")
    records.do_complete_activity(record.pk, olga, "receipt_booked")
    records.do_move(record.pk, olga, "distributed")
    return {"record": record.pk}


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_the_catalogue_in_english_and_german(page: Page, live_server: Any, stock: dict) -> None:
    base = live_server.url
    sign_in(page, base, "kim")
    page.get_by_role("navigation").get_by_role("link", name="Material").click()
    expect(page.get_by_role("heading", name="Material catalogue", level=1)).to_be_visible()
    table = page.locator("#material-catalogue")
    expect(table.locator("thead")).to_contain_text("Hamburg")
    brochures = table.locator("tr", has_text="BRO-PRODUCT")
    expect(brochures).to_have_class("row-low")
    expect(brochures.locator(".status-pill")).to_have_text("30 · low")  # Munich: 200 - 170, level 50
    expect(brochures.locator("td").last).to_have_text("110")
    expect(table.locator("tr", has_text="CAP-LOGO")).not_to_have_class("row-low")
    expect(page.get_by_test_id("low-count")).to_have_text("1 item at or below its reorder level")
    movement = page.locator("tr", has_text="-170")
    expect(movement).to_contain_text("Issued")
    expect(movement.get_by_role("link", name=f"#{stock['record']}")).to_be_visible()
    shot(page, "material-catalogue-en")

    page.context.add_cookies([{"name": "django_language", "value": "de", "url": base}])
    page.goto(base + "/material/")
    expect(page.get_by_role("heading", name="Materialkatalog", level=1)).to_be_visible()
    expect(brochures.locator(".status-pill")).to_have_text("30 · niedrig")
    expect(brochures).to_contain_text("Produktbroschüre")
    expect(brochures).to_contain_text("Sales-Kit")
    expect(page.get_by_test_id("low-count")).to_have_text("1 Artikel auf oder unter dem Meldebestand")
    expect(page.locator("tr", has_text="-170")).to_contain_text("Ausgegeben")
    shot(page, "material-catalogue-de")
    page.locator("tr", has_text="-170").get_by_role("link", name=f"#{stock['record']}").click()
    expect(page.get_by_text("Aus dem Bestand ausgegeben: 170 × BRO-PRODUCT in Munich (noch 30)")).to_be_visible()
    shot(page, "material-request-record-de")

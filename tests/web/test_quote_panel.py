"""The quote panel's forms and the product page without a browser: a bad line is refused by row and nothing is
written; only the catalogue's keepers change it; a record's quote, offer and order lines stay hidden from those
who may not see the record."""

from __future__ import annotations

from typing import Any

import pytest

from salesflow.people.services import do_add_user
from salesflow.products.services import do_save_product
from salesflow.quotes.models import Quote
from salesflow.records import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal(people: dict[str, Any]) -> Any:
    """A confidential opportunity of team North in Proposal, and one product."""
    support = do_add_user("support", ["sales_support"], ["North"], password="x-password-1", first_name="Sara")
    do_save_product(support, "LIC-PRO", "Licence", "Lizenz", "user", {"EUR": "1000"})
    record = services.do_create_record("opportunity-management", people["kam"], {
        "title": "Secret deal", "classification": "confidential"})
    services.do_move(record.pk, people["head"], "proposal", override_reason="test set-up")
    return record


def test_editor_refuses_a_bad_row_and_saves_a_good_one(client_for, people, deal) -> None:
    client = client_for(people["kam"])
    page = client.get(f"/records/{deal.pk}/").content.decode()
    assert 'id="quotes"' in page and "Create quote" in page
    bad = client.post(f"/records/{deal.pk}/quote/", {"line-0-sku": "LIC-PRO", "line-0-qty": "2",
                                                      "line-0-discount": "150"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 400 and "Line 1" in bad.content.decode() and "150" in bad.content.decode()
    assert not Quote.objects.exists()
    good = client.post(f"/records/{deal.pk}/quote/", {"line-0-sku": "LIC-PRO", "line-0-qty": "2",
                                                       "line-0-discount": "5"}, HTTP_HX_REQUEST="true")
    assert good.status_code == 200 and "1,900.00 EUR" in good.content.decode()
    quote = Quote.objects.get()
    other = client_for(people["kam2"])
    assert other.get(f"/quotes/{quote.pk}/offer.pdf").status_code == 404
    assert other.post(f"/records/{deal.pk}/quote/", {"line-0-sku": "LIC-PRO", "line-0-qty": "1"}).status_code == 404
    pdf = client.get(f"/quotes/{quote.pk}/offer.pdf")
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"


def test_only_the_keepers_change_the_catalogue(client_for, people, deal) -> None:
    kam = client_for(people["kam"])
    page = kam.get("/products/").content.decode()
    assert "LIC-PRO" in page and "Save product" not in page
    assert kam.post("/products/", {"sku": "X-1", "name": "X", "currency-0": "EUR", "price-0": "1"}).status_code == 403
    head = client_for(people["head"])
    assert "Save product" in head.get("/products/").content.decode()
    head.post("/products/", {"sku": "X-1", "name": "Extra", "currency-0": "EUR", "price-0": "12.50"})
    assert "X-1" in head.get("/products/").content.decode()

"""``/api/products``, ``/api/quotes``, ``/api/orders``: the same rules as the CLI (rights, visibility, approval)."""

from __future__ import annotations

import pytest

from salesflow.records import services
from tests.api.conftest import assert_problem

pytestmark = pytest.mark.django_db


def test_products_quotes_and_visibility(api_as, people) -> None:
    support, kam, kam2 = api_as(people["support"]), api_as(people["kam"]), api_as(people["kam2"])
    assert_problem(kam.post("/api/products", {"sku": "X-1", "name": "X", "prices": {"EUR": "10"}}), 403)
    bad = assert_problem(support.post("/api/products", {"sku": "LIC-1", "name": "Licence",
                                                        "prices": {"EUR": "ten"}}), 400)
    assert "ten" in bad["detail"]
    saved = support.post("/api/products", {"sku": "lic-1", "name": "Licence", "name_de": "Lizenz", "unit": "user",
                                           "prices": {"EUR": "100"}})
    assert saved.status_code == 201 and saved.json()["sku"] == "LIC-1"
    assert [item["sku"] for item in kam.get("/api/products").json()] == ["LIC-1"]

    record = services.do_create_record("opportunity-management", people["kam"], {"title": "API deal", "classification": "confidential"})
    services.do_move(record.pk, people["head"], "proposal", override_reason="test set-up")
    created = kam.post("/api/quotes", {"record": record.pk, "language": "de", "lines": [
        {"sku": "LIC-1", "quantity": "10", "discount_percent": "12"},
        {"text": "Set-up", "quantity": "1", "unit_price": "500"}]})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["version"], body["total"], body["max_discount_percent"]) == (1, "1380.00", "12.00")
    assert_problem(kam2.get(f"/api/quotes/{body['id']}"), 404)  # a confidential record of another team does not exist for kam2
    revised = kam.post(f"/api/quotes/{body['id']}/revise", {"tax_rate": "7"})
    assert revised.status_code == 201 and revised.json()["version"] == 2 and revised.json()["tax_amount"] == "96.60"
    pdf = kam.get(f"/api/quotes/{body['id']}/document")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content[:4] == b"%PDF"
    html = kam.get(f"/api/quotes/{body['id']}/document", {"format": "html"}).content.decode()
    assert "Angebot" in html and "Lizenz" in html
    assert_problem(kam.post(f"/api/quotes/{body['id']}/answer", {"accepted": True}), 409)  # not sent yet

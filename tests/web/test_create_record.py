"""Creating an opportunity through the form: the creator owns it; bad input is shown at the field."""

from __future__ import annotations

import pytest
from django.urls import reverse

from salesflow.records.models import Record

pytestmark = pytest.mark.django_db


def test_kam_creates_an_opportunity(people, client_for) -> None:
    client = client_for(people["kam"])
    assert client.get(reverse("record_create")).status_code == 200
    response = client.post(reverse("record_create"), {
        "process": "opportunity-management", "title": "Heat pumps", "account": "Alpen Solar", "amount": "80,000",
        "currency": "EUR", "classification": "confidential", "owner": "kam", "type": "new_business"})
    record = Record.objects.get(title="Heat pumps")
    assert response.status_code == 302 and response["Location"] == reverse("record", args=[record.pk])
    assert record.owner == people["kam"] and record.amount == 80000 and record.classification == "confidential"
    assert record.values["type"] == "new_business" and record.stage == "qualification"


def test_bad_amount_is_shown_at_the_field(people, client_for) -> None:
    response = client_for(people["kam"]).post(reverse("record_create"), {
        "process": "opportunity-management", "title": "X", "amount": "lots", "currency": "EUR",
        "classification": "internal"})
    assert response.status_code == 400
    assert response.context["form"].errors["amount"] == ["a number is expected, got 'lots'"]
    assert not Record.objects.exists()


def test_a_title_is_required(people, client_for) -> None:
    response = client_for(people["kam"]).post(reverse("record_create"), {
        "process": "opportunity-management", "title": "", "currency": "EUR", "classification": "internal"})
    assert response.status_code == 400
    assert not Record.objects.exists()


def test_auditors_cannot_create(people, client_for) -> None:
    client = client_for(people["auditor"])
    assert client.get(reverse("record_create")).status_code == 403
    assert client.post(reverse("record_create"), {"title": "X"}).status_code == 403
    assert not Record.objects.exists()

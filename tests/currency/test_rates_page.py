"""The exchange-rates page: for the roles the library names (and administrators) — list, set, import
(every bad row named, nothing written); everyone else is refused."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from salesflow.currency.models import ExchangeRate
from salesflow.records.models import Event


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_rate_managers_set_and_see_rates(people):
    head = signed_in(people["head"])
    response = head.post("/currency/rates/", {"from": "usd", "to": "EUR", "rate": "0.9", "date": "2026-01-01"},
                         follow=True)
    assert response.status_code == 200
    assert "Rate set: from 2026-01-01 1 USD = 0.9 EUR." in response.content.decode()
    page = head.get("/currency/rates/").content.decode()
    assert "corporate currency <strong>EUR</strong>" in page and "0.9" in page
    assert 'href="/currency/rates/"' in page                     # in the navigation
    assert Event.objects.filter(kind="exchange_rate_set", actor_name=people["head"].display_name).exists()


def test_a_bad_rate_is_refused_with_its_reason(people):
    response = signed_in(people["head"]).post("/currency/rates/", {"from": "USD", "to": "EUR", "rate": "x"},
                                              follow=True)
    assert "rate: a number is expected, got &#x27;x&#x27;" in response.content.decode()
    assert not ExchangeRate.objects.exists()


def test_import_names_bad_rows_and_writes_nothing(people):
    head = signed_in(people["head"])
    upload = SimpleUploadedFile("rates.csv", b"date,from,to,rate\n2026-01-01,USD,EUR,0.9\n2026-02-01,USD,EUR,-1\n")
    page = head.post("/currency/rates/import/", {"file": upload}, follow=True).content.decode()
    assert "rates.csv:3: column rate: a number greater than 0 is expected" in page
    assert not ExchangeRate.objects.exists()
    upload = SimpleUploadedFile("rates.csv", b"date,from,to,rate\n2026-01-01,USD,EUR,0.9\n2026-02-01,USD,EUR,0.8\n")
    page = head.post("/currency/rates/import/", {"file": upload}, follow=True).content.decode()
    assert "2 rate(s) imported from rates.csv." in page and ExchangeRate.objects.count() == 2


def test_others_are_refused(people):
    kam = signed_in(people["kam"])
    assert kam.get("/currency/rates/").status_code == 403
    assert kam.post("/currency/rates/", {"from": "USD", "to": "EUR", "rate": "0.9"}).status_code == 403
    assert 'href="/currency/rates/"' not in kam.get("/").content.decode()
    assert not ExchangeRate.objects.exists()

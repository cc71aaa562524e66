"""Security headers on every page; no inline script or event handler that the CSP would have to allow."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_pages_carry_the_security_headers(people, client_for) -> None:
    for client, url in [(Client(), reverse("login")), (client_for(people["kam"]), reverse("board"))]:
        response = client.get(url)
        csp = response["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"
        assert "Strict-Transport-Security" not in response


def test_hsts_on_secure_requests() -> None:
    response = Client().get(reverse("login"), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=")


def test_signed_in_pages_are_not_cached(people, client_for) -> None:
    assert "no-store" in client_for(people["kam"]).get(reverse("records"))["Cache-Control"]


def test_pages_have_no_inline_script_or_handlers(people, opportunity, client_for) -> None:
    client = client_for(people["head"])
    for url in [reverse("home"), reverse("board"), reverse("records"), reverse("record", args=[opportunity.pk]),
                reverse("processes"), reverse("access_review"), reverse("account")]:
        html = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert not re.search(r"\son[a-z]+\s*=", html), url
        assert not re.search(r"\sstyle\s*=", html), url
        assert "hx-on" not in html, url
        assert not re.search(r'(src|href)="(https?:)?//', html), url  # nothing from another host (no CDN)


def test_forms_carry_the_csrf_token_and_htmx_sends_it(people, opportunity, client_for) -> None:
    html = client_for(people["head"]).get(reverse("record", args=[opportunity.pk])).content.decode()
    forms = re.findall(r"<form[^>]*method=\"post\"[^>]*>.*?</form>", html, re.S)
    assert forms and all("csrfmiddlewaretoken" in form for form in forms)
    assert re.search(r"<body[^>]*hx-headers='\{\"X-CSRFToken\": \"[^\"]+\"\}'", html)


def test_posts_without_csrf_token_are_refused(people, opportunity) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["kam"])
    response = client.post(reverse("record_activity", args=[opportunity.pk]), {"activity": "risk_analysis"})
    assert response.status_code == 403

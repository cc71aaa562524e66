"""`domain_of`: the domain of an e-mail address, URL or bare domain; free-mail detection."""

from __future__ import annotations

import pytest

from salesflow.accounts.duplicates import company_domain, domain_of, is_free_mail


@pytest.mark.parametrize(("text", "domain"), [
    ("jo@acme.com", "acme.com"),
    ("Jo.Doe@ACME.COM", "acme.com"),
    ("Jo Doe <jo@sales.acme.de>", "sales.acme.de"),
    ("mailto:jo@acme.com", "acme.com"),
    ("https://www.acme.com/de/kontakt?x=1", "acme.com"),
    ("http://acme.com:8080", "acme.com"),
    ("www.acme.co.uk", "acme.co.uk"),
    ("acme.com", "acme.com"),
    ("  acme.com.  ", "acme.com"),
    ("jo@müller.de", "xn--mller-kva.de"),
    ("acme", ""),
    ("jo@", ""),
    ("", ""),
    (None, ""),
    ("not an address", ""),
])
def test_domain_of(text: str | None, domain: str) -> None:
    assert domain_of(text) == domain


@pytest.mark.parametrize("domain", ["gmail.com", "outlook.com", "gmx.de", "web.de", "yahoo.com", "hotmail.com",
                                    "t-online.de", "icloud.com", "GMX.DE"])
def test_free_mail(domain: str) -> None:
    assert is_free_mail(domain)
    assert company_domain(f"someone@{domain}") == ""


def test_company_domains_are_not_free_mail() -> None:
    assert not is_free_mail("acme.com")
    assert not is_free_mail("notgmail.com")
    assert company_domain("jo@acme.com") == "acme.com"

"""The main pages rendered in German (demo data) show no English text of the catalogue, and dates and
amounts in the German formats.

One demo history is generated for the module's single test; every page is fetched with the Django
test client as the Head of Sales (the auditor for the audit pack) with German chosen. The visible
text (text nodes and the attributes people read: title, placeholder, aria-label, alt; no scripts or
styles) must not contain an English catalogue entry that has a different German translation: a text
node equal to a msgid, a text containing a msgid of four words or more, or a text matching a msgid
with placeholders of three literal words or more.
"""

from __future__ import annotations

import datetime
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.web.test_german_catalog import po_entries

pytestmark = pytest.mark.django_db

#: English words that may show on a German page although the catalogue lists them (names, codes, units)
SAME_IN_BOTH = {"Status", "Name", "Version", "Team", "Budget", "Lead", "Leads", "Opportunity", "Opportunities",
                "Controlling", "E-Mail", "Key Account Manager", "Bid Manager", "Sales Support", "Marketing",
                "Account", "Accounts", "Details", "Export", "Audit", "Link", "Start", "Demo", "PDF", "CSV", "Gate",
                "Gates", "SLA", "MAPE", "P10", "P50", "P90", "Backoffice", "Workshop", "System", "Admin", "OK"}


class _Visible(HTMLParser):
    """Collects what a person sees: text nodes and the attributes shown or read out."""

    HIDDEN = {"script", "style", "template"}
    SHOWN = {"title", "placeholder", "aria-label", "alt"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hidden = 0
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        self.texts += [value for name, value in attrs if value and name in self.SHOWN]

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden and data.strip():
            self.texts.append(data)


def visible_texts(html: str) -> list[str]:
    """The visible texts of a page, whitespace collapsed."""
    parser = _Visible()
    parser.feed(html)
    return [" ".join(text.split()) for text in parser.texts]


def english_detector() -> Any:
    """A function: visible text → the English catalogue entries it shows."""
    exact, contained, patterns = set(), [], []
    for msgid, translations in po_entries().items():
        if msgid in SAME_IN_BOTH or msgid in translations or len(msgid) < 3:
            continue
        literal = re.sub(r"%\(\w+\)[sd]|%%", " ", msgid)
        if "%(" in msgid:
            if len(literal.split()) >= 3:
                regex = re.escape(msgid.replace("%%", "%"))
                patterns.append((msgid, re.compile(re.sub(r"%\\\(\w+\\\)[sd]", ".+?", regex) + "$")))
            continue
        exact.add(" ".join(msgid.split()))
        if len(msgid.split()) >= 4:
            contained.append(msgid)

    def found(text: str) -> list[str]:
        hits = [text] if text in exact else []
        hits += [msgid for msgid in contained if msgid in text and msgid != text]
        hits += [msgid for msgid, pattern in patterns if pattern.match(text)]
        return hits

    return found


#: a timestamp as the machine writes it, not as people read it
ISO_MOMENT = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d")


def german_client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "de", "next": "/"})
    return client


@pytest.fixture
def demo_users(db: Any) -> dict[str, Any]:
    from salesflow.people.models import User
    from salesflow.records import demo

    demo.generate(6, seed=5, now=datetime.datetime(2027, 3, 1, 9, tzinfo=datetime.UTC), leads=3)
    return {user.username: user for user in User.objects.all()}


def main_pages() -> list[str]:
    """Dashboard and every Controlling panel, guidelines, training, targets, records, My work, accounts."""
    from salesflow.accounts.models import Account
    from salesflow.analytics.reports import KINDS
    from salesflow.records.models import Record

    opportunity = Record.objects.filter(process__record_type="opportunity", outcome="won").order_by("id").first()
    handed_over = Record.objects.filter(events__kind="handoff_sent").order_by("id").first()
    pages = [reverse("home"), reverse("board"), reverse("records"), reverse("controlling"),
             reverse("controlling_targets"), reverse("guidelines"), reverse("guideline_training"),
             reverse("guideline", args=[opportunity.process.key]), reverse("customers"), reverse("account"),
             reverse("customer", args=[Account.objects.order_by("id").first().pk]),
             reverse("record", args=[opportunity.pk]), reverse("record", args=[handed_over.pk])]
    pages += [reverse("controlling_panel", args=[kind]) for kind in KINDS]
    pages += [reverse("controlling_report", args=[kind]) for kind in ("adherence", "forecast")]
    return pages


def test_main_pages_in_german_show_no_english_catalogue_text(demo_users) -> None:
    found = english_detector()
    head, auditor = german_client(demo_users["head"]), german_client(demo_users["auditor"])
    english: dict[str, set[str]] = {}
    pages = [(head, url) for url in main_pages()] + [(auditor, reverse("audit_pack"))]
    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        for text in visible_texts(html):
            if ISO_MOMENT.search(text):
                english.setdefault(url, set()).add(f"ISO timestamp: {text}")
            for msgid in found(text):
                english.setdefault(url, set()).add(msgid)
    assert english == {}


def test_the_detector_finds_english_on_a_page() -> None:
    found = english_detector()
    assert found("Sales controlling") == ["Sales controlling"]
    assert found("Time in stage") == ["Time in stage"]
    assert found("Vertriebscontrolling") == []
    assert found("Status") == []
    assert visible_texts('<p title="Hint">A <b>b</b></p><script>var x = "Sales controlling";</script>') == \
        ["Hint", "A", "b"]

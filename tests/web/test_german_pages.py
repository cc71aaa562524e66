"""Main pages rendered in German show no English text of the catalogue (on demo data)."""

from __future__ import annotations

import datetime
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.web.test_german_catalog import po_entries

pytestmark = pytest.mark.django_db


class _Visible(HTMLParser):
    """Collects the text a person sees: text nodes and the attributes read out or shown (title, placeholder …)."""

    HIDDEN = {"script", "style", "template"}
    SHOWN_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hidden = 0
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        for name, value in attrs:
            if value and (name in self.SHOWN_ATTRIBUTES or (tag == "input" and name == "value"
                                                            and ("type", "submit") in attrs)):
                self.texts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden and data.strip():
            self.texts.append(data)


def visible_texts(html: str) -> list[str]:
    parser = _Visible()
    parser.feed(html)
    return [" ".join(text.split()) for text in parser.texts]


@pytest.fixture
def demo_users(db: object) -> dict:
    from salesflow.records import demo

    now = datetime.datetime(2027, 3, 1, 9, tzinfo=datetime.UTC)
    demo.generate(6, seed=5, now=now, leads=3)
    from salesflow.people.models import User

    return {user.username: user for user in User.objects.all()}


def german_client(user: object) -> Client:
    client = Client()
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "de", "next": "/"})
    return client


def main_pages() -> list[str]:
    from salesflow.analytics.reports import KINDS
    from salesflow.records.models import Record

    record = Record.objects.filter(process__key__contains="opportunit").order_by("id").first()
    pages = [reverse("home"), reverse("board"), reverse("records"), reverse("controlling"),
             reverse("controlling_targets"), reverse("guidelines"), reverse("guideline_training"),
             reverse("audit_pack"), reverse("customers"), reverse("account"), reverse("processes")]
    pages += [reverse("controlling_panel", args=[kind]) for kind in KINDS]
    pages += [reverse("controlling_report", args=[kind]) for kind in KINDS]
    from salesflow.records.models import Process

    pages += [reverse("guideline", args=[key]) for key in Process.objects.values_list("key", flat=True)]
    pages += [reverse("record", args=[record.pk]) for record in Record.objects.order_by("id")[:40]]
    return pages


def test_dump(demo_users) -> None:
    client = german_client(demo_users["head"])
    out = Path("/tmp/u17/pages")
    out.mkdir(parents=True, exist_ok=True)
    for number, url in enumerate(main_pages()):
        response = client.get(url)
        (out / f"{number:03d}.txt").write_text(url + "\n" + str(response.status_code) + "\n" + "\n".join(visible_texts(response.content.decode())))

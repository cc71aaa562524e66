"""A web form body over the limit answers 413 with a page saying so (never 500, never a plain 400)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from salesflow.people.services import do_add_user
from salesflow.records.models import Event, ProcessVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> Client:
    client = Client()
    client.force_login(do_add_user("big_author", ["sales_ops"], password="pw-big-1"))
    return client


def _unchanged(before: tuple[int, int]) -> bool:
    return (ProcessVersion.objects.count(), Event.objects.count()) == before


def test_a_form_body_over_the_limit_is_413(client: Client) -> None:
    before = (ProcessVersion.objects.count(), Event.objects.count())
    text = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.post(reverse("guideline_propose"), f"text={text}",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    page = response.content.decode()
    assert "Request too large" in page and "larger than 2.5 MB" in page
    assert _unchanged(before)


def test_a_multipart_text_field_over_the_limit_is_413(client: Client) -> None:
    """Django refuses the field while parsing; its 'suspicious operation' 400 becomes 413."""
    before = (ProcessVersion.objects.count(), Event.objects.count())
    response = client.post(reverse("guideline_propose"), {"text": "y" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
    assert response.status_code == 413
    assert "Request too large" in response.content.decode()
    assert _unchanged(before)


def test_the_page_follows_the_language(client: Client) -> None:
    text = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.post(reverse("guideline_propose"), f"text={text}",
                           content_type="application/x-www-form-urlencoded", HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 413
    page = response.content.decode()
    assert "Anfrage zu groß" in page and "größer als 2,5 MB" in page

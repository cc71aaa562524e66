"""The propose form answers 400 with the loader's message for alias bombs and recursive aliases; nothing is stored."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from salesflow.records.models import Event, ProcessVersion
from tests.process.yaml_bombs import RECURSIVE_LIST, RECURSIVE_MAPPING, nested_aliases

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("text", "message"), [
    (nested_aliases(), "expands to more than 100,000 values"),
    (RECURSIVE_LIST, "recursive alias *loop"),
    (RECURSIVE_MAPPING, "recursive alias *loop"),
], ids=["nested", "recursive-list", "recursive-mapping"])
@pytest.mark.parametrize("as_file", [False, True], ids=["pasted", "uploaded"])
def test_propose_refuses_alias_bombs_with_400(cast, text: str, message: str, as_file: bool) -> None:
    client = Client()
    client.force_login(cast.kam)
    versions, events = ProcessVersion.objects.count(), Event.objects.count()
    data = {"note": "laughs"}
    if as_file:
        data["file"] = SimpleUploadedFile("laughs.yaml", text.encode(), content_type="application/yaml")
    else:
        data["text"] = text
    response = client.post(reverse("guideline_propose"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "YAML refused" in page and message in page.replace("&#x27;", "'")
    assert ProcessVersion.objects.count() == versions and Event.objects.count() == events

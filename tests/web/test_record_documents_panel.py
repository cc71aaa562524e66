"""The Documents panel: upload (multipart, CSRF, size limit), versions by name, access-checked download."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from salesflow.records import services
from salesflow.records.chain import do_add_document
from salesflow.records.models import Document, Event
from tests.records.chain_processes import load_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract(people: dict[str, Any]) -> Any:
    """A contract owned by the KAM."""
    load_chain()
    return services.do_create_record("t-contract", people["kam"], {"title": "Framework contract"})


def _upload(client: Client, record: Any, name: str, content: bytes, note: str = "") -> Any:
    return client.post(reverse("record_document_upload", args=[record.pk]),
                       {"document": SimpleUploadedFile(name, content, content_type="application/pdf"), "note": note})


def test_uploads_become_versions_listed_on_the_record_page(people, contract, client_for) -> None:
    client = client_for(people["kam"])
    response = _upload(client, contract, "contract.pdf", b"%PDF-1 draft")
    assert response.status_code == 302 and response["Location"].endswith("#documents")
    _upload(client, contract, "contract.pdf", b"%PDF-1 signed", note="signed by both")
    assert [(doc.name, doc.version) for doc in Document.objects.order_by("version")] == [
        ("contract.pdf", 1), ("contract.pdf", 2)]
    page = client.get(reverse("record", args=[contract.pk]))
    [group] = page.context["documents"]
    assert group.latest.version == 2 and [doc.version for doc in group.older] == [1]
    html = page.content.decode()
    assert "version 2" in html and "1 earlier version" in html and "signed by both" in html
    assert 'enctype="multipart/form-data"' in html and "At most 25 MB" in html


def test_the_upload_needs_the_csrf_token(people, contract) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["kam"])
    response = _upload(client, contract, "contract.pdf", b"%PDF")
    assert response.status_code == 403 and not Document.objects.exists()


def test_download_is_an_attachment_with_nosniff(people, contract, client_for) -> None:
    document = do_add_document(contract.pk, people["kam"], "offer <final>.html", b"<script>alert(1)</script>",
                               "text/html")
    response = client_for(people["kam"]).get(reverse("record_document", args=[contract.pk, document.pk]))
    assert response.status_code == 200
    assert response.content == b"<script>alert(1)</script>"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_download_is_refused_for_a_record_one_may_not_see(people, client_for) -> None:
    load_chain()
    secret = services.do_create_record("t-contract", people["kam"], {"title": "Secret",
                                                                     "classification": "strictly_confidential"})
    document = do_add_document(secret.pk, people["kam"], "secret.pdf", b"%PDF secret")
    assert client_for(people["kam2"]).get(reverse("record_document", args=[secret.pk, document.pk])).status_code == 404
    owner = client_for(people["kam"]).get(reverse("record_document", args=[secret.pk, document.pk]))
    assert owner.status_code == 200
    assert Event.objects.filter(record=secret, kind="security.download_strictly_confidential").count() == 1


def test_a_document_is_only_found_under_its_own_record(people, contract, client_for) -> None:
    other = services.do_create_record("t-contract", people["kam"], {"title": "Other"})
    document = do_add_document(contract.pk, people["kam"], "a.pdf", b"%PDF a")
    response = client_for(people["kam"]).get(reverse("record_document", args=[other.pk, document.pk]))
    assert response.status_code == 404


def test_empty_missing_and_too_large_uploads_are_refused(people, contract, client_for, monkeypatch) -> None:
    client = client_for(people["kam"])
    empty = _upload(client, contract, "empty.pdf", b"")
    assert empty.status_code == 400 and "the file is empty" in empty.content.decode()
    missing = client.post(reverse("record_document_upload", args=[contract.pk]), {"note": "x"})
    assert missing.status_code == 400 and "Choose a file to upload." in missing.content.decode()
    monkeypatch.setattr("salesflow.web.views.documents.MAX_DOCUMENT_BYTES", 1024 * 1024)
    large = _upload(client, contract, "big.pdf", b"x" * (1024 * 1024 + 1))
    assert large.status_code == 400 and "big.pdf is larger than 1 MB." in large.content.decode()
    assert not Document.objects.exists()
    assert not Event.objects.filter(kind="document_added").exists()


def test_who_may_not_edit_sees_no_upload_form_and_cannot_upload(people, contract, client_for) -> None:
    for name, status in (("auditor", 403), ("kam2", 403)):
        client = client_for(people[name])
        page = client.get(reverse("record", args=[contract.pk]))
        assert page.status_code == 200
        assert reverse("record_document_upload", args=[contract.pk]) not in page.content.decode()
        assert _upload(client, contract, "x.pdf", b"%PDF").status_code == status
    assert not Document.objects.exists()

"""``salesflow audit verify`` compares every document's bytes with the SHA-256 its event recorded:
swapped bytes are named with the document and its record (exit 1)."""

from __future__ import annotations

import pytest
from django.db import connection

from salesflow.records import chain
from salesflow.records.models import Document

pytestmark = pytest.mark.django_db


@pytest.fixture
def documents(people, record):
    first = chain.do_add_document(record.pk, people["kam"], "contract.pdf", b"%PDF-1.7 version one")
    second = chain.do_add_document(record.pk, people["kam"], "contract.pdf", b"%PDF-1.7 version two")
    other = chain.do_add_document(record.pk, people["kam"], "offer.txt", b"offer text")
    return first, second, other


def _swap(document: Document, content: bytes, sha256: str | None = None) -> None:
    table = connection.ops.quote_name(Document._meta.db_table)
    with connection.cursor() as cursor:
        if sha256 is None:
            cursor.execute(f"UPDATE {table} SET content = %s WHERE id = %s", [content, document.pk])
        else:
            cursor.execute(f"UPDATE {table} SET content = %s, sha256 = %s WHERE id = %s",
                           [content, sha256, document.pk])


def test_untouched_documents_verify(cli, documents) -> None:
    result = cli("audit", "verify")
    assert result.code == 0, result
    assert "3 documents agree with their SHA-256" in result.out


def test_swapped_bytes_are_named(cli, documents, record) -> None:
    first = documents[0]
    _swap(first, b"%PDF-1.7 forged")
    result = cli("audit", "verify")
    assert result.code == 1, result
    assert (f"document contract.pdf v1 (id {first.pk}) of record {record.pk}: its bytes do not match the SHA-256"
            in result.err), result
    assert "offer.txt" not in result.err


def test_swapped_bytes_with_a_recomputed_hash_column_are_named(cli, documents, record) -> None:
    import hashlib

    other = documents[2]
    forged = b"another offer"
    _swap(other, forged, hashlib.sha256(forged).hexdigest())
    result = cli("audit", "verify", "--json")
    assert result.code == 1
    listed = result.json()["documents"]["listed"]
    assert [(item["document"], item["record"], item["name"], item["problem"]) for item in listed] == [
        (other.pk, record.pk, "offer.txt", "content")]


def test_a_document_without_its_event_is_named(cli, documents, record) -> None:
    Document.objects.create(record=record, name="planted.pdf", version=1, content=b"x", size=1,
                            sha256="0" * 64, uploaded_by_name="nobody", at=documents[0].at)
    result = cli("audit", "verify")
    assert result.code == 1
    assert "document planted.pdf v1" in result.err and "no document_added event records it" in result.err

"""``/api/records/{id}/links|documents`` and ``/api/notifications``: the chain of records around a record.

Links and chains list only records the caller may see; documents are read with the record's
visibility and added with its edit right (the service decides); notifications are the caller's own.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Path, Router, Status
from ninja.files import UploadedFile

from salesflow.api.errors import responses
from salesflow.api.records import RecordId, log_strict_view, refuse_read_only, single_query_values, visible
from salesflow.api.schemas import (
    MAX_ID,
    DocumentOut,
    LinkIn,
    LinksOut,
    NotificationOut,
    NotificationsRead,
    Text,
)
from salesflow.engine.errors import BadInput
from salesflow.records import chain
from salesflow.records.models import Document
from salesflow.records.services import NotFound
from salesflow.web.views.documents import attachment_response

router = Router(tags=["chain"])
notifications_router = Router(tags=["users"])
OtherId = Path(..., ge=1, le=MAX_ID, description="The other record's id.")
DocumentId = Path(..., ge=1, le=MAX_ID, description="The document's id.")


def links_data(record: Any, user: Any) -> dict[str, Any]:
    """The record's visible links and chain as the API shows them."""
    links = [{"kind": link.kind, "direction": link.direction, "record": link.record.pk,
              "process": link.record.process.key, "title": link.record.title, "stage": link.record.stage,
              "handoff": link.handoff or None, "created_at": link.created_at} for link in chain.links_of(record, user)]
    items = [{"record": item.pk, "process": item.process.key, "title": item.title, "stage": item.stage,
              "outcome": item.outcome or None, "created_at": item.created_at} for item in chain.chain_of(record, user)]
    return {"record": record.pk, "links": links, "chain": items}


@router.get("/{record_id}/links", response=responses({200: LinksOut}, 400, 404), summary="A record's links and chain",
            operation_id="list_record_links")
def list_links(request: HttpRequest, record_id: int = RecordId) -> dict[str, Any]:
    """Links to and from the record (hand-offs and links set by hand) and the chain it belongs to."""
    record = visible(request, record_id)
    log_strict_view(request, record, "api links")
    return links_data(record, request.auth)


@router.post("/{record_id}/links", response=responses({201: LinksOut}, 400, 403, 404, 409),
             summary="Link to another record", operation_id="add_record_link")
def add_link(request: HttpRequest, payload: LinkIn, record_id: int = RecordId) -> Status:
    """Link the record to another one the caller may see (kind default ``related``)."""
    visible(request, record_id)
    refuse_read_only(request.auth)
    chain.do_link_records(record_id, payload.target, request.auth, payload.kind)
    return Status(201, links_data(visible(request, record_id), request.auth))


@router.delete("/{record_id}/links/{other_id}", response=responses({200: LinksOut}, 400, 403, 404, 409),
               summary="Remove a link set by hand", operation_id="remove_record_link")
def remove_link(request: HttpRequest, record_id: int = RecordId, other_id: int = OtherId) -> dict[str, Any]:
    """Remove a link set by hand (hand-off links are history: 409)."""
    visible(request, record_id)
    refuse_read_only(request.auth)
    chain.do_unlink_records(record_id, other_id, request.auth)
    return links_data(visible(request, record_id), request.auth)


def document_data(document: Document) -> dict[str, Any]:
    """A document version's metadata."""
    return {"id": document.pk, "name": document.name, "version": document.version, "size": document.size,
            "sha256": document.sha256, "content_type": document.content_type, "note": document.note,
            "uploaded_by": document.uploaded_by_name, "at": document.at}


@router.get("/{record_id}/documents", response=responses({200: list[DocumentOut]}, 400, 404),
            summary="A record's documents", operation_id="list_record_documents")
def list_documents(request: HttpRequest, record_id: int = RecordId) -> list[dict[str, Any]]:
    """Every version of every document of the record, by name, newest version first."""
    record = visible(request, record_id)
    return [document_data(item) for item in record.documents.defer("content")]


@router.post("/{record_id}/documents", response=responses({201: DocumentOut}, 400, 403, 404, 409),
             summary="Add a document (version)", operation_id="add_record_document")
def add_document(request: HttpRequest, file: File[UploadedFile], note: Form[Text | None] = None,
                 record_id: int = RecordId) -> Status:
    """Upload a document (multipart ``file``); the same name again is the next version; identical content is 409."""
    visible(request, record_id)
    refuse_read_only(request.auth)
    if file.size and file.size > chain.MAX_DOCUMENT_BYTES:
        raise BadInput(f"document {file.name}: larger than {chain.MAX_DOCUMENT_BYTES // (1024 * 1024)} MB")
    document = chain.do_add_document(record_id, request.auth, file.name or "", file.read(),
                                     file.content_type or "", note or "")
    return Status(201, document_data(document))


@router.get("/{record_id}/documents/{document_id}/content", response=responses({200: None}, 400, 404),
            summary="Download a document version", operation_id="download_record_document")
def download_document(request: HttpRequest, record_id: int = RecordId, document_id: int = DocumentId) -> HttpResponse:
    """The document's bytes (as an attachment)."""
    record = visible(request, record_id)
    document = Document.objects.filter(record=record, pk=document_id).first()
    if document is None:
        raise NotFound(f"document {document_id} not found")
    return attachment_response(request, request.auth, record, document)


@notifications_router.get("/notifications", response=responses({200: list[NotificationOut]}, 400),
                          summary="Your notifications", operation_id="list_notifications")
def list_notifications(request: HttpRequest, unread: bool = False) -> list[dict[str, Any]]:
    """Your newest notifications (at most 200), unread only with ``unread=true``; texts in your language."""
    single_query_values(request)
    language = getattr(request, "LANGUAGE_CODE", "en") or "en"
    query = chain.notifications_of(request.auth)
    if unread:
        query = query.filter(read_at__isnull=True)
    return [{"id": item.pk, "kind": item.kind, "record": item.record_id, "message": item.text(language[:2]),
             "created_at": item.created_at, "read": item.read_at is not None, "due": item.due()}
            for item in query[:200]]


@notifications_router.post("/notifications/read", response=responses({200: dict[str, int]}, 400),
                           summary="Mark notifications read", operation_id="mark_notifications_read")
def mark_read(request: HttpRequest, payload: NotificationsRead) -> dict[str, int]:
    """Mark the given notifications (or all unread) as read; answers how many changed."""
    return {"marked": chain.do_mark_notifications_read(request.auth, payload.ids)}

"""A record's documents: upload (a new name, or the next version of a name) and download.

Downloads are checked like the record page (a record the user may not see is a 404), are always
sent as attachments with ``nosniff`` and a sandboxing CSP, so no uploaded file runs in the site's origin.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from salesflow.engine.errors import BadInput
from salesflow.people.security import log_security_event
from salesflow.process.model import Classification
from salesflow.records.chain import MAX_DOCUMENT_BYTES, do_add_document
from salesflow.records.models import Document, Record
from salesflow.web.views.actions import perform
from salesflow.web.views.common import visible_record


@login_required
@require_POST
def upload(request: HttpRequest, record_id: int) -> HttpResponse:
    """Add a document to the record; the same file name again becomes its next version."""
    upload = request.FILES.get("document")

    def call(record: Record) -> Document:
        if upload is None:
            raise BadInput(_("Choose a file to upload."))
        if upload.size is not None and upload.size > MAX_DOCUMENT_BYTES:
            raise BadInput(_("%(name)s is larger than %(limit)s MB.") % {
                "name": upload.name, "limit": MAX_DOCUMENT_BYTES // (1024 * 1024)})
        content = upload.read()
        return do_add_document(record.pk, request.user, upload.name or "", content,
                               upload.content_type or "", request.POST.get("note", ""))
    name = upload.name if upload is not None else ""
    return perform(request, record_id, call, _("Document “%(name)s” added.") % {"name": name}, "documents")


@login_required
@require_GET
def download(request: HttpRequest, record_id: int, document_id: int) -> HttpResponse:
    """One version of a document, as an attachment (only for users who may see the record)."""
    record = visible_record(request, record_id)
    document = Document.objects.filter(pk=document_id, record=record).first()
    if document is None:
        raise Http404(_("No such document."))
    return attachment_response(request, request.user, record, document)


def attachment_response(request: HttpRequest, user: Any, record: Any, document: Document) -> HttpResponse:
    """A document version as a download (web and API): an attachment with ``nosniff`` and a sandboxing CSP;
    downloading from a strictly confidential record is a security event."""
    if record.classification == Classification.strictly_confidential.value:
        log_security_event("download_strictly_confidential", user, request=request, record_id=record.pk,
                           document=document.pk, name=document.name, version=document.version)
    content = bytes(document.content)
    response = HttpResponse(content, content_type=document.content_type or "application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=document.name)
    response["Content-Length"] = str(len(content))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response

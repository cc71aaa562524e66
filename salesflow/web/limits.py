"""Request bodies over a limit answer 413 Content Too Large, on the web and in the API, never 500.

Two limits, both refused before the body is read:

- a form or JSON body may hold ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes (Django's own setting, which
  Django also applies to the non-file fields of a multipart form);
- a multipart body (file uploads) may hold a document (``MAX_DOCUMENT_BYTES``) plus 1 MiB of form
  fields: Django streams uploaded files to disk and counts them against no limit of its own.

Django raises `RequestDataTooBig` when a body it reads passes its limit (e.g. a body sent without a
length); that is answered 413 as well: by `bad_request` (Django treats it as a suspicious 400) and by
the API's exception handler.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views import defaults

MIB = 1024 * 1024
#: Form fields allowed beside the uploaded document in one multipart request.
FORM_FIELDS_BESIDE_A_FILE = MIB


def body_limit(request: HttpRequest) -> int | None:
    """The most bytes this request's body may hold (None: no limit configured)."""
    if request.META.get("CONTENT_TYPE", "").lower().startswith("multipart/"):
        from salesflow.records.chain import MAX_DOCUMENT_BYTES

        return MAX_DOCUMENT_BYTES + FORM_FIELDS_BESIDE_A_FILE
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def _megabytes(size: int) -> int | float:
    value = round(size / MIB, 1)
    return int(value) if value == int(value) else value


def too_large(request: HttpRequest, limit: int | None = None) -> HttpResponse:
    """The 413 answer: problem+json under ``/api/``, a page elsewhere."""
    limit = limit if limit is not None else body_limit(request) or 0
    if request.path_info.startswith("/api/"):
        from salesflow.api.errors import problem

        return problem("too_large", f"the request body is larger than {_megabytes(limit)} MB", limit=limit)
    message = _("The request is larger than %(size)s MB. Send less at once (a smaller file, a shorter text).") % {
        "size": number_format(_megabytes(limit))}
    return render(request, "413.html", {"message": message}, status=413)


class RequestSizeLimitMiddleware:
    """Answers 413 to a request whose declared length passes its `body_limit`, without reading it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = body_limit(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit is not None and length > limit:
            return too_large(request, limit)
        return self.get_response(request)


def bad_request(request: HttpRequest, exception: Any = None) -> HttpResponse:
    """``handler400``: a body Django found too large is 413; everything else Django's 400 page."""
    if isinstance(exception, RequestDataTooBig):
        return too_large(request)
    return defaults.bad_request(request, exception)

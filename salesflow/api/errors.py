"""Refusals as RFC 9457 problem details (``application/problem+json``): one table for the whole API.

The engine's refusal codes map to HTTP statuses with the same meaning as the CLI's exit codes:
400 bad input (exit 1), 403 not permitted (exit 4), 409 conflict (exit 5), 422 gate or requirement
unmet (exit 3, with the ``unmet`` items); a record the user may not see is 404, like one that does
not exist. A request django-ninja cannot parse or validate (malformed JSON, a missing or mistyped
value) is bad input as well: 400, not ninja's default 422 — 422 always means "unmet requirements".
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from salesflow.engine.errors import EngineError, Unmet

logger = logging.getLogger("salesflow.api")

PROBLEM_JSON = "application/problem+json"

#: Refusal code → (HTTP status, title). The one table of the API.
PROBLEMS: dict[str, tuple[int, str]] = {
    "bad_input": (400, "Bad input"),
    "unauthenticated": (401, "Authentication required"),
    "not_permitted": (403, "Not permitted"),
    "not_found": (404, "Not found"),
    "conflict": (409, "Conflict"),
    "too_large": (413, "Content too large"),
    "unmet": (422, "Requirements unmet"),
    "throttled": (429, "Too many attempts"),
    "server_error": (500, "Internal error"),
}
#: HTTP status → refusal code, for errors raised as statuses (ninja's own, CSRF).
CODE_OF_STATUS: dict[int, str] = {status: code for code, (status, _title) in PROBLEMS.items()}


def status_of(code: str) -> int:
    """The HTTP status of a refusal code (unknown codes are bad input)."""
    return PROBLEMS.get(code, PROBLEMS["bad_input"])[0]


def problem(code: str, detail: str, status: int | None = None, **extra: Any) -> HttpResponse:
    """A problem+json response for a refusal code."""
    status = status or status_of(code)
    title = PROBLEMS.get(code, (status, "Error"))[1]
    body = {"type": f"urn:salesflow:problem:{code}", "title": title, "status": status, "detail": detail,
            "code": code, **{key: value for key, value in extra.items() if value is not None}}
    response = HttpResponse(DjangoJSONEncoder(ensure_ascii=False).encode(body), status=status,
                            content_type=PROBLEM_JSON)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="salesflow"'
    return response


def _validation_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ninja's validation errors reduced to where and what (never the rejected input itself)."""
    cleaned = []
    for error in errors:
        location = [part if isinstance(part, int) else str(part) for part in error.get("loc", [])]
        cleaned.append({"loc": location, "msg": str(error.get("msg", "invalid value")),
                        "type": str(error.get("type", "value_error"))})
    return cleaned


def _describe(errors: list[dict[str, Any]]) -> str:
    parts = []
    for error in errors[:5]:
        where = ".".join(str(part) for part in error["loc"] if part not in ("body", "payload", "query", "path"))
        parts.append(f"{where}: {error['msg']}" if where else error["msg"])
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return "; ".join(parts) + more if parts else "the request could not be read"


def on_engine_error(request: HttpRequest, error: EngineError) -> HttpResponse:
    """An engine or service refusal."""
    unmet = [item.to_data() for item in error.items] if isinstance(error, Unmet) else None
    return problem(error.code, error.message, unmet=unmet)


def on_validation_error(request: HttpRequest, error: ValidationError) -> HttpResponse:
    """A request ninja could not parse or validate: 400 bad input, naming each problem."""
    errors = _validation_errors(list(error.errors))
    return problem("bad_input", _describe(errors), errors=errors)


def on_authentication_error(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    """No valid token and no session."""
    return problem("unauthenticated", "send a valid API token (Authorization: Bearer …) or sign in")


def on_http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    """An error raised as an HTTP status (e.g. a failed CSRF check of a session request)."""
    code = CODE_OF_STATUS.get(error.status_code, "bad_input")
    detail = str(error.message)
    if "CSRF" in detail:
        detail = "CSRF check failed: a signed-in browser must send the X-CSRFToken header (or use an API token)"
    response = problem(code, detail, status=error.status_code)
    retry_after = getattr(error, "retry_after", None)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def on_not_found(request: HttpRequest, error: Exception) -> HttpResponse:
    """Django's Http404 inside the API."""
    return problem("not_found", "not found")


def on_too_large(request: HttpRequest, error: RequestDataTooBig) -> HttpResponse:
    """A body Django refused to read (larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE``): 413, not a bug."""
    from salesflow.web.limits import too_large

    return too_large(request)


def on_unexpected(request: HttpRequest, error: Exception) -> HttpResponse:
    """A bug: logged with its traceback, answered without details."""
    logger.exception("unexpected error in %s %s", request.method, request.path)
    return problem("server_error", "an unexpected error occurred; it has been logged")


def install(api: NinjaAPI) -> None:
    """Register the problem handlers on the API."""
    api.add_exception_handler(EngineError, on_engine_error)
    api.add_exception_handler(ValidationError, on_validation_error)
    api.add_exception_handler(AuthenticationError, on_authentication_error)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(RequestDataTooBig, on_too_large)
    api.add_exception_handler(Exception, on_unexpected)


def not_found_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Any path under /api/ the API does not know: 404 as problem+json (not the HTML page)."""
    return problem("not_found", f"no API endpoint {request.path}")


def responses(ok: dict[int, Any], *statuses: int) -> dict[int, Any]:
    """An operation's declared responses: its success bodies plus a `Problem` for each error status.

    Every operation may answer 401 (no valid token or session) and 429 (too many failed token
    attempts from the caller's address, `salesflow.people.throttle`).
    """
    from salesflow.api.schemas import Problem

    declared: dict[int, Any] = dict(ok)
    for status in (401, 429, *statuses):
        declared[status] = Problem
    return declared

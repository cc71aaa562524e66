"""The API object: title and version, authentication, routers, problem handlers and its OpenAPI schema.

OpenAPI at ``/api/openapi.json``, interactive documentation at ``/api/docs`` (served from this
site's own static files, so the Content Security Policy needs no exception).
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI

from salesflow.api import (
    accounts,
    activities,
    chain,
    coaching,
    errors,
    forecast,
    material,
    me,
    partners,
    processes,
    quality,
    quotes,
    records,
    risks,
    users,
)
from salesflow.api.auth import BearerToken, SessionCookie
from salesflow.lists import api as lists_api

API_VERSION = "1.0.0"

DESCRIPTION = """\
Salesflow's REST API: the same rules as the web interface and the command line (they call the same
service functions).

**Authentication**: a personal API token — created on your account page or with
`salesflow user token NAME` — as `Authorization: Bearer sf_…`; or the session of a signed-in browser
(unsafe methods then need the `X-CSRFToken` header).

**Errors** are RFC 9457 problem details (`application/problem+json`), with the meaning of the CLI's
exit codes: 400 bad input (including a body or parameter that cannot be parsed), 401 not
authenticated, 403 not permitted (auditors may only read), 404 not found — also for a record you
may not see —, 409 conflict (the record changed since `expected_version` / `If-Match`, or the
action no longer applies), 413 the request body is too large (more than 2.5 MiB; a document upload
may be as large as a document, 25 MB), 422 a gate or requirement is unmet (the `unmet` list says
what is missing).
"""


class SalesflowAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI schema declares error responses as ``application/problem+json``."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                if not isinstance(operation, dict):
                    continue
                responses = operation.get("responses", {})
                for status, response in responses.items():
                    content = response.get("content")
                    if str(status)[:1] in ("4", "5") and content:
                        response["content"] = {errors.PROBLEM_JSON: next(iter(content.values()))}
                unauthenticated = responses.get(401) or responses.get("401")
                if "requestBody" in operation and unauthenticated and "content" in unauthenticated:
                    responses.setdefault(413, {"description": "Content too large",
                                               "content": unauthenticated["content"]})
        return schema


api = SalesflowAPI(
    title="Salesflow API",
    version=API_VERSION,
    description=DESCRIPTION,
    urls_namespace="api",
    auth=[BearerToken(), SessionCookie()],
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)
api.add_router("/records", records.router)
api.add_router("/records", chain.router)
api.add_router("/processes", processes.router)
api.add_router("/accounts", accounts.router)
api.add_router("", me.router)
api.add_router("", users.me_router)
api.add_router("/users", users.router)
api.add_router("", chain.notifications_router)
api.add_router("/checklists", quality.checklists_router)
api.add_router("/assessments", quality.assessments_router)
api.add_router("/risks", risks.router)
api.add_router("/material", material.router)
api.add_router("/products", quotes.products_router)
api.add_router("/quotes", quotes.quotes_router)
api.add_router("/orders", quotes.orders_router)
api.add_router("/activities", activities.router)
api.add_router("/tasks", activities.tasks_router)
api.add_router("/records", quality.review_router)
api.add_router("/partners", partners.router)
api.add_router("/coaching", coaching.router)
api.add_router("/saved-filters", lists_api.filters_router)
api.add_router("/lists", lists_api.lists_router)
api.add_router("/audit", lists_api.audit_router)
api.add_router("/forecast", forecast.router)

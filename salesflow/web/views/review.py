"""The access-rights review (ISO 27001 A.5.18): every user's roles, teams and grants, on screen and as CSV.

Open to the roles the library settings grant the right ``access_review`` (default library: Head of Sales,
Sales Ops / Quality, auditors and administrators). The CSV download is an
export of personal data and is recorded as a ``security.export`` event. Administrators act on the
review from the page: take a role away, deactivate a user (`salesflow.web.views.users`).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from salesflow import csv_cells
from salesflow.people import access
from salesflow.people.lifecycle import administers_users
from salesflow.people.models import User
from salesflow.people.security import log_security_event
from salesflow.web.templatetags.salesflow_web import current_language
from salesflow.web.views.account import token_functions

#: The library right (library settings) to review everyone's access rights.
REVIEW_RIGHT = "access_review"


def may_review(user: Any) -> bool:
    """True for users holding a role the library grants the access review."""
    return access.has_right(user, REVIEW_RIGHT)


def access_rows(language: str) -> list[dict[str, Any]]:
    """One row per user: roles, teams, active API tokens, record memberships, last sign-in."""
    tokens = token_functions()
    now = timezone.now()
    users = (User.objects.prefetch_related("roles", "teams")
             .annotate(memberships=Count("member_records", distinct=True))
             .order_by("username"))
    rows = []
    for user in users:
        token_count = None
        if tokens is not None:
            token_count = sum(1 for token in tokens.tokens_of(user) if _active(token, now))
        rows.append({
            "username": user.username, "name": user.display_name, "email": user.email,
            "active": user.is_active, "superuser": user.is_superuser,
            "roles": [role.title_in(language) for role in user.roles.all()],
            "role_ids": [role.id for role in user.roles.all()],
            "role_pairs": [(role.id, role.title_in(language)) for role in user.roles.all()],
            "teams": [team.name for team in user.teams.all()],
            "tokens": token_count, "memberships": user.memberships,
            "last_login": user.last_login, "joined": user.date_joined,
        })
    return rows


@login_required
@require_GET
def access_review(request: HttpRequest) -> HttpResponse:
    """The review page."""
    if not may_review(request.user):
        raise PermissionDenied(_("Your roles do not include the right to review access."))
    return render(request, "web/access_review.html", {"rows": access_rows(current_language()),
                                                      "tokens_available": token_functions() is not None,
                                                      "can_administer": administers_users(request.user)})


@login_required
@require_GET
def access_review_csv(request: HttpRequest) -> HttpResponse:
    """The review as CSV (recorded as an export)."""
    if not may_review(request.user):
        raise PermissionDenied(_("Your roles do not include the right to review access."))
    rows = access_rows("en")
    log_security_event("export", request.user, request=request, what="access_review", rows=len(rows),
                       format="csv")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="salesflow-access-review-{stamp}.csv"'
    writer = csv_cells.writer(response)
    writer.writerow(["username", "name", "email", "active", "superuser", "roles", "teams", "api_tokens",
                     "record_memberships", "last_login", "joined"])
    for row in rows:
        writer.writerow([
            row["username"], row["name"], row["email"], row["active"], row["superuser"],
            " ".join(row["role_ids"]), " ".join(row["teams"]),
            "" if row["tokens"] is None else row["tokens"], row["memberships"],
            row["last_login"].isoformat() if row["last_login"] else "", row["joined"].isoformat(),
        ])
    return response


def _active(token: Any, now: Any) -> bool:
    """True for a token that is neither revoked nor expired."""
    expires = getattr(token, "expires_at", None)
    return getattr(token, "revoked_at", None) is None and (expires is None or expires > now)


"""Who may see which record (ISO 27001 A.5.12 / A.5.15 / A.8.3): one rule for lists, pages, API and exports.

- public and internal records: every member of sales staff (any user holding a role);
- confidential: the owner, the owner's team mates, named members, and the oversight roles
  (Head of Sales, Sales Ops / Quality, auditors);
- strictly confidential: the owner and named members only.

A record a user may not see does not exist for them: look-ups answer "not found", lists and counts
leave it out.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from salesflow.process.model import Classification

#: Roles that see every confidential record (never strictly confidential ones).
OVERSIGHT_ROLES = frozenset({"head_of_sales", "sales_ops", "auditor"})
#: Roles that may read but never change anything.
READ_ONLY_ROLES = frozenset({"auditor"})


def is_staff_member(user: Any) -> bool:
    """True for an active, signed-in user holding at least one role."""
    return bool(user is not None and user.is_authenticated and user.is_active and user.role_ids())


def team_mate_ids(user: Any) -> list[int]:
    """Ids of every user sharing a team with ``user`` (including the user)."""
    from salesflow.people.models import User

    return list(User.objects.filter(teams__in=user.teams.all()).values_list("pk", flat=True).distinct()) + [user.pk]


def visibility_filter(user: Any) -> Q:
    """A filter on Record matching exactly the records ``user`` may see."""
    if not is_staff_member(user):
        return Q(pk__in=[])
    from salesflow.records.models import Record

    member_of = Record.members.through.objects.filter(user_id=user.pk).values("record_id")
    open_to_staff = Q(classification__in=[Classification.public.value, Classification.internal.value])
    if user.role_ids() & OVERSIGHT_ROLES:
        confidential = Q(classification=Classification.confidential.value)
    else:
        confidential = Q(classification=Classification.confidential.value) & (
            Q(owner_id__in=team_mate_ids(user)) | Q(pk__in=member_of)
        )
    strictly = Q(classification=Classification.strictly_confidential.value) & (
        Q(owner_id=user.pk) | Q(pk__in=member_of)
    )
    return open_to_staff | confidential | strictly


def visible_records(user: Any, queryset: QuerySet | None = None) -> QuerySet:
    """The records ``user`` may see (of ``queryset``, default all)."""
    from salesflow.records.models import Record

    base = queryset if queryset is not None else Record.objects.all()
    return base.filter(visibility_filter(user))


def can_view(user: Any, record: Any) -> bool:
    """True if ``user`` may see ``record`` (the same rule as `visibility_filter`).

    The common cases are decided from the record in hand — staff see public and internal records,
    owners their own — without a query; the rest asks the database with the one filter.
    """
    if not is_staff_member(user):
        return False
    if record.classification in (Classification.public.value, Classification.internal.value):
        return True
    if record.owner_id is not None and record.owner_id == user.pk:
        return True
    return visible_records(user).filter(pk=record.pk).exists()


def is_read_only(user: Any) -> bool:
    """True for users whose roles only allow reading (auditors)."""
    roles = user.role_ids()
    return bool(roles) and roles <= READ_ONLY_ROLES

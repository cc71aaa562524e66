"""Who may see which record and who holds which library right (ISO 27001 A.5.12 / A.5.15 / A.8.3).

One rule for lists, pages, API, exports and packs, declared by the process library — no role id is
written here:

- public and internal records: every member of sales staff (any active user holding a role);
- confidential: the owner, the owner's team mates, named members, the roles the record's process puts
  to work on it (`salesflow.engine.visibility.confidential_roles`: responsible role, gate deciders and
  their delegates, approvers, ``rights.see_confidential``) and the library's ``oversight_roles``;
- strictly confidential: the owner and named members only.

Library-wide roles, oversight and read-only roles and named rights come from the library settings in
force (`salesflow.process.library_settings`, loaded with ``salesflow process load``). The rules are
built once per loaded library and cached: saving a process version or library settings drops the
cache at once in the worker that saved it; every worker checks a cheap stamp (process versions and
settings loaded, approvals, the date — two small queries) at most once a second.

A record a user may not see does not exist for them: look-ups answer "not found", lists and counts
leave it out.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from salesflow.process.library_settings import LibrarySettings
from salesflow.process.model import Classification


@dataclass(frozen=True)
class AccessPolicy:
    """The access rules of the library in force."""

    settings: LibrarySettings
    oversight_roles: frozenset[str]
    read_only_roles: frozenset[str]
    rights: dict[str, frozenset[str]]
    #: Process id → roles that see every confidential record of that process.
    confidential_by_process: dict[int, frozenset[str]] = field(default_factory=dict)

    def processes_seen_by(self, roles: frozenset[str]) -> list[int]:
        """Ids of the processes whose confidential records holders of ``roles`` see."""
        return sorted(pid for pid, allowed in self.confidential_by_process.items() if allowed & roles)


_lock = threading.Lock()
_cached: tuple[tuple[Any, ...], AccessPolicy] | None = None
_checked_at = 0.0
#: Seconds a worker trusts its cached rules before checking the stamp again.
STAMP_INTERVAL = 1.0


def _stamp() -> tuple[Any, ...]:
    """What changes when the access rules may change: versions loaded or approved, settings loaded, the day."""
    from salesflow.records.models import LibrarySettingsVersion, ProcessVersion

    versions = ProcessVersion.objects.aggregate(count=Count("id"), last=Max("id"), approved=Max("approved_at"),
                                                obsoleted=Max("obsoleted_at"), sha=Max("sha256"))
    settings = LibrarySettingsVersion.objects.order_by("-id").values_list("id", "sha256").first()
    return (tuple(versions.values()), settings, timezone.localdate())


def _build() -> AccessPolicy:
    from salesflow.engine.visibility import confidential_roles
    from salesflow.records.models import LibrarySettingsVersion, Process
    from salesflow.records.services import definition_of

    row = LibrarySettingsVersion.objects.order_by("-id").first()
    settings = LibrarySettings.model_validate(row.data) if row is not None else LibrarySettings()
    by_process: dict[int, frozenset[str]] = {}
    need_to_know = frozenset(settings.access.need_to_know_roles)
    for process in Process.objects.all():
        version = process.current_version() or process.versions.order_by("-version").first()
        if version is not None:
            by_process[process.pk] = confidential_roles(definition_of(version), need_to_know)
    return AccessPolicy(settings=settings, oversight_roles=frozenset(settings.access.oversight_roles),
                        read_only_roles=frozenset(settings.access.read_only_roles),
                        rights=settings.rights.grants(), confidential_by_process=by_process)


def policy() -> AccessPolicy:
    """The access rules in force (rebuilt when a process version or the library settings change)."""
    global _cached, _checked_at
    cached = _cached
    now = time.monotonic()
    if cached is not None and now - _checked_at < STAMP_INTERVAL:
        return cached[1]
    stamp = _stamp()
    if cached is not None and cached[0] == stamp:
        _checked_at = now
        return cached[1]
    with _lock:
        built = _build()
        _cached, _checked_at = (stamp, built), now
    return built


def forget_policy() -> None:
    """Drop the cached rules: the next use rebuilds them (tests that roll back the database use it)."""
    global _cached
    _cached = None


def library_changed(sender: Any, **kwargs: Any) -> None:
    """Signal receiver: a process version or the library settings were saved or deleted."""
    forget_policy()


def is_staff_member(user: Any) -> bool:
    """True for an active, signed-in user holding at least one role."""
    return bool(user is not None and user.is_authenticated and user.is_active and user.role_ids())


def team_mate_ids(user: Any) -> list[int]:
    """Ids of every user sharing a team with ``user`` (including the user)."""
    from salesflow.people.models import User

    return list(User.objects.filter(teams__in=user.teams.all()).values_list("pk", flat=True).distinct()) + [user.pk]


def is_oversight(user: Any) -> bool:
    """True for holders of a library-wide oversight role (they see every confidential record)."""
    return bool(is_staff_member(user) and user.role_ids() & policy().oversight_roles)


def has_right(user: Any, right: str) -> bool:
    """True when ``user`` holds a role granted the library right ``right`` (`LibraryRights`)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return bool(user.role_ids() & policy().rights.get(right, frozenset()))


def rights_of(user: Any) -> frozenset[str]:
    """The library rights ``user``'s roles are granted."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    roles = user.role_ids()
    return frozenset(name for name, granted in policy().rights.items() if granted & roles)


def roles_with_right(right: str) -> frozenset[str]:
    """The roles the library grants ``right``."""
    return policy().rights.get(right, frozenset())


def visibility_filter(user: Any) -> Q:
    """A filter on Record matching exactly the records ``user`` may see (one query-able condition)."""
    if not is_staff_member(user):
        return Q(pk__in=[])
    from salesflow.records.models import Record

    rules = policy()
    roles = user.role_ids()
    member_of = Record.members.through.objects.filter(user_id=user.pk).values("record_id")
    open_to_staff = Q(classification__in=[Classification.public.value, Classification.internal.value])
    confidential = Q(classification=Classification.confidential.value)
    if not roles & rules.oversight_roles:
        confidential &= (Q(process_id__in=rules.processes_seen_by(roles)) | Q(owner_id__in=team_mate_ids(user))
                         | Q(pk__in=member_of))
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
    owners their own, oversight and the process's roles its confidential ones — without a query on
    records; the rest (team mates, members) asks the database with the one filter.
    """
    if not is_staff_member(user):
        return False
    if record.classification in (Classification.public.value, Classification.internal.value):
        return True
    if record.owner_id is not None and record.owner_id == user.pk:
        return True
    if record.classification == Classification.confidential.value:
        rules = policy()
        roles = user.role_ids()
        if roles & rules.oversight_roles or roles & rules.confidential_by_process.get(record.process_id, frozenset()):
            return True
    return visible_records(user).filter(pk=record.pk).exists()


def is_read_only(user: Any) -> bool:
    """True for users whose roles are all read-only roles of the library (e.g. auditors)."""
    roles = user.role_ids()
    return bool(roles) and roles <= policy().read_only_roles


def link_kind_title(kind: str, language: str = "en") -> str:
    """A kind of link's name from the library settings (``link_kinds``), else the id with spaces for ``_``."""
    named = policy().settings.link_kinds.get(kind)
    return named.title.get_text(language) if named else kind.replace("_", " ")


def link_kind_incoming(kind: str, language: str = "en") -> str | None:
    """The name of an incoming link of this kind when the library settings give one (else None: '<name> of')."""
    named = policy().settings.link_kinds.get(kind)
    return named.incoming.get_text(language) if named is not None and named.incoming is not None else None


def role_title(role_id: str, language: str = "en") -> str:
    """A library-wide role's title from the settings, else the id."""
    role = policy().settings.roles.get(role_id)
    return role.title.get_text(language) if role else role_id

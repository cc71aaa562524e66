"""Retiring a process: no new records; records already running finish under their version.

Retirement is a document-control decision, taken by the responsible role of the process's approved
version (:func:`salesflow.guidelines.control.check_retire`) and written to the event log with its reason.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from salesflow.engine.errors import BadInput, Conflict, NotPermitted
from salesflow.engine.state import EventDraft
from salesflow.guidelines import control
from salesflow.guidelines.services import person_of
from salesflow.records import eventlog
from salesflow.records.models import Process
from salesflow.records.services import actorship, definition_of, get_process


def may_retire(process: Process, user: Any) -> bool:
    """Whether ``user`` may retire (or reinstate) ``process``."""
    version = process.current_version()
    if version is None or not getattr(user, "is_authenticated", False):
        return False
    try:
        control.check_retire(person_of(user), definition_of(version))
    except NotPermitted:
        return False
    return True


def _decide(process_key: str, by: Any | None, retire: bool, reason: str, at: datetime.datetime | None) -> Process:
    at = at or timezone.now()
    reason = (reason or "").strip()
    if retire and not reason:
        raise BadInput("reason: say why the process is retired (it is kept in the audit trail)")
    with transaction.atomic():
        process = Process.objects.select_for_update().get(pk=get_process(process_key).pk)
        version = process.current_version()
        role = "system"
        if by is not None:
            if version is None:
                raise Conflict(f"{process.key} has no approved version")
            role = control.check_retire(person_of(by), definition_of(version), retire)
        if retire and process.retired_at is not None:
            raise Conflict(f"{process.key} is retired already (since {process.retired_at:%Y-%m-%d})")
        if not retire and process.retired_at is None:
            raise Conflict(f"{process.key} is not retired")
        process.retired_at = at if retire else None
        process.retired_by_name = (by.display_name if by is not None else "system") if retire else ""
        process.retired_reason = reason if retire else ""
        process.save(update_fields=["retired_at", "retired_by_name", "retired_reason"])
        kind = "process_retired" if retire else "process_reinstated"
        eventlog.append([EventDraft(kind=kind, role=role, payload={"reason": reason})], actor=actorship(by), at=at,
                        process=process.key, process_version=version.version if version else None)
    return process


def do_retire_process(process_key: str, by: Any | None, reason: str, at: datetime.datetime | None = None) -> Process:
    """Retire a process (``by`` None: the installation itself, e.g. ``salesflow init``)."""
    return _decide(process_key, by, True, reason, at)


def do_reinstate_process(process_key: str, by: Any | None, reason: str = "",
                         at: datetime.datetime | None = None) -> Process:
    """Take a retirement back: new records may start again."""
    return _decide(process_key, by, False, reason, at)

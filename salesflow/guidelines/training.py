"""The training matrix (ISO 9001 7.2/7.3): who has read / been trained on the current version of each process.

When a version is approved, every active user holding a role the process names is asked to read
it within the process's ``acknowledgement_days`` after its effective date.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from salesflow.process.model import ProcessDefinition
from salesflow.records.models import Acknowledgement, Process, ProcessVersion
from salesflow.records.services import definition_of

#: Matrix cell states, best first.
STATES = ("trained", "read", "due", "overdue")


def users_asked_to_read(definition: ProcessDefinition) -> list[Any]:
    """Active users holding at least one role the process names (sorted by user name)."""
    user_model = get_user_model()
    return list(user_model.objects.filter(is_active=True, roles__id__in=list(definition.roles))
                .distinct().order_by("username"))


@dataclass
class Cell:
    """One user's state for one process's current version."""

    state: str  # trained | read | due | overdue
    at: datetime.datetime | None = None
    previous_version: int | None = None  # the newest older version the user had read, if any

    def to_data(self) -> dict[str, Any]:
        """JSON-ready cell."""
        return {"state": self.state, "at": self.at.isoformat() if self.at else None,
                "previous_version": self.previous_version}


@dataclass
class ProcessColumn:
    """A process's current version with its due date."""

    key: str
    title: dict[str, str]
    version: int
    effective_date: datetime.date | None
    due: datetime.date | None
    required: bool

    def title_in(self, language: str) -> str:
        """The process title in a language."""
        return self.title.get(language) or self.title.get("en") or self.key


@dataclass
class TrainingMatrix:
    """Users × processes: the acknowledgement state of each current version."""

    processes: list[ProcessColumn] = field(default_factory=list)
    users: list[Any] = field(default_factory=list)
    cells: dict[tuple[int, str], Cell] = field(default_factory=dict)  # (user id, process key) → cell
    today: datetime.date | None = None

    def cell(self, user: Any, key: str) -> Cell | None:
        """The cell of a user and a process (None: the user is not asked to read it)."""
        return self.cells.get((user.pk, key))

    def rows(self) -> list[tuple[Any, list[Cell | None]]]:
        """(user, cells in process order) for templates."""
        return [(user, [self.cell(user, column.key) for column in self.processes]) for user in self.users]

    def counts(self) -> dict[str, int]:
        """How many cells are in each state."""
        result = dict.fromkeys(STATES, 0)
        for cell in self.cells.values():
            result[cell.state] += 1
        return result

    def to_data(self) -> dict[str, Any]:
        """JSON-ready matrix (what ``process training --json`` prints)."""
        return {
            "today": self.today.isoformat() if self.today else None,
            "processes": [{"id": c.key, "title": c.title_in("en"), "version": c.version,
                           "effective_date": c.effective_date.isoformat() if c.effective_date else None,
                           "due": c.due.isoformat() if c.due else None, "acknowledgement_required": c.required}
                          for c in self.processes],
            "users": [{"username": user.username, "name": user.display_name, "roles": sorted(user.role_ids()),
                       "processes": {key: cell.to_data() for (uid, key), cell in self.cells.items() if uid == user.pk}}
                      for user in self.users],
            "counts": self.counts(),
        }


def training_matrix(today: datetime.date | None = None, at: datetime.datetime | None = None) -> TrainingMatrix:
    """The matrix for every process with an approved version (``at``: as it stood then, for the audit pack)."""
    today = today or timezone.localdate()
    matrix = TrainingMatrix(today=today)
    users: dict[int, Any] = {}
    for process in Process.objects.order_by("key"):
        version = _current_at(process, at)
        if version is None:
            continue
        definition = definition_of(version)
        due = version.effective_date + datetime.timedelta(days=process.acknowledgement_days) \
            if version.effective_date else None
        matrix.processes.append(ProcessColumn(process.key, dict(process.title), version.version, version.effective_date,
                                              due, process.require_acknowledgement))
        acknowledgements = Acknowledgement.objects.filter(process_version__process=process)
        if at is not None:
            acknowledgements = acknowledgements.filter(at__lte=at)
        by_user: dict[int, list[Acknowledgement]] = {}
        for item in acknowledgements.select_related("process_version"):
            by_user.setdefault(item.user_id, []).append(item)
        for user in users_asked_to_read(definition):
            users.setdefault(user.pk, user)
            matrix.cells[(user.pk, process.key)] = _cell(by_user.get(user.pk, []), version, due, today)
    matrix.users = sorted(users.values(), key=lambda user: user.username)
    return matrix


def _current_at(process: Process, at: datetime.datetime | None) -> ProcessVersion | None:
    if at is None:
        return process.current_version()
    return process.versions.filter(approved_at__lte=at).exclude(obsoleted_at__lte=at).order_by("-version").first()


def _cell(items: list[Acknowledgement], version: ProcessVersion, due: datetime.date | None,
          today: datetime.date) -> Cell:
    current = [item for item in items if item.process_version_id == version.pk]
    trained = next((item for item in current if item.kind == "trained"), None)
    if trained is not None:
        return Cell("trained", trained.at)
    read = next((item for item in current if item.kind == "read"), None)
    if read is not None:
        return Cell("read", read.at)
    older = [item.process_version.version for item in items if item.process_version.version < version.version]
    previous = max(older) if older else None
    if due is not None and today > due:
        return Cell("overdue", previous_version=previous)
    return Cell("due", previous_version=previous)


def pending_for(user: Any) -> list[ProcessVersion]:
    """Current versions ``user`` is asked to read and has not acknowledged yet."""
    pending = []
    roles = user.role_ids()
    for process in Process.objects.order_by("key"):
        version = process.current_version()
        if version is None or not roles & set(definition_of(version).roles):
            continue
        if not Acknowledgement.objects.filter(user=user, process_version=version).exists():
            pending.append(version)
    return pending

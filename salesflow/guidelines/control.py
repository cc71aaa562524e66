"""Document control rules (ISO 9001 7.5) as pure functions: who may propose, submit, approve a version.

A version starts as ``draft``, goes to ``in_review`` and is ``approved`` by a holder of the
process's responsible role who is not its author; approving it makes the previously approved
version ``obsolete``. These functions decide; `salesflow.guidelines.services` stores.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from salesflow.engine.errors import Conflict, NotPermitted
from salesflow.process.model import ProcessDefinition, Status

#: The library right (library settings) to author and submit any guideline besides its responsible role.
PROPOSE_RIGHT = "propose_changes"
#: The library right to record trainings of other users besides the guideline's responsible role.
TRAINING_RIGHT = "record_training"


@dataclass(frozen=True)
class Person:
    """Who acts on a version: a user id, a name, the role ids held and the library rights they give."""

    user_id: int | None
    name: str
    roles: frozenset[str]
    rights: frozenset[str] = frozenset()


def responsible_role(current: ProcessDefinition | None, proposed: ProcessDefinition) -> str:
    """The role that approves ``proposed``: the responsible of the approved version, else the proposal's own."""
    return (current or proposed).guideline.responsible


def editor_roles(current: ProcessDefinition | None, proposed: ProcessDefinition) -> frozenset[str]:
    """The process's own roles that may propose a version and submit it (holders of the library right
    ``propose_changes`` may too)."""
    return frozenset({responsible_role(current, proposed), proposed.guideline.responsible})


def may_edit(person: Person, current: ProcessDefinition | None, proposed: ProcessDefinition) -> bool:
    """True when ``person`` may propose and submit versions of this guideline."""
    return PROPOSE_RIGHT in person.rights or bool(person.roles & editor_roles(current, proposed))


def _editors_text(current: ProcessDefinition | None, proposed: ProcessDefinition) -> str:
    return (f"one of the roles {', '.join(sorted(editor_roles(current, proposed)))} "
            f"or the library right {PROPOSE_RIGHT}")


def check_propose(person: Person, current: ProcessDefinition | None, proposed: ProcessDefinition,
                  existing_versions: Iterable[int]) -> None:
    """Refuse a proposal by someone without an editing role, or with a version number already used."""
    if not may_edit(person, current, proposed):
        raise NotPermitted(f"{person.name} may not propose guideline versions of {proposed.process}: "
                           f"needs {_editors_text(current, proposed)}")
    existing = sorted(existing_versions)
    if proposed.version in existing:
        raise Conflict(f"{proposed.process} already has version {proposed.version}; "
                       f"give the proposal version {max(existing) + 1}")
    if existing and proposed.version < max(existing):
        raise Conflict(f"{proposed.process} is at version {max(existing)}; "
                       f"give the proposal version {max(existing) + 1}")


def check_submit(person: Person, status: str, author_id: int | None, current: ProcessDefinition | None,
                 proposed: ProcessDefinition) -> None:
    """A draft goes to review when its author (or an editing role) submits it."""
    if status != Status.draft.value:
        raise Conflict(f"only a draft can be submitted for review (this version is {status})")
    if person.user_id != author_id and not may_edit(person, current, proposed):
        raise NotPermitted(f"{person.name} may not submit this version: its author or "
                           f"{_editors_text(current, proposed)} submits it")


def check_approve(person: Person, status: str, author_id: int | None, current: ProcessDefinition | None,
                  current_version: int | None, proposed: ProcessDefinition) -> str:
    """Return the approving role, or refuse: in review, responsible role, not the author, not older than current."""
    if status != Status.in_review.value:
        raise Conflict(f"only a version in review can be approved (this version is {status}); submit it first")
    role = responsible_role(current, proposed)
    if role not in person.roles:
        raise NotPermitted(f"{proposed.process} versions are approved by the responsible role "
                           f"{(current or proposed).role_title(role)} ({role}); {person.name} does not hold it")
    if author_id is not None and person.user_id == author_id:
        raise NotPermitted(f"{person.name} wrote this version and cannot approve it: another holder of "
                           f"{role} approves it (four-eyes principle)")
    if current_version is not None and proposed.version < current_version:
        raise Conflict(f"version {proposed.version} is older than the approved version {current_version}")
    return role


def check_return(person: Person, status: str, current: ProcessDefinition | None, proposed: ProcessDefinition) -> str:
    """The responsible role may send a version in review back to draft (with a note)."""
    if status != Status.in_review.value:
        raise Conflict(f"only a version in review can be returned to draft (this version is {status})")
    role = responsible_role(current, proposed)
    if role not in person.roles:
        raise NotPermitted(f"only the responsible role {role} returns a version in review to draft")
    return role


def roles_to_read(definition: ProcessDefinition) -> list[str]:
    """Roles asked to read an approved version: every role the process names."""
    return list(definition.roles)


def check_record_training(person: Person, definition: ProcessDefinition) -> None:
    """Trainings of other users are recorded by the responsible role or holders of the right ``record_training``."""
    role = definition.guideline.responsible
    if TRAINING_RIGHT not in person.rights and role not in person.roles:
        raise NotPermitted(f"{person.name} may not record trainings: needs the role {role} "
                           f"or the library right {TRAINING_RIGHT}")

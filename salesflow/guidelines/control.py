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

#: Roles that may author and submit any guideline besides the process's responsible role.
QUALITY_ROLES = frozenset({"sales_ops", "admin"})
#: Roles that may record a training for other users besides the process's responsible role.
TRAINER_ROLES = frozenset({"sales_ops"})


@dataclass(frozen=True)
class Person:
    """Who acts on a version: a user id, a name and the role ids held."""

    user_id: int | None
    name: str
    roles: frozenset[str]


def responsible_role(current: ProcessDefinition | None, proposed: ProcessDefinition) -> str:
    """The role that approves ``proposed``: the responsible of the approved version, else the proposal's own."""
    return (current or proposed).guideline.responsible


def editor_roles(current: ProcessDefinition | None, proposed: ProcessDefinition) -> frozenset[str]:
    """Roles that may propose a version and submit it for review."""
    return QUALITY_ROLES | {responsible_role(current, proposed), proposed.guideline.responsible}


def check_propose(person: Person, current: ProcessDefinition | None, proposed: ProcessDefinition,
                  existing_versions: Iterable[int]) -> None:
    """Refuse a proposal by someone without an editing role, or with a version number already used."""
    allowed = editor_roles(current, proposed)
    if not person.roles & allowed:
        raise NotPermitted(f"{person.name} may not propose guideline versions of {proposed.process}: "
                           f"needs one of the roles {', '.join(sorted(allowed))}")
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
    if person.user_id != author_id and not person.roles & editor_roles(current, proposed):
        raise NotPermitted(f"{person.name} may not submit this version: its author or one of the roles "
                           f"{', '.join(sorted(editor_roles(current, proposed)))} submits it")


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
    """Trainings of other users are recorded by the responsible role or Sales Ops / Quality."""
    allowed = TRAINER_ROLES | {definition.guideline.responsible}
    if not person.roles & allowed:
        raise NotPermitted(f"{person.name} may not record trainings: needs one of the roles {', '.join(sorted(allowed))}")


def check_retire(person: Person, current: ProcessDefinition, retire: bool = True) -> str:
    """The responsible role of the approved version retires a process (or reinstates it); returns that role."""
    role = current.guideline.responsible
    if role not in person.roles:
        action = "retired" if retire else "reinstated"
        raise NotPermitted(f"{current.process} is {action} by its responsible role {current.role_title(role)} "
                           f"({role}); {person.name} does not hold it")
    return role

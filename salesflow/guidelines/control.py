"""Document control rules (ISO 9001 7.5) as pure functions: who may propose, submit, approve a version.

A version starts as ``draft``, goes to ``in_review`` and is ``approved`` by a holder of the
process's responsible role (or of its ``deputy_approver`` role) who is not its author; approving it
makes the previously approved version ``obsolete`` on its effective date. ``process load`` of a file
that says ``approved`` is accepted only with such an approver (`load_approval`); otherwise the version
lands as a draft and goes through review. These functions decide; `salesflow.guidelines.services` stores.
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


def approver_roles(current: ProcessDefinition | None, proposed: ProcessDefinition) -> list[str]:
    """Roles that approve ``proposed``: the responsible role and the deputy approver role (of the approved version,
    else of the proposal: a proposal cannot change who approves it)."""
    guideline = (current or proposed).guideline
    return [guideline.responsible] + ([guideline.deputy_approver] if guideline.deputy_approver else [])


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
    role = approving_role(person, current, proposed)
    if role is None:
        raise NotPermitted(f"{proposed.process} versions are approved by {approvers_text(current, proposed)}; "
                           f"{person.name} does not hold it")
    if author_id is not None and person.user_id == author_id:
        raise NotPermitted(f"{person.name} wrote this version and cannot approve it: another holder of "
                           f"{' or '.join(approver_roles(current, proposed))} approves it (four-eyes principle)")
    if current_version is not None and proposed.version < current_version:
        raise Conflict(f"version {proposed.version} is older than the approved version {current_version}")
    return role


def approving_role(person: Person, current: ProcessDefinition | None, proposed: ProcessDefinition) -> str | None:
    """The role by which ``person`` approves versions of the process (None: they may not)."""
    return next((role for role in approver_roles(current, proposed) if role in person.roles), None)


def approvers_text(current: ProcessDefinition | None, proposed: ProcessDefinition) -> str:
    """Who approves, for messages: 'the responsible role Head of Sales (head_of_sales) or the deputy …'."""
    definition = current or proposed
    roles = approver_roles(current, proposed)
    text = f"the responsible role {definition.role_title(roles[0])} ({roles[0]})"
    if len(roles) > 1:
        text += f" or the deputy approver {definition.role_title(roles[1])} ({roles[1]})"
    return text


@dataclass(frozen=True)
class LoadApproval:
    """What ``process load`` does with a file: the status it stores, who approved it and with which role.

    ``demoted`` is True when the file said ``approved`` but nobody who approves was named: the version
    is stored as a draft and goes through review.
    """

    status: str
    approver: Person | None = None
    role: str = ""
    demoted: bool = False
    reason: str = ""


def load_approval(loader: Person | None, approver: Person | None, current: ProcessDefinition | None,
                  proposed: ProcessDefinition, install: bool = False) -> LoadApproval:
    """Decide the status of a loaded version (no back door around review, ISO 9001 7.5).

    A file that is not ``approved`` keeps its status. An approved file is accepted as approved when
    the named approver (``--approved-by``, else the loader ``--as``) holds the responsible or deputy
    approver role; when the system installs the shipped library (``install``) or a process that has
    no approved version yet is loaded without a user. An explicit approver without that role is
    refused; anything else is stored as a draft.
    """
    status = proposed.guideline.status.value
    if status != Status.approved.value:
        return LoadApproval(status)
    who = approver or loader
    if who is not None:
        role = approving_role(who, current, proposed)
        if role is not None:
            return LoadApproval(status, who, role)
        if approver is not None:
            raise NotPermitted(f"--approved-by {approver.name}: {proposed.process} versions are approved by "
                               f"{approvers_text(current, proposed)}; {approver.name} does not hold it")
    elif install or current is None:
        return LoadApproval(status, None, "system")
    reason = (f"an approved version of {proposed.process} is loaded only by {approvers_text(current, proposed)} "
              f"or with --approved-by naming a holder; stored as a draft: submit it for review")
    return LoadApproval(Status.draft.value, None, "", True, reason)


def check_return(person: Person, status: str, current: ProcessDefinition | None, proposed: ProcessDefinition) -> str:
    """Who approves (responsible or deputy approver role) may send a version in review back to draft (with a note)."""
    if status != Status.in_review.value:
        raise Conflict(f"only a version in review can be returned to draft (this version is {status})")
    role = approving_role(person, current, proposed)
    if role is None:
        raise NotPermitted(f"only {approvers_text(current, proposed)} returns a version in review to draft")
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

"""Who sees a process's confidential records, read from its definition (ISO 27001 A.5.15, need to know).

Besides the record's owner, the owner's team, its named members and the library's oversight roles
(`salesflow.process.library_settings`), the confidential records of a process are seen by the roles
its guideline puts to work on them: the guideline's responsible role, the roles deciding its gates
(and those a gate decision may be delegated to), the approvers of its competence catalog, and the
roles its ``rights.see_confidential`` adds. Roles the library declares ``need_to_know_roles`` (e.g. key
account managers, who approve their own small offers) are left out of the derived set: they see
confidential records of their own team only, unless a process names them in ``see_confidential``.
Strictly confidential records stay with owner and members.
"""

from __future__ import annotations

from salesflow.process.model import ProcessDefinition


def confidential_roles(definition: ProcessDefinition, need_to_know: frozenset[str] = frozenset()) -> frozenset[str]:
    """The roles that see every confidential record of the process ``definition`` describes."""
    roles = {definition.guideline.responsible}
    for stage in definition.stages:
        if stage.gate is not None:
            if stage.gate.decided_by:
                roles.add(stage.gate.decided_by)
            roles.update(stage.gate.delegable_to)
    for approval in definition.approvals.values():
        if approval.role:
            roles.add(approval.role)
        roles.update(band.role for band in approval.by_amount)
    return frozenset(roles - need_to_know) | frozenset(definition.rights.see_confidential)

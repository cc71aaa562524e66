"""An auditor may not audit their own work: the internal audit's separation rule, declared in its YAML."""

from __future__ import annotations

from salesflow.process.validate import parse_library_text
from salesflow.records.models import Event, Record

AUDIT = ("record", "create", "internal-audit", "--title", "Audit of opportunity management", "--as", "quinn",
         "--field", "programme_year=2026", "--field", "audited_process=opportunity-management")


def test_auditor_and_auditee_must_differ(cli, quality_people) -> None:
    refused = cli(*AUDIT, "--field", "auditor=quinn", "--field", "auditee=quinn")
    assert refused.code == 4, refused
    assert "auditor and auditee must be different people" in refused.err
    assert not Record.objects.filter(process__key="internal-audit").exists()

    audit = cli(*AUDIT, "--field", "auditor=quinn", "--field", "auditee=quirin", "--json")
    assert audit.code == 0, audit
    audit_id = audit.json()["id"]
    events = Event.objects.filter(record_id=audit_id).count()
    changed = cli("record", "set", audit_id, "auditee=quinn", "--as", "quinn")
    assert changed.code == 4 and "different people" in changed.err
    assert Event.objects.filter(record_id=audit_id).count() == events


def test_the_auditee_may_not_conduct_the_audit(cli, quality_people) -> None:
    audit_id = cli(*AUDIT, "--field", "auditor=quinn", "--field", "auditee=quirin",
                   "--field", "planned_date=2026-12-10", "--json").json()["id"]
    assert cli("record", "move", audit_id, "prepared", "--as", "quinn").code == 0
    own = cli("record", "do", audit_id, "select_samples", "--as", "quirin")
    assert own.code == 4 and "may not do select_samples" in own.err
    assert cli("record", "do", audit_id, "select_samples", "--as", "quinn").code == 0


def test_the_rule_is_generic_yaml_checked_with_file_and_line() -> None:
    text = """\
process: peer-review
record: review
version: 1
title: Peer review
guideline: {responsible: lead}
roles: {lead: {title: Lead}}
fields:
  reviewer: {type: user}
  author: {type: text}
stages:
  - {id: open, probability: 0}
  - {id: done, probability: 100, outcome: won}
separation_of_duties:
  - id: four_eyes
    distinct: [reviewer, author]
    not_done_by: {field: reviewer, activities: [sign_off]}
"""
    from salesflow.process.validate import ProcessInvalid, check_references

    parsed = parse_library_text(text, "peer-review.yaml")
    messages = [str(problem) for problem in check_references(parsed)]
    assert "peer-review.yaml:15: field 'author' is a text field; expected user" in messages
    assert "peer-review.yaml:16: unknown activity 'sign_off'" in messages
    assert ProcessInvalid

"""A failed critical question of a default checklist starts a nonconformity in the default library's process,
linked to the assessment — and the nonconformity then runs through its whole process."""

from __future__ import annotations

from salesflow.quality.models import Assessment
from salesflow.records.models import Event, Record, RecordLink
from salesflow.records.replay import check_records

PASSING = {"greeted": "yes", "needs": "yes", "product": 4, "company": "yes", "material": "na",
           "published_price": "yes", "no_false_promise": "yes", "next_step": "yes"}


def test_failed_critical_question_raises_a_nonconformity_that_runs_to_closed(cli, quality_people, tmp_path) -> None:
    from django.utils import timezone

    from salesflow.accounts.models import Account

    partner = Account.objects.create(name="Fachhandel Süd GmbH", created_at=timezone.now(), kind=Account.PARTNER)
    answers = tmp_path / "answers.json"
    answers.write_text(__import__("json").dumps({**PASSING, "no_false_promise": "no"}), encoding="utf-8")
    data = cli("assess", "partner-mystery-shopping", "--subject", f"partner:{partner.pk}", "--answers", answers,
               "--as", "quinn", "--json").json()
    assert data["failed_critical"] == ["no_false_promise"] and data["passed"] is False
    nc = Record.objects.get(pk=data["nonconformity"])
    assert nc.process.key == "nonconformity" and nc.process_version.version == 1 and nc.stage == "reported"
    assert nc.values["source"] == "checklist" and nc.customer == partner
    assert f"Assessment {data['id']}" in nc.values["description"]
    assert Assessment.objects.get(pk=data["id"]).nonconformity == nc
    assert Event.objects.get(record=nc, kind="nonconformity_raised").payload["assessment"] == data["id"]

    # reported → analysed → action planned → implemented → effectiveness verified → closed
    steps = [("do", "assess_nonconformity", "quinn"), ("move", "analysed", "quinn"),
             ("do", "root_cause_analysis", "quinn"), ("set", "root_cause=Partner not trained on the new terms", "quinn"),
             ("move", "action_planned", "quinn"), ("do", "approve_action", "hans"),
             ("set", "corrective_action=Train the partner; follow-up visit", "quinn"),
             ("set", "action_due=2027-01-31", "quinn"), ("move", "implemented", "quinn"),
             ("do", "implement_action", "quinn"), ("move", "verified", "quinn"),
             ("do", "verify_effectiveness", "quinn"), ("set", "effectiveness=Follow-up visit passed", "quinn"),
             ("move", "closed", "quinn")]
    for action, argument, user in steps:
        result = cli("record", action, nc.pk, argument, "--as", user)
        assert result.code == 0, (action, argument, result)
    nc.refresh_from_db()
    assert nc.stage == "closed" and nc.outcome == "won"
    assert check_records().ok


def test_an_audit_of_a_record_links_the_nonconformity_to_the_audited_record(cli, quality_people, tmp_path) -> None:
    opportunity = cli("record", "create", "opportunity-management", "--title", "Sampled deal", "--as", "kim",
                      "--json").json()["id"]
    answers = tmp_path / "audit.json"
    answers.write_text(__import__("json").dumps({
        "guideline_current": "yes", "fields_complete": "yes", "activities": "partial", "gates": "no",
        "approvals": "na", "overrides": "na", "timeliness": 3, "classification": "yes"}), encoding="utf-8")
    data = cli("assess", "sales-process-audit", "--subject", f"record:{opportunity}", "--answers", answers,
               "--as", "quinn", "--json").json()
    assert data["failed_critical"] == ["gates"]
    link = RecordLink.objects.get(source_id=opportunity, target_id=data["nonconformity"])
    assert link.kind == "nonconformity"

"""A failed critical question starts a record in the process the checklist ``raises`` (a nonconformity)."""

from __future__ import annotations

from salesflow.quality.models import Assessment
from salesflow.records.models import Event, Record
from tests.quality.conftest import NONCONFORMITY_PROCESS, STORE_VISIT

RAISING = STORE_VISIT.replace("pass_mark: 80\n", "pass_mark: 80\nraises: store-finding\n")
PERFECT = {"greeted": "yes", "needs": "yes", "product": 5, "wrong_price": "yes", "tidy": 4, "brochures": "yes"}


def _load(cli, tmp_path, nonconformity: bool) -> None:
    (tmp_path / "raising.yaml").write_text(RAISING, encoding="utf-8")
    assert cli("checklist", "load", tmp_path / "raising.yaml").code == 0
    if nonconformity:
        (tmp_path / "nc.yaml").write_text(NONCONFORMITY_PROCESS, encoding="utf-8")
        assert cli("process", "load", tmp_path / "nc.yaml").code == 0


def test_failed_critical_question_starts_a_linked_nonconformity(cli, people, partner, answers_file, tmp_path) -> None:
    _load(cli, tmp_path, nonconformity=True)
    answers = answers_file({**PERFECT, "wrong_price": "no"})
    data = cli("assess", "store-visit", "--subject", f"partner:{partner.pk}", "--answers", answers,
               "--as", "quinn", "--json").json()
    assert data["failed_critical"] == ["wrong_price"] and data["passed"] is False
    record = Record.objects.get(pk=data["nonconformity"])
    assert record.process.key == "store-finding" and record.stage == "reported"
    assert "wrong_price" in record.title and record.owner.username == "quinn"
    assert record.customer == partner and record.account == partner.name
    assert "Assessment" in record.values["description"]
    raised = Event.objects.get(record=record, kind="nonconformity_raised")
    assert raised.payload["assessment"] == data["id"] and raised.payload["failed_critical"] == ["wrong_price"]
    recorded = Event.objects.get(kind="assessment_recorded", payload__assessment=data["id"])
    assert recorded.payload["nonconformity"] == record.pk
    assert Assessment.objects.get(pk=data["id"]).nonconformity == record


def test_no_nonconformity_for_a_pass_or_a_low_score_without_critical(cli, people, partner, answers_file,
                                                                     tmp_path) -> None:
    _load(cli, tmp_path, nonconformity=True)
    answers = answers_file({**PERFECT, "greeted": "no", "needs": "no", "brochures": "no"})
    data = cli("assess", "store-visit", "--subject", f"partner:{partner.pk}", "--answers", answers,
               "--as", "quinn", "--json").json()
    assert data["passed"] is False and data["failed_critical"] == []
    assert data["nonconformity"] is None and data["nonconformity_note"] == ""
    assert not Record.objects.filter(process__key="store-finding").exists()


def test_without_a_nonconformity_process_the_assessment_says_so(cli, people, partner, answers_file,
                                                                tmp_path) -> None:
    _load(cli, tmp_path, nonconformity=False)
    answers = answers_file({**PERFECT, "wrong_price": "no"})
    result = cli("assess", "store-visit", "--subject", f"partner:{partner.pk}", "--answers", answers, "--as", "quinn")
    assert result.code == 0, result
    assert "no nonconformity process is installed (process 'store-finding' is not loaded)" in result.out
    assert Assessment.objects.get().nonconformity is None


def test_an_audited_record_links_to_its_nonconformity(cli, people, answers_file, tmp_path) -> None:
    from salesflow.records.services import do_create_record, get_user

    # The default checklist raises in the default library's nonconformity process.
    audited = do_create_record("opportunity-management", get_user("kim"), {"title": "Audited deal", "amount": "10"})
    answers = answers_file({"guideline_current": "yes", "fields_complete": "yes", "activities": "partial",
                            "gates": "no", "approvals": "na", "overrides": "na", "timeliness": 3,
                            "classification": "yes"})
    data = cli("assess", "sales-process-audit", "--subject", f"record:{audited.pk}", "--answers", answers,
               "--as", "quinn", "--json").json()
    # 2 + 2 + 1.5 + 0 + 1 + 1 = 7.5 of 2+2+3+3+2+1 = 13 → 57.7 %; the critical gates question failed.
    assert (data["score_percent"], data["failed_critical"]) == ("57.7", ["gates"])
    link = audited.links_out.get()
    assert link.target_id == data["nonconformity"] and link.kind == "nonconformity"

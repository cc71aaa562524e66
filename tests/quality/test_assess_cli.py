"""Done when: a checklist written outside the project validates and scores exactly through ``salesflow assess``."""

from __future__ import annotations

from salesflow.quality.models import Assessment
from salesflow.records.models import Event


def test_outside_checklist_validates_loads_and_lists(cli, people, store_visit_file) -> None:
    result = cli("checklist", "validate", store_visit_file)
    assert result.code == 0, result
    assert "store-visit v1, 6 questions" in result.out
    result = cli("checklist", "load", store_visit_file)
    assert result.code == 0, result
    assert "store-visit v1 added" in result.out
    assert cli("checklist", "load", store_visit_file).out.strip().endswith("store-visit v1 unchanged")
    listed = {row["checklist"]: row for row in cli("checklist", "list", "--json").json()}
    assert listed["store-visit"]["version"] == 1
    assert listed["store-visit"]["subject"] == "partner"
    # The default checklists are loaded with the library.
    assert {"partner-mystery-shopping", "sales-force-mystery-shopping", "customer-satisfaction",
            "channel-satisfaction", "coaching-observation", "sales-process-audit"} <= set(listed)
    loaded = Event.objects.filter(kind="checklist_version_added", payload__checklist="store-visit").get()
    assert loaded.record_id is None and loaded.payload["version"] == 1


def test_na_scale_and_failed_critical_score_exactly(cli, people, partner, store_visit_file, answers_file) -> None:
    assert cli("checklist", "load", store_visit_file).code == 0
    answers = answers_file({"greeted": "yes", "needs": "partial", "product": 4, "wrong_price": "no",
                            "tidy": 2, "brochures": "na"})
    result = cli("assess", "store-visit", "--subject", f"partner:{partner.pk}", "--answers", answers,
                 "--date", "2026-11-30", "--note", "Visited at 10:00", "--as", "quinn", "--json")
    assert result.code == 0, result
    data = result.json()
    # By hand: weights 2+3+3+1+1.5 = 10.5 (brochures na left out);
    # achieved 2·1 + 3·0.5 + 3·(4−1)/(5−1) + 1·0 + 1.5·(2−1)/(4−1) = 2 + 1.5 + 2.25 + 0 + 0.5 = 6.25;
    # 100 × 6.25 / 10.5 = 59.5238… → 59.5.
    assert data["score_percent"] == "59.5"
    assert data["passed"] is False
    assert data["failed_critical"] == ["wrong_price"]
    assessment = Assessment.objects.get(pk=data["id"])
    assert str(assessment.score_percent) == "59.5"
    assert assessment.checklist.version == 1 and assessment.date.isoformat() == "2026-11-30"
    assert assessment.notes == "Visited at 10:00"
    event = Event.objects.get(seq=assessment.event_seq)
    assert event.kind == "assessment_recorded" and event.record_id is None and event.actor_name == "Quinn"
    assert event.payload["answers"]["product"] == 4 and event.payload["answers"]["brochures"] == "na"
    assert event.payload["score_percent"] == "59.5" and event.payload["failed_critical"] == ["wrong_price"]
    assert event.payload["checklist_version"] == 1 and event.payload["subject"]["id"] == partner.pk
    # No nonconformity process is named or installed: the assessment says so.
    assert "names no process" in data["nonconformity_note"]
    assert cli("audit", "verify").code == 0


def test_below_pass_mark_fails_and_above_passes(cli, people, partner, store_visit_file, answers_file) -> None:
    assert cli("checklist", "load", store_visit_file).code == 0
    # 2+3+1+1.5+2 = 9.5 answered; 2+3+1+1.5+0 = 7.5 → 78.947… → 78.9 < 80: failed, nothing critical.
    below = answers_file({"greeted": "yes", "needs": "yes", "product": "na", "wrong_price": "yes", "tidy": 4,
                          "brochures": "no"}, "below.json")
    data = cli("assess", "store-visit", "--subject", f"partner:{partner.pk}", "--answers", below,
               "--as", "quinn", "--json").json()
    assert (data["score_percent"], data["passed"], data["failed_critical"]) == ("78.9", False, [])
    # 2+3+3·0.5+1+1.5 = 9 of 10.5 (brochures na) → 85.714… → 85.7 ≥ 80: passed.
    above = answers_file({"greeted": "yes", "needs": "yes", "product": 3, "wrong_price": "yes", "tidy": 4,
                          "brochures": "na"}, "above.json")
    result = cli("assess", "store-visit", "--subject", f"partner:{partner.pk}", "--answers", above, "--as", "quinn")
    assert result.code == 0, result
    assert "85.7% passed" in result.out


def test_bad_answers_are_refused_naming_question_and_value(cli, people, partner, store_visit_file,
                                                           answers_file) -> None:
    assert cli("checklist", "load", store_visit_file).code == 0
    before = Event.objects.count()
    bad = answers_file({"greeted": "maybe", "needs": "partial", "product": 6, "wrong_price": "na",
                        "tidy": 2, "colour": "red"})
    result = cli("assess", "store-visit", "--subject", f"partner:{partner.pk}", "--answers", bad, "--as", "quinn")
    assert result.code == 1
    assert "greeted: bad answer 'maybe'" in result.err
    assert "product: bad answer '6' (expected a step 1..5" in result.err
    assert "wrong_price: bad answer 'na' (na is not allowed" in result.err
    assert "brochures: not answered" in result.err
    assert "colour: unknown question" in result.err
    assert Assessment.objects.count() == 0 and Event.objects.count() == before


def test_only_the_responsible_role_may_assess(cli, people, partner, store_visit_file, answers_file) -> None:
    assert cli("checklist", "load", store_visit_file).code == 0
    answers = answers_file({"greeted": "yes", "needs": "yes", "product": 5, "wrong_price": "yes", "tidy": 4,
                            "brochures": "yes"})
    result = cli("assess", "store-visit", "--subject", f"partner:{partner.pk}", "--answers", answers, "--as", "kim")
    assert result.code == 4
    assert "needs the role sales_quality" in result.err
    assert Assessment.objects.count() == 0


def test_bad_subject_and_files_are_refused(cli, people, partner, store_visit_file, answers_file, tmp_path) -> None:
    assert cli("checklist", "load", store_visit_file).code == 0
    answers = answers_file({"greeted": "yes", "needs": "yes", "product": 5, "wrong_price": "yes", "tidy": 4,
                            "brochures": "yes"})
    result = cli("assess", "store-visit", "--subject", "user:quinn", "--answers", answers, "--as", "quinn")
    assert result.code == 1 and "assesses a partner, not a user" in result.err
    result = cli("assess", "store-visit", "--subject", "shop-7", "--answers", answers, "--as", "quinn")
    assert result.code == 1 and "expected KIND:ID" in result.err
    result = cli("assess", "store-visit", "--subject", "partner:999999", "--answers", answers, "--as", "quinn")
    assert result.code == 1 and "unknown account '999999'" in result.err
    broken = tmp_path / "broken.json"
    broken.write_text('{"greeted": "yes",\n  oops}', encoding="utf-8")
    result = cli("assess", "store-visit", "--subject", f"partner:{partner.pk}", "--answers", broken, "--as", "quinn")
    assert result.code == 1 and f"{broken}:2: not valid JSON" in result.err
    result = cli("assess", "store-visit", "--subject", f"partner:{partner.pk}", "--answers", answers,
                 "--date", "2999-01-01", "--as", "quinn")
    assert result.code == 1 and "in the future" in result.err
    result = cli("assess", "no-such", "--subject", f"partner:{partner.pk}", "--answers", answers, "--as", "quinn")
    assert result.code == 1 and "unknown checklist 'no-such'" in result.err
    assert Assessment.objects.count() == 0

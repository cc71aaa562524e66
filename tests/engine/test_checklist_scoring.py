"""Scoring an assessment: the rule of the issue, computed exactly in decimals and rounded half up."""

from __future__ import annotations

from decimal import Decimal

import pytest

from salesflow.engine.scoring import AnswersInvalid, score
from salesflow.process.checklist import parse_valid_checklist


def _checklist(questions: str, pass_mark: str = "80") -> object:
    text = (f"checklist: t\ntitle: T\nversion: 1\nsubject: user\nresponsible: q\npass_mark: {pass_mark}\n"
            f"sections:\n  - id: s\n    title: S\n    questions:\n{questions}")
    return parse_valid_checklist(text).definition


def test_yes_no_partial_and_scale_values() -> None:
    definition = _checklist(
        "      - {id: a, text: A, type: yes_no}\n"
        "      - {id: b, text: B, type: yes_no_partial}\n"
        "      - {id: c, text: C, type: scale, scale: 3}\n")
    result = score(definition, {"a": "yes", "b": "partial", "c": 1})
    assert result.values == {"a": Decimal(1), "b": Decimal("0.5"), "c": Decimal(0)}
    assert result.score_percent == Decimal("50.0")
    assert score(definition, {"a": "no", "b": "yes", "c": 3}).score_percent == Decimal("66.7")


def test_rounding_is_half_up_on_exact_decimals() -> None:
    # 100 × 1 / 16 = 6.25 exactly: half up gives 6.3 (round() on floats would give 6.2).
    definition = _checklist("      - {id: a, text: A, type: yes_no, weight: 1}\n"
                            "      - {id: b, text: B, type: yes_no, weight: 15}\n")
    assert score(definition, {"a": "yes", "b": "no"}).score_percent == Decimal("6.3")


def test_na_leaves_the_question_out_and_all_na_fails() -> None:
    definition = _checklist("      - {id: a, text: A, type: yes_no, weight: 3, na: true}\n"
                            "      - {id: b, text: B, type: scale, scale: 5, weight: 1, na: true}\n", pass_mark="0")
    assert score(definition, {"a": "na", "b": 5}).score_percent == Decimal("100.0")
    everything_na = score(definition, {"a": "na", "b": "na"})
    assert everything_na.score_percent == Decimal("0.0") and everything_na.passed is False


def test_passed_needs_the_mark_and_no_critical_no() -> None:
    definition = _checklist("      - {id: a, text: A, type: yes_no, weight: 9}\n"
                            "      - {id: b, text: B, type: yes_no, weight: 1, critical: true}\n", pass_mark="90")
    assert score(definition, {"a": "yes", "b": "yes"}).passed is True
    at_mark = score(definition, {"a": "yes", "b": "no"})
    assert at_mark.score_percent == Decimal("90.0") and at_mark.passed is False
    assert at_mark.failed_critical == ["b"]
    assert score(_checklist("      - {id: a, text: A, type: yes_no, weight: 9}\n"
                            "      - {id: b, text: B, type: yes_no, weight: 1}\n", pass_mark="90"),
                 {"a": "yes", "b": "no"}).passed is True


def test_every_bad_answer_is_named() -> None:
    definition = _checklist("      - {id: a, text: A, type: yes_no}\n"
                            "      - {id: b, text: B, type: yes_no}\n"
                            "      - {id: c, text: C, type: scale, scale: 4}\n"
                            "      - {id: d, text: D, type: yes_no_partial, na: true}\n")
    with pytest.raises(AnswersInvalid) as refused:
        score(definition, {"a": "partial", "b": "na", "c": True, "e": "yes"})
    assert refused.value.problems == [
        "e: unknown question (questions: a, b, c, d)",
        "a: bad answer 'partial' (expected yes, no)",
        "b: bad answer 'na' (na is not allowed for this question)",
        "c: bad answer 'True' (expected a step 1..4)",
        "d: not answered",
    ]
    assert score(definition, {"a": "YES", "b": " no", "c": "4", "d": "na"}).answers == \
        {"a": "yes", "b": "no", "c": 4, "d": "na"}

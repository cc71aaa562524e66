"""Scoring an assessment against its checklist: a pure function of the definition and the answers.

The rule, exactly:

- yes = 1, no = 0, partial = 0.5 (``yes_no_partial`` questions only), a scale answer k of n = (k − 1)/(n − 1);
- "na" (only where the question says ``na: true``) leaves the question out;
- score % = 100 × Σ weight × value / Σ weight over the questions answered and not "na", rounded to one
  decimal **half up** (``Decimal.quantize(Decimal("0.1"), ROUND_HALF_UP)``, computed exactly in decimals,
  never in binary floating point); with every question "na" the score is 0.0 and the assessment fails;
- **passed** when score ≥ pass_mark and no ``critical`` question is answered "no".

Every question must be answered; refusals (`AnswersInvalid`) name each question id and bad value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from salesflow.engine.errors import BadInput
from salesflow.process.checklist import ChecklistDefinition, Question, QuestionType

YES, NO, PARTIAL, NA = "yes", "no", "partial", "na"
ONE_DECIMAL = Decimal("0.1")


class AnswersInvalid(BadInput):
    """The answers do not fit the checklist; ``problems`` names every question and bad value."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems

    def to_data(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message, "problems": self.problems}


@dataclass(frozen=True)
class Score:
    """The result of scoring: the percentage, the result, and what led to it."""

    score_percent: Decimal
    passed: bool
    failed_critical: list[str]
    answered_weight: Decimal
    achieved_weight: Decimal
    answers: dict[str, str | int] = field(default_factory=dict)
    values: dict[str, Decimal | None] = field(default_factory=dict)

    def to_data(self) -> dict[str, Any]:
        """JSON-ready data (decimals as strings, never floats)."""
        return {
            "score_percent": str(self.score_percent), "passed": self.passed, "failed_critical": self.failed_critical,
            "answered_weight": str(self.answered_weight), "achieved_weight": str(self.achieved_weight),
            "answers": self.answers,
            "values": {key: (None if value is None else str(value)) for key, value in self.values.items()},
        }


def normalise_answer(question: Question, raw: Any) -> str | int:
    """The canonical answer to one question ("yes", "no", "partial", "na" or an integer k); raises ValueError."""
    if question.type == QuestionType.scale:
        if isinstance(raw, str) and raw.strip().lower() == NA:
            answer: str | int = NA
        elif isinstance(raw, bool):
            raise ValueError(f"expected a step 1..{question.scale}")
        elif isinstance(raw, int) or (isinstance(raw, str) and raw.strip().isdigit()):
            answer = int(raw)
            if not 1 <= answer <= (question.scale or 0):
                raise ValueError(f"expected a step 1..{question.scale}")
        else:
            raise ValueError(f"expected a step 1..{question.scale}" + (" or na" if question.na else ""))
    else:
        allowed = [YES, NO, PARTIAL] if question.type == QuestionType.yes_no_partial else [YES, NO]
        answer = raw.strip().lower() if isinstance(raw, str) else ""
        if answer not in (*allowed, NA):
            raise ValueError("expected " + ", ".join(allowed) + (" or na" if question.na else ""))
    if answer == NA and not question.na:
        raise ValueError("na is not allowed for this question")
    return answer


def answer_value(question: Question, answer: str | int) -> Decimal | None:
    """The value 0..1 of a canonical answer (None for "na")."""
    if answer == NA:
        return None
    if question.type == QuestionType.scale:
        return Decimal(int(answer) - 1) / Decimal((question.scale or 2) - 1)
    return {YES: Decimal(1), NO: Decimal(0), PARTIAL: Decimal("0.5")}[str(answer)]


def score(definition: ChecklistDefinition, answers: dict[str, Any]) -> Score:
    """Score ``answers`` (question id → answer) against ``definition``; raises `AnswersInvalid`."""
    if not isinstance(answers, dict):
        raise AnswersInvalid(["answers must map question ids to answers"])
    problems: list[str] = []
    questions = definition.questions()
    known = {question.id for question in questions}
    for key in answers:
        if key not in known:
            problems.append(f"{key}: unknown question (questions: {', '.join(sorted(known))})"[:500])
    canonical: dict[str, str | int] = {}
    for question in questions:
        if question.id not in answers or answers[question.id] in (None, ""):
            problems.append(f"{question.id}: not answered")
            continue
        raw = answers[question.id]
        try:
            canonical[question.id] = normalise_answer(question, raw)
        except ValueError as error:
            problems.append(f"{question.id}: bad answer {str(raw)[:100]!r} ({error})")
    if problems:
        raise AnswersInvalid(problems)
    answered = Decimal(0)
    achieved = Decimal(0)
    values: dict[str, Decimal | None] = {}
    failed_critical = []
    for question in questions:
        answer = canonical[question.id]
        value = answer_value(question, answer)
        values[question.id] = value
        if value is None:
            continue
        answered += question.weight
        achieved += question.weight * value
        if question.critical and answer == NO:
            failed_critical.append(question.id)
    percent = (Decimal(100) * achieved / answered) if answered else Decimal(0)
    percent = percent.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)
    passed = bool(answered) and percent >= definition.pass_mark and not failed_critical
    return Score(score_percent=percent, passed=passed, failed_critical=failed_critical, answered_weight=answered,
                 achieved_weight=achieved, answers=canonical, values=values)

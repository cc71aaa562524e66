"""RACI on records: Consulted roles are asked from the record and answer; Informed roles are notified (issue 12.3)."""

from __future__ import annotations

import pytest

from salesflow.engine.errors import BadInput, Conflict, NotPermitted
from salesflow.records import services
from salesflow.records.models import Consultation, Event, Notification

pytestmark = pytest.mark.django_db


def _notes(user, kind: str) -> list[Notification]:
    return list(Notification.objects.filter(user=user, kind=kind))


def test_the_responsible_role_asks_a_consulted_role_who_is_notified(people, record) -> None:
    request = services.do_consult(record.pk, people["kam"], "risk_analysis", "sales_support", "Any delivery risk?")
    assert (request.role, request.question, request.is_open) == ("sales_support", "Any delivery risk?", True)
    event = Event.objects.filter(record_id=record.pk, kind="consultation_requested").get()
    assert (event.activity, event.role, event.payload) == (
        "risk_analysis", "kam", {"consulted": "sales_support", "question": "Any delivery risk?"})
    [note] = _notes(people["support"], "consultation_requested")
    assert "Any delivery risk?" in note.text("en") and "Ihr Rat ist gefragt" in note.text("de")
    assert _notes(people["kam"], "consultation_requested") == []  # the asker is not notified


def test_the_consulted_role_answers_and_the_asker_is_notified(people, record) -> None:
    services.do_consult(record.pk, people["kam"], "risk_analysis", "sales_support")
    answered = services.do_answer_consultation(record.pk, people["support"], "risk_analysis", None, "Lead time 12 weeks")
    answered.refresh_from_db()
    assert (answered.answer, answered.answered_by_id, answered.is_open) == ("Lead time 12 weeks", people["support"].pk,
                                                                            False)
    event = Event.objects.filter(record_id=record.pk, kind="consultation_answered").get()
    assert (event.role, event.payload["answer"]) == ("sales_support", "Lead time 12 weeks")
    [note] = _notes(people["kam"], "consultation_answered")
    assert "Lead time 12 weeks" in note.text("en")
    # Once answered, the role may be asked again.
    services.do_consult(record.pk, people["kam"], "risk_analysis", "sales_support", "And the price?")
    assert Consultation.objects.filter(record=record, answered_at__isnull=True).count() == 1


def test_refusals_change_nothing(people, record) -> None:
    services.do_consult(record.pk, people["kam"], "risk_analysis", "sales_support")
    version = services.get_record(record.pk).version
    with pytest.raises(Conflict):  # asked already, not answered yet
        services.do_consult(record.pk, people["kam"], "risk_analysis", "sales_support")
    with pytest.raises(BadInput) as not_consulted:
        services.do_consult(record.pk, people["kam"], "risk_analysis", "head_of_sales")
    assert "consulted roles: internal, sales_support" in not_consulted.value.message
    with pytest.raises(NotPermitted):  # only who does the activity asks
        services.do_consult(record.pk, people["support"], "customer_workshop", "head_of_sales")
    with pytest.raises(NotPermitted):  # the owner answers for no role he does not hold
        services.do_answer_consultation(record.pk, people["kam"], "risk_analysis", "sales_support", "I know it")
    with pytest.raises(Conflict):  # nothing asked of the Head of Sales here
        services.do_answer_consultation(record.pk, people["head"], "risk_analysis", None, "No idea")
    with pytest.raises(BadInput):
        services.do_answer_consultation(record.pk, people["support"], "risk_analysis", None, "   ")
    assert services.get_record(record.pk).version == version
    assert Consultation.objects.filter(record=record).count() == 1
    assert Event.objects.filter(record_id=record.pk, kind__startswith="consultation").count() == 1


def test_a_done_activity_is_not_asked_about(people, record) -> None:
    services.do_complete_activity(record.pk, people["kam"], "risk_analysis")
    with pytest.raises(Conflict):
        services.do_consult(record.pk, people["kam"], "risk_analysis", "sales_support")


def test_informed_roles_are_notified_when_the_activity_is_done(people, record) -> None:
    # failure_communicated (Lost): responsible Key Account Manager, informed Head of Sales
    services.do_complete_activity(record.pk, people["kam"], "failure_communicated")
    [note] = _notes(people["head"], "activity_done")
    assert note.record_id == record.pk and "Internal communication of the failure" in note.text("en")
    assert "Interne Kommunikation des Misserfolgs" in note.text("de")
    assert _notes(people["kam"], "activity_done") == [] and _notes(people["support"], "activity_done") == []


def test_an_activity_without_informed_roles_notifies_nobody(people, record) -> None:
    services.do_complete_activity(record.pk, people["kam"], "risk_analysis")
    assert not Notification.objects.filter(kind="activity_done").exists()

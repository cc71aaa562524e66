"""Read acknowledgements: recorded once per version; a process may require a current one before acting."""

from __future__ import annotations

import pytest

from salesflow.engine.errors import Conflict, NotPermitted
from salesflow.guidelines import services
from salesflow.records import services as records
from salesflow.records.models import Acknowledgement, Event
from tests.guidelines.conftest import CURRENT, NEXT, PROCESS, version_text

pytestmark = pytest.mark.django_db


def test_acknowledging_records_it_once_with_an_event(cast) -> None:
    first = services.do_acknowledge(PROCESS, cast.kam)
    again = services.do_acknowledge(PROCESS, cast.kam)
    assert first.pk == again.pk and first.process_version.version == CURRENT
    assert Acknowledgement.objects.filter(user=cast.kam).count() == 1
    assert Event.objects.filter(kind="guideline_acknowledged", actor_id=cast.kam.pk).count() == 1


def test_only_approved_versions_are_acknowledged(cast) -> None:
    services.do_propose_version(version_text(NEXT), cast.author)
    with pytest.raises(Conflict):
        services.do_acknowledge(PROCESS, cast.kam, NEXT)


def test_required_acknowledgement_gates_creating_and_acting(cast) -> None:
    record = records.do_create_record(PROCESS, cast.kam, {"title": "Before the setting"})
    with pytest.raises(NotPermitted):
        services.do_set_acknowledgement_required(PROCESS, True, cast.kam)  # not the responsible role
    services.do_set_acknowledgement_required(PROCESS, True, cast.head)

    with pytest.raises(NotPermitted, match="acknowledge"):
        records.do_create_record(PROCESS, cast.kam, {"title": "Blocked"})
    with pytest.raises(NotPermitted, match=f"version {CURRENT}"):
        records.do_complete_activity(record.pk, cast.kam, "risk_analysis")

    services.do_acknowledge(PROCESS, cast.kam)
    records.do_complete_activity(record.pk, cast.kam, "risk_analysis")
    records.do_create_record(PROCESS, cast.kam, {"title": "Allowed"})

    # a newly approved version needs a new acknowledgement
    services.do_propose_version(version_text(NEXT), cast.author)
    services.do_submit_for_review(PROCESS, NEXT, cast.author)
    services.do_approve_version(PROCESS, NEXT, cast.head)
    with pytest.raises(NotPermitted, match=f"version {NEXT}"):
        records.do_complete_activity(record.pk, cast.kam, "customer_workshop")
    services.do_acknowledge(PROCESS, cast.kam)
    records.do_complete_activity(record.pk, cast.kam, "customer_workshop")


def test_a_recorded_training_counts_as_acknowledgement(cast) -> None:
    services.do_set_acknowledgement_required(PROCESS, True, cast.author)
    with pytest.raises(NotPermitted):
        services.do_record_training(PROCESS, cast.kam, cast.kam)
    services.do_record_training(PROCESS, cast.kam, cast.author, note="Onboarding session")
    records.do_create_record(PROCESS, cast.kam, {"title": "After training"})

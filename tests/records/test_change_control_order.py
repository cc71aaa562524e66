"""Changing a confirmed order re-opens the review of requirements (ISO 9001 8.2.4) and notifies the roles."""

from __future__ import annotations

from typing import Any

import pytest

from salesflow.engine.errors import Unmet
from salesflow.records import services
from salesflow.records.models import Event, Notification


def _confirmed_order(people: dict[str, Any]) -> Any:
    order = services.do_create_record("t-order", people["kam"], {"title": "Order 4711", "amount": "1000",
                                                                 "products": "3 batteries"})
    services.do_complete_activity(order.pk, people["support"], "requirements_review")
    return services.do_move(order.pk, people["kam"], "confirmed")


def test_a_change_after_confirmation_reopens_the_review(chain: dict[str, Any]) -> None:
    order = _confirmed_order(chain)
    order = services.do_set_fields(order.pk, chain["kam"], {"products": "4 batteries"})
    assert "requirements_review" not in order.progress["done"]
    event = Event.objects.get(record=order, kind="review_reopened")
    assert event.payload["fields"] == ["products"] and event.payload["activities"] == ["requirements_review"]
    assert Notification.objects.filter(record=order, kind="review_reopened", user=chain["support"]).exists()
    assert not Notification.objects.filter(record=order, user=chain["kam"]).exists()  # the one who changed it
    with pytest.raises(Unmet) as refused:
        services.do_move(order.pk, chain["kam"], "in_fulfilment")
    assert [item.id for item in refused.value.items] == ["requirements_review"]
    services.do_complete_activity(order.pk, chain["support"], "requirements_review")
    assert services.do_move(order.pk, chain["kam"], "in_fulfilment").stage == "in_fulfilment"


def test_fields_outside_change_control_and_changes_before_confirmation_reopen_nothing(chain: dict[str, Any]) -> None:
    order = services.do_create_record("t-order", chain["kam"], {"title": "Order 4712", "amount": "1000"})
    services.do_complete_activity(order.pk, chain["support"], "requirements_review")
    services.do_set_fields(order.pk, chain["kam"], {"amount": "1200"})
    order = services.do_move(order.pk, chain["kam"], "confirmed")
    order = services.do_set_fields(order.pk, chain["kam"], {"title": "Order 4712 (renamed)"})
    assert "requirements_review" in order.progress["done"]
    assert not Event.objects.filter(kind="review_reopened").exists()

"""The "Recompute ABC segmentation" form of the account list: Head of Sales and Sales Ops recompute and see
the summary; everyone else sees no form and is refused (403); bad input is named and changes nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from salesflow.accounts.models import Account
from salesflow.people.services import do_add_user
from salesflow.records import services
from salesflow.records.models import Event, Record

pytestmark = pytest.mark.django_db


def _won(owner: Any, account: Account, amount: str) -> None:
    record = services.do_create_record("opportunity-management", owner, {"title": f"Deal {amount}", "amount": amount},
                                       customer_id=account.pk)
    Record.objects.filter(pk=record.pk).update(outcome="won", stage="won",
                                               closed_at=timezone.now() - datetime.timedelta(days=2))


@pytest.fixture
def world(people: dict[str, Any]) -> dict[str, Any]:
    """Big (900 won), Mid (80), Small (20), Idle (nothing won); a Sales Ops user."""
    now = timezone.now()
    accounts = {name: Account.objects.create(name=name, created_at=now) for name in ("Big", "Mid", "Small", "Idle")}
    for name, amount in (("Big", "900"), ("Mid", "80"), ("Small", "20")):
        _won(people["kam"], accounts[name], amount)
    ops = do_add_user("ops", ["sales_ops"], [], password="ops-password-1")
    return {**people, "ops": ops, **accounts}


def _segments() -> dict[str, str]:
    return dict(Account.objects.values_list("name", "segment"))


def _nothing_changed() -> bool:
    return (set(_segments().values()) == {""} and not Account.objects.filter(segmented_at__isnull=False).exists()
            and not Event.objects.filter(kind="accounts_segmented").exists())


@pytest.mark.parametrize("who", ["head", "ops"])
def test_head_of_sales_and_sales_ops_recompute_and_see_the_summary(world, client_for, who) -> None:
    client = client_for(world[who])
    page = client.get(reverse("customers"))
    assert page.context["segmentation_form"] is not None
    assert f'action="{reverse("customer_segmentation")}"' in page.content.decode()

    response = client.post(reverse("customer_segmentation"), {"window_days": "30", "a_share": "80",
                                                               "b_share": "95"}, follow=True)
    assert response.redirect_chain == [(reverse("customers"), 302)]
    # 1000 in total: Big 900 (0 % before) A; Mid 80 (90 % before) B; Small 20 (98 %) C; Idle C
    assert _segments() == {"Big": "A", "Mid": "B", "Small": "C", "Idle": "C"}
    assert Account.objects.get(name="Big").segment_window_days == 30
    assert Account.objects.get(name="Big").segment_revenue == Decimal("900")
    assert Event.objects.filter(kind="accounts_segmented").count() == 1
    html = response.content.decode()
    assert "4 accounts segmented on won revenue" in html and "A 1, B 1, C 2; 4 changed." in html
    row = next(account for account in response.context["accounts"] if account.name == "Big")
    assert row.segment == "A"


@pytest.mark.parametrize("who", ["kam", "bid", "auditor"])
def test_others_see_no_form_and_are_refused(world, client_for, who) -> None:
    client = client_for(world[who])
    page = client.get(reverse("customers"))
    assert page.status_code == 200 and page.context["segmentation_form"] is None
    assert reverse("customer_segmentation") not in page.content.decode()
    refused = client.post(reverse("customer_segmentation"), {"window_days": "365", "a_share": "80", "b_share": "95"})
    assert refused.status_code == 403 and _nothing_changed()


@pytest.mark.parametrize(("posted", "field", "message"), [
    ({"window_days": "0", "a_share": "80", "b_share": "95"}, "window_days", "greater than or equal to 1"),
    ({"window_days": "99999", "a_share": "80", "b_share": "95"}, "window_days", "less than or equal to 36500"),
    ({"window_days": "365", "a_share": "95", "b_share": "80"}, "b_share", "must be above the A threshold"),
    ({"window_days": "365", "a_share": "80", "b_share": "80"}, "b_share", "must be above the A threshold"),
    ({"window_days": "365", "a_share": "0", "b_share": "95"}, "a_share", "greater than or equal to 0.01"),
    ({"window_days": "365", "a_share": "lots", "b_share": "95"}, "a_share", "Enter a number"),
])
def test_bad_input_is_named_and_changes_nothing(world, client_for, posted, field, message) -> None:
    response = client_for(world["head"]).post(reverse("customer_segmentation"), posted)
    assert response.status_code == 400
    form = response.context["segmentation_form"]
    assert message in " ".join(form.errors[field])
    assert message in response.content.decode()
    assert _nothing_changed()


def test_german_message_for_thresholds_in_the_wrong_order(world, client_for) -> None:
    client = client_for(world["head"])
    client.post(reverse("set_language"), {"language": "de", "next": "/"})
    response = client.post(reverse("customer_segmentation"), {"window_days": "365", "a_share": "95", "b_share": "80"})
    assert response.status_code == 400
    assert "Die B-Schwelle muss über der A-Schwelle" in response.content.decode() and _nothing_changed()


def test_the_form_needs_the_csrf_token(world) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["head"])
    response = client.post(reverse("customer_segmentation"), {"window_days": "365", "a_share": "80", "b_share": "95"})
    assert response.status_code == 403 and _nothing_changed()


def test_only_post_recomputes(world, client_for) -> None:
    assert client_for(world["head"]).get(reverse("customer_segmentation")).status_code == 405
    assert _nothing_changed()

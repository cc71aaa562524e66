"""The pipeline board: a column per stage with count, total and weighted amount; days in stage; a capped card list."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from salesflow.records import services
from salesflow.records.models import Record
from salesflow.web.views.board import CARDS_PER_COLUMN

pytestmark = pytest.mark.django_db


def _column(response, stage: str) -> dict:
    return next(column for column in response.context["columns"] if column["id"] == stage)


def test_columns_sum_counts_totals_and_weighted_amounts(people, client_for) -> None:
    kam = people["kam"]
    for amount in ("100000", "50000"):
        services.do_create_record("opportunity-management", kam, {"title": f"Deal {amount}", "amount": amount})
    overridden = services.do_create_record("opportunity-management", kam, {"title": "Sure deal", "amount": "10000"})
    services.do_set_probability(overridden.pk, kam, 90, "Signed letter of intent")
    response = client_for(kam).get(reverse("board"))
    column = _column(response, "qualification")
    assert column["count"] == 3
    assert column["total"] == Decimal("160000")
    assert column["weighted"] == Decimal("150000") * 10 / 100 + Decimal("10000") * 90 / 100
    assert [c["id"] for c in response.context["columns"]] == [
        "qualification", "solution_design", "proposal", "negotiation", "won", "lost"]
    html = response.content.decode()
    assert "Sure deal" in html and "badge-internal" in html and "Kai Becker" in html


def test_days_in_stage_turn_red_past_the_limit(people, client_for) -> None:
    old = services.do_create_record("opportunity-management", people["kam"], {"title": "Stale deal"},
                                    at=timezone.now() - datetime.timedelta(days=40))
    services.do_create_record("opportunity-management", people["kam"], {"title": "Fresh deal"})
    response = client_for(people["kam"]).get(reverse("board"))
    cards = {card["title"]: card for card in _column(response, "qualification")["cards"]}
    assert cards["Stale deal"]["days"] == 40 and cards["Stale deal"]["overdue"]
    assert not cards["Fresh deal"]["overdue"]
    assert f'id="card-{old.pk}"' in response.content.decode()
    assert "deal deal-overdue" in response.content.decode()


def test_columns_show_at_most_n_cards_and_link_to_the_list(people, client_for) -> None:
    for number in range(CARDS_PER_COLUMN + 3):
        services.do_create_record("opportunity-management", people["kam"], {"title": f"Deal {number}"})
    response = client_for(people["kam"]).get(reverse("board"))
    column = _column(response, "qualification")
    assert column["count"] == CARDS_PER_COLUMN + 3
    assert len(column["cards"]) == CARDS_PER_COLUMN and column["more"] == 3
    assert "stage=qualification" in column["list_url"] and "3 more…" in response.content.decode()


def test_outcome_columns_show_recently_closed_records(people, client_for) -> None:
    record = services.do_create_record("opportunity-management", people["kam"], {"title": "Lost one", "amount": "5"})
    services.do_complete_activity(record.pk, people["kam"], "customer_informed")
    services.do_move(record.pk, people["head"], "lost")
    response = client_for(people["kam"]).get(reverse("board"))
    assert _column(response, "lost")["count"] == 1
    assert _column(response, "qualification")["count"] == 0
    Record.objects.filter(pk=record.pk).update(closed_at=timezone.now() - datetime.timedelta(days=90))
    assert _column(client_for(people["kam"]).get(reverse("board")), "lost")["count"] == 0


def test_board_filters_by_owner(people, client_for) -> None:
    services.do_create_record("opportunity-management", people["kam"], {"title": "Kai's deal"})
    services.do_create_record("opportunity-management", people["kam2"], {"title": "Lena's deal"})
    html = client_for(people["head"]).get(reverse("board"), {"owner": "kam2"}).content.decode()
    assert "Lena&#x27;s deal" in html and "Kai&#x27;s deal" not in html

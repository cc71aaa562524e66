"""Fixtures of the sales-process-management tests (issue 15, points 4-6): the people of the records tests plus
an assessor (sales_quality), channel partners, and a helper that assesses with the default checklists."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from tests.analytics.conftest import cli  # noqa: F401 - the ``cli`` fixture
from tests.records.conftest import add_people


@pytest.fixture
def people(db: None) -> dict[str, Any]:
    """`tests.records.conftest.PEOPLE` plus ``quality`` (Sales process quality & audit)."""
    from salesflow.people.services import do_add_user

    found = add_people()
    found["quality"] = do_add_user("quality", ["sales_quality"], first_name="Quentin", last_name="Vogel")
    return found


@pytest.fixture
def partners(people: dict[str, Any]) -> dict[str, Any]:
    """Two channel partners (tier, region) and one customer account."""
    from salesflow.accounts.models import Account
    from salesflow.accounts.partners import do_set_partner

    now = timezone.now()
    nord = do_set_partner(Account.objects.create(name="Fachhandel Nord GmbH", created_at=now), "Gold", "North")
    sued = do_set_partner(Account.objects.create(name="Systemhaus Süd AG", created_at=now), "Silver", "South")
    customer = Account.objects.create(name="Alpen Solar GmbH", created_at=now)
    return {"nord": nord, "sued": sued, "customer": customer}


@pytest.fixture
def assess(people: dict[str, Any]) -> Callable[..., Any]:
    """``assess(checklist, subject, answers, "2026-01-10")``: an assessment by ``quality`` on that day."""
    from salesflow.quality.services import do_assess

    def run(checklist: str, subject: str, answers: dict[str, Any], day: str) -> Any:
        date = datetime.date.fromisoformat(day)
        at = datetime.datetime.combine(date, datetime.time(10), tzinfo=datetime.UTC)
        return do_assess(checklist, people["quality"], subject, answers, date=date, at=at)

    return run


#: Partner mystery shopping answered "yes" throughout (score 100).
PARTNER_ALL_YES = {"greeted": "yes", "needs": "yes", "product": 5, "company": "yes", "material": "yes",
                   "published_price": "yes", "no_false_promise": "yes", "next_step": "yes"}
#: Partner mystery shopping at 62.5: weights 2+3+2+1+1+2+1 = 12 (product na); 0 + 1.5 + 2 + 1 + 1 + 2 + 0 = 7.5.
PARTNER_62_5 = {"greeted": "no", "needs": "partial", "product": "na", "company": "yes", "material": "yes",
                "published_price": "yes", "no_false_promise": "yes", "next_step": "no"}
#: Sales-force mystery shopping at 86.5: weights 2+3+3+2+1+2 = 13 (process na);
#: 2 + 3 + 3·(4−1)/(5−1) + 2 + 1 + 1 = 11.25 → 86.538…
REP_86_5 = {"response_time": "yes", "needs": "yes", "product": 4, "company": "yes", "published_price": "yes",
            "process": "na", "follow_up": "partial"}


def pytest_configure(config: pytest.Config) -> None:
    # ibis 12 calls DuckDB's fetch_arrow_table(), deprecated since DuckDB 1.4: noise, not a failure.
    config.addinivalue_line("filterwarnings", "ignore:fetch_arrow_table\\(\\) is deprecated:DeprecationWarning")

"""Hand-built sales chains for the chain reports: small processes of every record kind (no hand-offs, so
independent of the default library and of the engine's hand-off work), records moved through the services
at fixed times, and links created as the hand-offs create them.

Times: ``day(n)`` of `tests.analytics.build` (noon UTC, n days after 2027-01-04).
"""

from __future__ import annotations

from typing import Any

from salesflow.process.validate import validate_texts
from salesflow.records import services
from salesflow.records.models import RecordLink
from tests.analytics.build import day

ROLES = """
roles:
  kam: {title: Key Account Manager}
  head_of_sales: {title: Head of Sales}
"""

LEAD = """
process: a-lead
title: Analytics test leads
version: 1
record: lead
guideline: {responsible: head_of_sales, status: approved}
""" + ROLES + """
fields:
  source: {type: choice, choices: [fair, web, referral]}
  tags: {type: text}
stages:
  - {id: new, probability: 0, max_days: 5}
  - {id: qualified, probability: 20}
  - {id: converted, probability: 100, outcome: won}
  - {id: disqualified, probability: 0, outcome: lost}
"""

OPPORTUNITY = """
process: a-opp
title: Analytics test opportunities
version: 1
record: opportunity
guideline: {responsible: head_of_sales, status: approved}
""" + ROLES + """
fields:
  type: {type: choice, choices: [new_business, stabilisation]}
stages:
  - {id: open, probability: 30, forecast_category: pipeline}
  - {id: closing, probability: 80, forecast_category: commit}
  - {id: won, probability: 100, outcome: won}
  - {id: lost, probability: 0, outcome: lost}
"""

ORDER = """
process: a-order
title: Analytics test orders
version: 1
record: order
guideline: {responsible: head_of_sales, status: approved}
""" + ROLES + """
fields:
  quantity: {type: integer}
stages:
  - {id: created, probability: 100}
  - {id: confirmed, probability: 100}
  - {id: invoiced, probability: 100, outcome: won}
  - {id: cancelled, probability: 0, outcome: lost}
"""

CONTRACT = """
process: a-contract
title: Analytics test contracts
version: 1
record: contract
guideline: {responsible: head_of_sales, status: approved}
""" + ROLES + """
fields:
  end_date: {type: date}
  auto_renew: {type: boolean}
stages:
  - {id: active, probability: 100}
  - {id: renewal_due, probability: 100}
  - {id: renewed, probability: 100, outcome: won}
  - {id: terminated, probability: 0, outcome: lost}
  - {id: expired, probability: 0, outcome: lost}
"""

TEXTS = {"a-lead.yaml": LEAD, "a-opp.yaml": OPPORTUNITY, "a-order.yaml": ORDER, "a-contract.yaml": CONTRACT}


def load_processes() -> None:
    """Validate and load the four test processes."""
    valid, problems = validate_texts(list(TEXTS.items()))
    assert not problems, [str(problem) for problem in problems]
    for parsed in valid:
        services.do_load_process(parsed)


class Chain:
    """Creates, moves and links records of the test processes as ``head`` at fixed days."""

    def __init__(self, people: dict[str, Any]) -> None:
        self.people = people

    def create(self, process: str, at: float, owner: str = "kam", **fields: Any) -> int:
        """A new record of ``a-<process>`` on day ``at``; returns its id."""
        values = {"title": f"{process} of {owner} on day {at}", "owner": owner, **fields}
        return services.do_create_record(f"a-{process}", self.people["head"], values, at=day(at)).pk

    def move(self, record_id: int, stage: str, at: float) -> int:
        services.do_move(record_id, self.people["head"], stage, at=day(at))
        return record_id

    def link(self, source: int, target: int, kind: str, at: float) -> None:
        """A hand-off link from ``source`` to ``target`` created on day ``at`` (as the hand-off does)."""
        RecordLink.objects.create(source_id=source, target_id=target, kind=kind, handoff=f"create_{kind}",
                                  created_at=day(at))

    def lead(self, at: float, source: str | None = None, owner: str = "kam") -> int:
        return self.create("lead", at, owner, **({"source": source} if source else {}))

    def convert(self, lead: int, at: float, amount: str = "100000", owner: str = "kam") -> int:
        """Convert a lead on day ``at``: the lead is won and its opportunity created and linked."""
        self.move(lead, "converted", at)
        opportunity = self.create("opp", at, owner, amount=amount, type="new_business", close_date="2027-03-31")
        self.link(lead, opportunity, "opportunity", at)
        return opportunity

    def order(self, opportunity: int, at: float, amount: str = "100000") -> int:
        """Win an opportunity on day ``at``: its order is created and linked."""
        self.move(opportunity, "won", at)
        order = self.create("order", at, amount=amount, quantity=3)
        self.link(opportunity, order, "order", at)
        return order

"""Small processes chained by hand-offs, schedules and change control (independent of the default library)."""

from __future__ import annotations

from typing import Any

from salesflow.process.validate import validate_texts
from salesflow.records.services import do_load_process

ROLES = """
roles:
  kam: {title: Key Account Manager}
  head_of_sales: {title: Head of Sales}
  sales_support: {title: Sales Support}
"""

LEAD = """
process: t-lead
title: Test leads
version: 1
record: lead
guideline: {responsible: head_of_sales, status: approved}
""" + ROLES + """
fields:
  company: {type: text}
  email: {type: email}
  first_name: {type: text}
  last_name: {type: text}
  budget: {type: money}
stages:
  - {id: new, probability: 0}
  - id: qualified
    probability: 10
    gate: {requires: {fields: [company]}}
  - id: converted
    probability: 100
    outcome: won
    handoffs:
      - id: create_opportunity
        title: {en: Create the opportunity, de: Opportunity anlegen}
        process: t-opp
        link: opportunity
        fields: {amount: budget, kind: "=new_business"}
        account: {name: company, domain: email}
        contact: {first_name: first_name, last_name: last_name, email: email}
  - {id: disqualified, probability: 0, outcome: lost}
"""

OPPORTUNITY = """
process: t-opp
title: Test opportunities
version: 1
record: opportunity
guideline: {responsible: head_of_sales, status: approved, depends_on: [t-lead]}
""" + ROLES + """
fields:
  kind: {type: choice, choices: [new_business, stabilisation]}
stages:
  - {id: qualification, probability: 10}
  - {id: proposal, probability: 50}
  - id: won
    probability: 100
    outcome: won
    handoffs:
      - {id: create_order, title: Create the order, process: t-order, link: order, fields: {amount: amount}}
  - {id: lost, probability: 0, outcome: lost}
"""

ORDER = """
process: t-order
title: Test orders
version: 1
record: order
guideline: {responsible: head_of_sales, status: approved}
""" + ROLES + """
fields:
  products: {type: text}
stages:
  - id: created
    probability: 100
    activities:
      - {id: requirements_review, title: Review the requirements, responsible: sales_support, required: true}
  - id: confirmed
    probability: 100
    gate: {requires: {activities: [requirements_review]}}
  - id: in_fulfilment
    probability: 100
    gate: {requires: {activities: [requirements_review]}}
  - {id: invoiced, probability: 100, outcome: won}
  - {id: cancelled, probability: 0, outcome: lost}
change_control:
  - {from_stage: confirmed, fields: [amount, products], reopen: [requirements_review], notify: [sales_support]}
"""

CONTRACT = """
process: t-contract
title: Test contracts
version: 1
record: contract
guideline: {responsible: head_of_sales, status: approved}
linked_from: [t-opp]
""" + ROLES + """
fields:
  end_date: {type: date}
  notice_period_days: {type: integer, default: 90}
  submission_deadline: {type: date}
stages:
  - {id: active, probability: 100}
  - id: renewal_due
    probability: 100
    handoffs:
      - {id: create_renewal, title: Create the renewal opportunity, process: t-opp, link: renewal,
         fields: {kind: "=stabilisation"}}
  - {id: renewed, probability: 100, outcome: won}
  - {id: terminated, probability: 0, outcome: lost}
schedules:
  - id: renewal_window
    title: {en: Renewal window opens, de: Verlängerungsfenster öffnet}
    stages: [active]
    date_field: end_date
    minus_days_field: notice_period_days
    days_before: [60]
    move_to: renewal_due
    notify: [head_of_sales]
  - id: deadline
    stages: [active]
    date_field: submission_deadline
    days_before: [7, 2]
    notify: [sales_support]
    breach: true
"""

TEXTS = {"t-lead.yaml": LEAD, "t-opp.yaml": OPPORTUNITY, "t-order.yaml": ORDER, "t-contract.yaml": CONTRACT}


def load_chain() -> dict[str, Any]:
    """Validate and load the four test processes (raises on any problem)."""
    valid, problems = validate_texts(list(TEXTS.items()), known_processes=())
    assert not problems, [str(problem) for problem in problems]
    return {parsed.definition.process: do_load_process(parsed) for parsed in valid}

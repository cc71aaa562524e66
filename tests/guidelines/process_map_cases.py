"""Small process definitions for the process-map tests: a chain with hand-offs, a cycle, a link, a dependency,
a supporting process underneath and a hand-off to a process outside the set (independent of the default library)."""

from __future__ import annotations

from salesflow.process.model import ProcessDefinition
from salesflow.process.validate import parse_text

ROLES = """
roles:
  kam: {title: {en: Key Account Manager, de: Key Account Manager}}
  head_of_sales: {title: {en: Head of Sales, de: Vertriebsleiter}}
  sales_support: {title: {en: Sales Support, de: Vertriebsinnendienst}}
"""

LEAD = """
process: m-lead
title: {en: Map leads, de: Karten-Leads}
version: 1
record: lead
guideline:
  responsible: kam
  inputs: [{en: Enquiry or event contact, de: Anfrage oder Messekontakt}]
  outputs: [{en: Qualified lead, de: Qualifizierter Lead}]
""" + ROLES + """
fields:
  company: {type: text, title: {en: Company, de: Firma}}
  email: {type: email, title: {en: E-mail, de: E-Mail}}
  budget: {type: money, title: {en: Budget, de: Budget}}
stages:
  - {id: new, probability: 0}
  - id: converted
    title: {en: Converted, de: Konvertiert}
    probability: 100
    outcome: won
    handoffs:
      - id: create_opportunity
        title: {en: Create the opportunity, de: Opportunity anlegen}
        process: m-opp
        fields: {title: title, amount: budget, kind: "=new_business"}
        account: {name: company, domain: email}
        contact: {email: email}
  - {id: disqualified, probability: 0, outcome: lost}
"""

OPPORTUNITY = """
process: m-opp
title: {en: Map opportunities, de: Karten-Opportunities}
version: 1
record: opportunity
guideline:
  responsible: head_of_sales
  depends_on: [m-lead]
  inputs: [{en: Qualified lead, de: Qualifizierter Lead}]
  outputs: [{en: Won opportunity, de: Gewonnene Opportunity}]
""" + ROLES + """
fields:
  kind: {type: choice, choices: [new_business, stabilisation], title: {en: Type, de: Art}}
stages:
  - {id: qualification, probability: 10}
  - id: won
    title: {en: Won, de: Gewonnen}
    probability: 100
    outcome: won
    handoffs:
      - {id: create_order, title: {en: Create the order, de: Auftrag anlegen}, process: m-order,
         fields: {amount: amount}}
      - {id: create_contract, title: {en: Create the contract, de: Vertrag anlegen}, process: m-contract}
      - {id: notify_finance, title: {en: Notify finance, de: Finanzen informieren}, process: m-finance}
  - {id: lost, probability: 0, outcome: lost}
"""

RFP = """
process: m-rfp
title: {en: Map RFPs, de: Karten-Ausschreibungen}
version: 1
record: rfp
linked_from: [m-opp]
guideline: {responsible: kam}
""" + ROLES + """
stages:
  - {id: received, probability: 10}
  - {id: awarded, probability: 100, outcome: won}
  - {id: declined, probability: 0, outcome: lost}
"""

ORDER = """
process: m-order
title: {en: Map orders, de: Karten-Aufträge}
version: 1
record: order
guideline:
  responsible: sales_support
  depends_on: [m-opp]
  outputs: [{en: Invoice, de: Rechnung}]
""" + ROLES + """
stages:
  - {id: created, probability: 100}
  - {id: invoiced, probability: 100, outcome: won}
  - {id: cancelled, probability: 0, outcome: lost}
"""

CONTRACT = """
process: m-contract
title: {en: Map contracts, de: Karten-Verträge}
version: 1
record: contract
guideline: {responsible: head_of_sales}
""" + ROLES + """
stages:
  - {id: active, probability: 100}
  - id: renewal_due
    title: {en: Renewal due, de: Verlängerung fällig}
    probability: 100
    handoffs:
      - {id: create_renewal, title: {en: Create the renewal opportunity, de: Verlängerungs-Opportunity anlegen},
         process: m-opp, fields: {kind: "=stabilisation"}}
  - {id: renewed, probability: 100, outcome: won}
  - {id: terminated, probability: 0, outcome: lost}
"""

ACCOUNT = """
process: m-account
title: {en: Map account plans, de: Karten-Accountpläne}
version: 1
record: account_plan
guideline:
  responsible: kam
  depends_on: [m-opp, m-order]
  inputs: [{en: Won revenue per account, de: Gewonnener Umsatz je Account}]
  outputs: [{en: Account strategy and targets, de: Account-Strategie und Ziele}]
""" + ROLES + """
stages:
  - {id: draft, probability: 0}
  - {id: closed, probability: 100, outcome: won}
"""

TEXTS = {"m-lead": LEAD, "m-opp": OPPORTUNITY, "m-rfp": RFP, "m-order": ORDER, "m-contract": CONTRACT,
         "m-account": ACCOUNT}

#: Every hand-off of the set as (source process, hand-off id, target process).
HANDOFFS = {("m-lead", "create_opportunity", "m-opp"), ("m-opp", "create_order", "m-order"),
            ("m-opp", "create_contract", "m-contract"), ("m-opp", "notify_finance", "m-finance"),
            ("m-contract", "create_renewal", "m-opp")}


def definitions(*keys: str) -> list[ProcessDefinition]:
    """The named test processes (all of them when none is named), parsed and schema-checked."""
    return [parse_text(TEXTS[key], f"{key}.yaml").definition for key in (keys or TEXTS)]


def numbered_chain(count: int) -> list[ProcessDefinition]:
    """``count`` processes p0 → p1 → … each handing off to the next, with long titles (a stress case)."""
    items = []
    for index in range(count):
        handoff = "" if index == count - 1 else f"""
    handoffs:
      - {{id: pass_on, title: "Pass the work on to the next process in the chain", process: p{index + 1}}}"""
        depends = f"depends_on: [p{index - 2}]" if index >= 2 else "depends_on: []"
        text = f"""
process: p{index}
title: "Process number {index} with a rather long title that wraps"
version: 1
record: item
guideline: {{responsible: kam, {depends}}}
roles:
  kam: {{title: Key Account Manager}}
stages:
  - {{id: open, probability: 10}}
  - id: done
    probability: 100
    outcome: won{handoff}
"""
        items.append(parse_text(text, f"p{index}.yaml").definition)
    return items

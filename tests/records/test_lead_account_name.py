"""A lead without a customer account shows its company as the account name (lists, search), kept in step."""

from __future__ import annotations

from typing import Any

from salesflow.records import services


def test_the_company_field_names_the_account_until_conversion(chain: dict[str, Any]) -> None:
    kam = chain["kam"]
    lead = services.do_create_record("t-lead", kam, {"title": "Lead", "company": "Alpen Solar"})
    assert lead.account == "Alpen Solar"
    lead = services.do_set_fields(lead.pk, kam, {"company": "Alpen Solar Holding"})
    assert lead.account == "Alpen Solar Holding"
    services.do_move(lead.pk, kam, "qualified")
    lead = services.do_move(lead.pk, kam, "converted")
    lead.refresh_from_db()
    assert lead.customer is not None and lead.account == lead.customer.name == "Alpen Solar Holding"

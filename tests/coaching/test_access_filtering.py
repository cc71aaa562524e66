"""A record or assessment a user may not see does not count for them: in the reports (mystery shopping, tat)
and on the partner page (scores, sourced leads)."""

from __future__ import annotations

from salesflow.accounts.partners import do_attribute_lead, partner_page
from salesflow.records import services
from tests.analytics.build import Opportunity, report
from tests.coaching.conftest import PARTNER_ALL_YES


def test_reports_count_only_what_the_reader_sees(people, partners, assess) -> None:
    assess("partner-mystery-shopping", f"partner:{partners['nord'].pk}", PARTNER_ALL_YES, "2026-01-10")
    # assessments: the assessor's role and oversight roles see them, a key account manager does not
    assert report("mystery-shopping", user=people["quality"]).summary["assessments"] == 1
    assert report("mystery-shopping", user=people["head"]).summary["assessments"] == 1
    assert report("mystery-shopping", user=people["kam"]).summary["assessments"] == 0
    # records: kam2 (team South) does not see kam's confidential opportunity; its stay does not count for him
    Opportunity(people, "kam", at=0, classification="confidential")
    Opportunity(people, "kam2", at=0)

    def stays(user):
        steps = {row["stage"]: row for row in report("tat", user=user).tables["steps"].rows}
        return steps["qualification"]["count"]

    assert stays(people["head"]) == 2 and stays(people["kam"]) == 2 and stays(people["kam2"]) == 1


def test_partner_page_hides_what_the_reader_may_not_see(people, partners, assess) -> None:
    nord = partners["nord"]
    assess("partner-mystery-shopping", f"partner:{nord.pk}", PARTNER_ALL_YES, "2026-01-10")
    secret = services.do_create_record("lead-management", people["kam"], {
        "title": "Storage – Nordlicht", "company": "Nordlicht GmbH", "source": "partner",
        "classification": "confidential"})
    open_lead = services.do_create_record("lead-management", people["kam2"], {
        "title": "PV – Südhang", "company": "Südhang KG", "source": "partner"})
    for record in (secret, open_lead):
        do_attribute_lead(record, nord)

    seen_by_head = partner_page(nord, people["head"])
    assert {item["record"].pk for item in seen_by_head.leads} == {secret.pk, open_lead.pk}
    assert seen_by_head.lead_outcomes == {"open": 2} and seen_by_head.mystery_average == 100.0
    seen_by_kam2 = partner_page(nord, people["kam2"])
    assert [item["record"].pk for item in seen_by_kam2.leads] == [open_lead.pk]
    assert seen_by_kam2.mystery_shopping == [] and seen_by_kam2.mystery_average is None
    assert [person.last_name for person in seen_by_kam2.people] == []   # no contacts in this fixture

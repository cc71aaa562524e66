"""Done when: asking the Head of Sales for an offer approval sends them an e-mail with the record's link."""

from __future__ import annotations

from salesflow.mail.models import MailPreference, OutboundMail
from salesflow.records import services

from .conftest import BASE_URL
from .smtp import bodies


def _to_proposal(team: dict, amount: str = "120000") -> int:
    kam, head = team["kam"], team["head"]
    record = services.do_create_record("opportunity-management", kam,
                                       {"title": "Smart metering roll-out", "account": "Nordwind", "amount": amount})
    services.do_move(record.pk, head, "solution_design", override_reason="qualified in the kick-off call")
    services.do_set_fields(record.pk, kam, {"bid_manager": "bidmanager"})
    for activity in ("name_bid_manager", "customer_needs"):
        services.do_complete_activity(record.pk, kam, activity)
    services.do_complete_activity(record.pk, team["bid"], "solution_design")  # the Bid Manager's (RACI)
    services.do_move(record.pk, head, "proposal")
    services.do_complete_activity(record.pk, kam, "prepare_offer")
    return record.pk


def test_offer_approval_request_reaches_the_head_of_sales(smtp, team, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        record_id = _to_proposal(team)
    subjects = [str(item["Subject"]).strip() for item in smtp.inbox.to("head@example.com")]
    # the Head of Sales decided whether the design is final (gate decision), then is asked for the offer approval
    assert any(item.startswith("[Salesflow] Decision requested: Is the solution design final?") for item in subjects)
    approvals = [item for item in smtp.inbox.to("head@example.com") if "Approval requested" in str(item["Subject"])]
    assert len(approvals) == 1, subjects
    mail = approvals[0]
    assert "Offer approval" in str(mail["Subject"]) and "Smart metering roll-out" in str(mail["Subject"])
    text, html = bodies(mail)
    link = f"{BASE_URL}/records/{record_id}/"
    assert link in text and f'href="{link}"' in html
    assert "Hello Hanna Head" in text
    # the band of 120 000 is the Head of Sales': the managing director is not asked
    assert smtp.inbox.to("md@example.com") == []
    assert set(OutboundMail.objects.filter(to_address="head@example.com").values_list("state", flat=True)) == {"sent"}


def test_the_mail_is_in_the_recipients_language(smtp, team, django_capture_on_commit_callbacks) -> None:
    MailPreference.objects.create(user=team["head"], language="de")
    with django_capture_on_commit_callbacks(execute=True):
        _to_proposal(team)
    mail = [item for item in smtp.inbox.to("head@example.com") if "Freigabe" in str(item["Subject"])][0]
    text, _html = bodies(mail)
    assert "Freigabe erbeten: Angebotsfreigabe" in str(mail["Subject"])
    assert "Hallo Hanna Head" in text and "Vorgang öffnen" in text


def test_a_larger_amount_asks_the_next_band(smtp, team, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _to_proposal(team, amount="400000")
    assert len([item for item in smtp.inbox.to("md@example.com") if "Approval" in str(item["Subject"])]) == 1
    assert not [mail for mail in smtp.inbox.to("head@example.com") if "Approval" in str(mail["Subject"])]


def test_no_mail_when_switched_off(smtp, team, django_capture_on_commit_callbacks) -> None:
    MailPreference.objects.create(user=team["head"], muted_kinds=["approval_requested"])
    with django_capture_on_commit_callbacks(execute=True):
        _to_proposal(team)
    assert not [item for item in smtp.inbox.to("head@example.com") if "Approval" in str(item["Subject"])]
    assert [item for item in smtp.inbox.to("head@example.com") if "Decision" in str(item["Subject"])]

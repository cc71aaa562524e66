"""The risk and opportunity register: CLI, API and web page on one service, every change an event in the chain."""

from __future__ import annotations

from salesflow.records.models import Event
from salesflow.records.services import get_user
from salesflow.risks.models import RiskEntry
from tests.api.conftest import Api, api_as, token_for  # noqa: F401 - fixtures


def test_cli_adds_changes_and_reviews_with_events(cli, quality_people) -> None:
    added = cli("risk", "add", "--as", "quinn", "--title", "Tender deadlines missed", "--process", "rfp-procedure",
                "--likelihood", "3", "--impact", "5", "--treatment", "Reminders", "--json")
    assert added.code == 0, added
    data = added.json()
    assert (data["score"], data["level"], data["status"], data["owner"]) == (15, "high", "open", "quinn")
    assert Event.objects.get(kind="risk_added").payload["risk"]["title"] == "Tender deadlines missed"

    changed = cli("risk", "update", data["id"], "--as", "hans", "--likelihood", "1", "--status", "treated", "--json")
    assert changed.code == 0 and changed.json()["score"] == 5
    event = Event.objects.get(kind="risk_changed")
    assert event.payload["changed"]["likelihood"] == {"old": 3, "new": 1}
    assert cli("risk", "review", data["id"], "--as", "quinn", "--note", "Management review").code == 0
    assert Event.objects.get(kind="risk_reviewed").payload["note"] == "Management review"

    # Bad input names the field and value and changes nothing; a role without the right is refused.
    before = Event.objects.count()
    bad = cli("risk", "add", "--as", "quinn", "--title", "X", "--process", "rfp-procedure", "--likelihood", "7",
              "--impact", "2")
    assert bad.code == 1 and "likelihood: a whole number from 1 to 5 expected, got '7'" in bad.err
    unknown = cli("risk", "add", "--as", "quinn", "--title", "X", "--process", "nope", "--likelihood", "2",
                  "--impact", "2")
    assert unknown.code == 1 and "process: unknown process 'nope'" in unknown.err
    refused = cli("risk", "update", data["id"], "--as", "kim", "--status", "closed")
    assert refused.code == 4 and "manage_risks" in refused.err
    assert cli("risk", "update", data["id"], "--as", "arne", "--status", "closed").code == 4
    assert Event.objects.count() == before and RiskEntry.objects.count() == 1
    listed = cli("risk", "list", "--process", "rfp-procedure", "--json").json()
    assert [row["id"] for row in listed] == [data["id"]]
    assert cli("audit", "verify").code == 0


def test_api_and_web_page(quality_people, api_as, client) -> None:  # noqa: F811
    quinn, kim = get_user("quinn"), get_user("kim")
    created = api_as(quinn).post("/api/risks", {"title": "Partners misquote prices", "process": "opportunity-management",
                                                "likelihood": 4, "impact": 4, "kind": "risk"})
    assert created.status_code == 201, created.content
    risk_id = created.json()["id"]
    assert api_as(kim).post("/api/risks", {"title": "x", "process": "opportunity-management", "likelihood": 1,
                                           "impact": 1}).status_code == 403
    patched = api_as(quinn).patch(f"/api/risks/{risk_id}", {"status": "treated"})
    assert patched.status_code == 200 and patched.json()["status"] == "treated"
    assert [row["id"] for row in api_as(kim).get("/api/risks").json()] == [risk_id]

    client.force_login(kim)
    page = client.get("/risks/")
    assert page.status_code == 200 and "Partners misquote prices" in page.content.decode()
    assert 'name="likelihood"' not in page.content.decode()  # reading only
    client.force_login(quinn)
    refused = client.post("/risks/", {"kind": "opportunity", "title": "Cross-selling", "process": "account-management",
                                      "likelihood": "9", "impact": "3"})
    assert refused.status_code == 400 and "likelihood: a whole number from 1 to 5" in refused.content.decode()
    added = client.post("/risks/", {"kind": "opportunity", "title": "Cross-selling", "process": "account-management",
                                    "likelihood": "3", "impact": "3"})
    assert added.status_code == 302 and RiskEntry.objects.filter(kind="opportunity").count() == 1
    german = client.get("/risks/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "<td>Chance</td>" in german and 'value="opportunity" >Chance</option>' in german
    assert ">Opportunity<" not in german
    assert "<td>Opportunity</td>" in client.get("/risks/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

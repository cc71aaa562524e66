"""The dashboard's "Sales chain" section: the chain panels with their charts and downloads, in English and
German; a process filter applies to the chain reports too."""

from __future__ import annotations

import json
import re

import pytest

from tests.analytics.chain import Chain, load_processes


@pytest.fixture
def chain(people):
    load_processes()
    chain = Chain(people)
    chain.convert(chain.lead(0, "fair"), 2)
    chain.move(chain.create("contract", 0, amount="1000"), "renewed", 15)


def test_chain_section_and_panels(client, people, chain):
    client.force_login(people["head"])
    page = client.get("/controlling/").content.decode()
    assert "Sales chain" in page and "Per process" in page
    assert page.index("Per process") < page.index("Sales chain") < page.index('id="panel-lead-to-win"')
    panel = client.get("/controlling/panel/lead-to-win/")
    assert panel.status_code == 200
    spec = json.loads(re.search(r'data-spec="([^"]*)"', panel.content.decode()).group(1).replace("&quot;", '"'))
    rates = {row["measure"]: row["rate"] for row in spec["data"]["values"]}
    assert rates["converted"] == 1.0  # series named without sort prefixes (ordered by "sort": null)
    assert client.get("/controlling/panel/lead-to-order/").status_code == 200
    renewals = client.get("/controlling/panel/renewals/?process=a-contract")
    assert renewals.status_code == 200 and b"100.0 %" in renewals.content        # renewal rate
    assert client.get("/controlling/report/renewals.svg").content.startswith(b"<svg")
    csv_text = client.get("/controlling/report/lead-to-win.csv").content.decode()
    assert csv_text.splitlines()[0].startswith("group,source,leads,converted")


def test_chain_section_in_german(client, people, chain):
    client.force_login(people["head"])
    page = client.get("/controlling/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Vertriebskette" in page and "Verlängerungsquote" in page

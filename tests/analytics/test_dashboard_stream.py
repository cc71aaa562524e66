"""The dashboard's panels in one streamed response: every panel of the page once, in page order, each the same
fragment the panel's own URL gives, only what the reader may see; refusals as for the dashboard."""

from __future__ import annotations

import re

import pytest

from salesflow.analytics.views import PANEL_END
from tests.analytics.build import Opportunity


@pytest.fixture
def deals(people):
    Opportunity(people, "kam", close_date="2027-03-01").qualify(2).design(4).propose(6).win(10)
    Opportunity(people, "kam2", close_date="2027-03-01", classification="confidential").lose(3)


def streamed(client, url="/controlling/panels/") -> list[tuple[str, str]]:
    """(kind, fragment) of each panel the stream sends, in order."""
    response = client.get(url)
    assert response.status_code == 200
    assert response.streaming
    assert response["Cache-Control"] == "no-store"
    text = b"".join(response.streaming_content).decode()
    pieces = text.split(PANEL_END)
    assert pieces[-1] == ""                                        # every panel ends with the marker
    found = []
    for piece in pieces[:-1]:
        match = re.fullmatch(r'<div data-panel="([a-z-]+)">(.*)</div>', piece, re.DOTALL)
        assert match, piece[:200]
        found.append((match.group(1), match.group(2)))
    return found


def records_figure(fragment: str) -> str:
    return re.search(r"<dt>Records</dt><dd>([^<]*)</dd>", fragment).group(1)


def test_every_panel_of_the_page_once_in_page_order(client, people, deals):
    client.force_login(people["head"])
    page = client.get("/controlling/").content.decode()
    assert 'data-panels-stream="/controlling/panels/?process=' in page
    urls = [url.replace("&amp;", "&") for url in re.findall(r'hx-get="(/controlling/panel/[a-z-]+/[^"]*)"', page)]
    panels = streamed(client)
    assert [kind for kind, _html in panels] == [url.split("/")[3] for url in urls]
    assert len(panels) == 19
    for (kind, fragment), url in zip(panels, urls, strict=True):
        assert client.get(url).content.decode() == fragment, kind      # the panel's own URL gives the same
    assert records_figure(dict(panels)["funnel"]) == "2"             # head sees the confidential deal


def test_only_what_the_reader_may_see(client, people, deals):
    client.force_login(people["kam"])
    panels = dict(streamed(client))
    assert records_figure(panels["funnel"]) == "1"                   # not kam2's confidential deal
    assert "accuracy" not in panels                                 # not for a key account manager


def test_refusals(client, people):
    assert client.get("/controlling/panels/").status_code == 302          # signed out: to the sign-in page
    from salesflow.people.services import do_add_user

    client.force_login(do_add_user("nobody", [], []))
    assert client.get("/controlling/panels/").status_code == 403
    client.force_login(people["head"])
    for bad in ("from=31.02.2026", "period=2027-Q9"):        # as the dashboard: a message, no panel at all
        response = client.get(f"/controlling/panels/?{bad}")
        assert response.status_code == 400
        assert bad.split("=")[1] in response.content.decode()

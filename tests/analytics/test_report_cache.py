"""The dashboard's report cache: a new event invalidates, readers and languages never share an entry.

Correctness only (no timings): every test counts how often a report is really computed.
"""

from __future__ import annotations

import threading

import pytest
from django.test import Client

from salesflow.analytics import cache as report_cache
from salesflow.analytics import views
from tests.analytics.build import Opportunity


@pytest.fixture
def computed(monkeypatch):
    """The report kinds computed (not served from the cache), in order."""
    kinds: list[str] = []
    real = views.run_report

    def counting(kind, data, params):
        kinds.append(kind)
        return real(kind, data, params)

    monkeypatch.setattr(views, "run_report", counting)
    return kinds


def signed_in(people, *names):
    """One client per user, signed in before the reports are read (signing in is an event of the log)."""
    clients = {}
    for name in names:
        clients[name] = Client()
        clients[name].force_login(people[name])
    return clients


def records_seen(client, language="en"):
    response = client.get("/controlling/report/funnel.csv?table=groups", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return int(response.content.decode().splitlines()[1].split(",")[2])


def test_unchanged_log_is_computed_once_and_a_new_event_invalidates(people, computed):
    deal = Opportunity(people, "kam")
    head = signed_in(people, "head")["head"]
    assert records_seen(head) == 1
    assert records_seen(head) == 1
    assert computed == ["funnel"]                                   # the second request came from the cache
    Opportunity(people, "kam")                                      # new events: a new log head
    assert records_seen(head) == 2
    deal.set(1, amount="5")                                         # a field change is an event too
    records_seen(head)
    assert computed == ["funnel", "funnel", "funnel"]


def test_readers_with_different_access_never_share_an_entry(people, computed):
    Opportunity(people, "kam")
    Opportunity(people, "kam2", classification="confidential")     # kam (other team) may not see it
    clients = signed_in(people, "head", "kam", "kam2")
    assert records_seen(clients["head"]) == 2
    assert records_seen(clients["kam"]) == 1                        # not head's cached figure
    assert records_seen(clients["kam2"]) == 2
    assert computed == ["funnel"] * 3
    assert records_seen(clients["kam"]) == 1
    assert len(computed) == 3


def test_a_change_of_roles_gives_a_new_entry(people):
    user = people["kam"]
    state = report_cache.reader_state(user, "en", "EUR")
    user.roles.clear()
    user._role_ids = None
    assert report_cache.reader_state(user, "en", "EUR")["scope"] != state["scope"]


def test_languages_are_cached_apart(client, people, computed):
    Opportunity(people, "kam")
    client.force_login(people["head"])
    english = client.get("/controlling/panel/funnel/", HTTP_ACCEPT_LANGUAGE="en")
    german = client.get("/controlling/panel/funnel/", HTTP_ACCEPT_LANGUAGE="de")
    assert computed == ["funnel", "funnel"]
    assert "Table" in english.content.decode() and "Tabelle" in german.content.decode()
    client.get("/controlling/panel/funnel/", HTTP_ACCEPT_LANGUAGE="de")
    assert len(computed) == 2


def test_parameters_are_part_of_the_key(client, people, computed):
    Opportunity(people, "kam")
    client.force_login(people["head"])
    assert client.get("/controlling/panel/funnel/?by=owner").status_code == 200
    assert client.get("/controlling/panel/funnel/?by=team").status_code == 200
    assert client.get("/controlling/panel/funnel/?by=owner").status_code == 200
    assert computed == ["funnel", "funnel"]


def test_a_request_waits_for_the_warm_up_instead_of_computing_again(people):
    state = report_cache.reader_state(people["head"], "en", "EUR")
    started, release = threading.Event(), threading.Event()
    computed_by_request: list[str] = []

    def compute_all(missing, store):
        started.set()
        release.wait(10)
        for key, kind, _query in missing:
            store(key, f"warm {kind}")

    report_cache.warm([("funnel", {}), ("winrate", {})], state, compute_all)
    assert started.wait(10)
    key = report_cache.report_key("winrate", {}, state)
    threading.Timer(0.2, release.set).start()
    value = report_cache.cached(key, lambda: computed_by_request.append("winrate") or "request")
    assert value == "warm winrate" and computed_by_request == []


def test_signing_in_does_not_make_the_reports_stale(people, computed):
    """No report reads sign-ins (or refused attempts): they are events of the log, but another user signing in
    must not have every dashboard computed again; a change the reports read still does."""
    from salesflow.people.security import log_security_event

    deal = Opportunity(people, "kam")
    head = signed_in(people, "head")["head"]
    assert records_seen(head) == 1
    signed_in(people, "kam", "kam2")                                # two sign-ins: new events, same reports
    log_security_event("login_failed", None, name="nobody")
    assert records_seen(head) == 1
    assert computed == ["funnel"]
    deal.set(1, amount="5")                                         # a field change: computed again
    records_seen(head)
    assert computed == ["funnel", "funnel"]


def _records_figure(client) -> str:
    """The "Records" key figure of the funnel panel (the fragment the dashboard loads)."""
    import re

    response = client.get("/controlling/panel/funnel/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return re.search(r"<dt>Records</dt><dd>([^<]*)</dd>", response.content.decode()).group(1)


def test_the_cached_panel_shows_a_new_event(people, computed):
    """The panel's HTML is cached with its report: served again while the log is unchanged, drawn anew after
    a new event."""
    Opportunity(people, "kam")
    head = signed_in(people, "head")["head"]
    assert _records_figure(head) == "1"
    assert _records_figure(head) == "1"
    assert computed == ["funnel"]
    Opportunity(people, "kam")
    assert _records_figure(head) == "2"
    assert computed == ["funnel", "funnel"]


def test_the_cache_is_shared_by_the_server_processes(people, computed):
    """A report one server process computed is served by another (the cache is files, not process memory)."""
    import subprocess
    import sys

    from django.conf import settings

    Opportunity(people, "kam")
    head = signed_in(people, "head")["head"]
    assert records_seen(head) == 1
    assert computed == ["funnel"]
    assert settings.CACHES["default"]["BACKEND"].endswith("SharedFileCache")
    location = settings.CACHES["default"]["LOCATION"]
    key = report_cache.report_key("funnel", {}, report_cache.reader_state(people["head"], "en", "EUR"))
    script = ("import sys, django; from django.conf import settings; "
              "settings.configure(CACHES={'default': {'BACKEND': 'django.core.cache.backends.filebased.FileBasedCache',"
              f" 'LOCATION': {location!r}}}}}); django.setup(); from django.core.cache import cache; "
              "print('found' if cache.get(sys.argv[1]) is not None else 'missing')")
    result = subprocess.run([sys.executable, "-c", script, key], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "found", result.stderr

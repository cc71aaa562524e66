"""The dashboard, reports and documents on the demo data (``python -m benchmarks.web`` runs it as a worker).

On a fresh SQLite database with ``salesflow demo`` loaded (untimed), for the demo Head of Sales:

- **panels**: server time of every dashboard panel (``django.test.Client``), first with an empty
  cache (computed) and then again (served from the report cache), and the adherence report page;
- **stream**: all panels in the one streamed response the dashboard page reads, after a new event
  (computed) and again (cached);
- **documents**: the current opportunity guideline as PDF and its flowchart, rendered anew and from
  the disk cache; the audit pack (this year, English), with no guideline PDF rendered yet and again;
- **browser**: the dashboard in headless Chromium (Playwright) served by gunicorn (the production
  server options: gthread, keep-alive): milliseconds from the page's ``load`` event until every
  panel's chart is drawn, on the first visit after a new event (nothing cached: the page computes its
  panels) and the next visit (cached); one untimed visit first (the server process's start).
"""

from __future__ import annotations

import datetime
import gc
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.web import free_port, progress, stop_gunicorn

#: JavaScript: true when every panel has loaded and drawn its chart.
ALL_DRAWN = """() => {
  const panels = [...document.querySelectorAll('section.controlling-panel')];
  return panels.length > 0 && panels.every(panel => !panel.querySelector('.loading') &&
    [...panel.querySelectorAll('.vega-chart[data-spec]')].every(chart => chart.querySelector('canvas')));
}"""


def _ms(run: Any) -> tuple[float, Any]:
    gc.collect()
    start = time.perf_counter()
    result = run()
    return (time.perf_counter() - start) * 1000, result


def _panel_urls(client: Any) -> list[tuple[str, str]]:
    import re

    page = client.get("/controlling/")
    found = re.findall(r'hx-get="(/controlling/panel/([a-z-]+)/[^"]*)"', page.content.decode())
    return [(kind, url.replace("&amp;", "&")) for url, kind in found]


def measure_panels(client: Any, rounds: int) -> dict[str, Any]:
    """Per panel: ms computed (empty cache) and ms cached, per round; the adherence report page alike."""
    from django.core.cache import cache

    urls = _panel_urls(client)
    report_url = "/controlling/report/adherence/?process=opportunity-management"
    panels: dict[str, dict[str, list[float]]] = {kind: {"computed": [], "cached": []} for kind, _url in urls}
    panels["report:adherence"] = {"computed": [], "cached": []}
    for number in range(rounds):
        for kind, url in [*urls, ("report:adherence", report_url)]:
            for state in ("computed", "cached"):
                if state == "computed":
                    cache.clear()  # each panel on its own: not from another panel's entry (same query)
                elapsed, response = _ms(lambda url=url: client.get(url))
                if response.status_code != 200:
                    raise RuntimeError(f"GET {url} answered {response.status_code}")
                panels[kind][state].append(elapsed)
        progress(f"panels round {number + 1}/{rounds}: computed "
                 f"{sum(value['computed'][-1] for value in panels.values()):,.0f} ms in all, cached "
                 f"{sum(value['cached'][-1] for value in panels.values()):,.0f} ms in all")
    return panels


def measure_stream(client: Any, rounds: int) -> dict[str, list[float]]:
    """All panels in the one streamed response the dashboard reads (``/controlling/panels/``), server time until
    its last byte: computed (a new log head; the stream's warm-up loads the data once for all) and cached."""
    from django.conf import settings

    times: dict[str, list[float]] = {"computed": [], "cached": []}
    settings.SALESFLOW_REPORT_WARM = True
    try:
        for number in range(rounds):
            for state in ("computed", "cached"):
                if state == "computed":
                    _new_head()
                elapsed, content = _ms(lambda: b"".join(client.get("/controlling/panels/").streaming_content))
                if content.count(b"data-panel=") < 10:
                    raise RuntimeError("the panel stream sent fewer than 10 panels")
                times[state].append(elapsed)
            progress(f"panel stream round {number + 1}/{rounds}: computed {times['computed'][-1]:,.0f} ms, "
                     f"cached {times['cached'][-1]:,.0f} ms")
    finally:
        settings.SALESFLOW_REPORT_WARM = False
    return times


def measure_documents(user: Any, rounds: int) -> dict[str, Any]:
    """Guideline PDF and flowchart (anew / cached) and the audit pack (no PDF cached / PDFs cached), in ms."""
    import shutil

    from django.conf import settings

    from salesflow.guidelines import rendered_cache
    from salesflow.guidelines.audit_pack import export_audit_pack
    from salesflow.records.models import Process

    version = Process.objects.get(key="opportunity-management").current_version()
    today = datetime.date.today()
    results: dict[str, dict[str, list[float]]] = {
        "pdf": {"anew": [], "cached": []}, "svg": {"anew": [], "cached": []},
        "audit_pack": {"anew": [], "cached": []}}
    for number in range(rounds):
        directory = tempfile.mkdtemp(prefix="salesflow-bench-guidelines-")
        settings.SALESFLOW_GUIDELINE_CACHE = directory
        try:
            for fmt in ("pdf", "svg"):
                for state in ("anew", "cached"):
                    results[fmt][state].append(_ms(lambda fmt=fmt: rendered_cache.rendered(version, fmt, "en"))[0])
            shutil.rmtree(directory)
            for state in ("anew", "cached"):
                results["audit_pack"][state].append(_ms(lambda: export_audit_pack(
                    today.replace(month=1, day=1), today, user, None, ("en",)))[0])
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        progress(f"documents round {number + 1}/{rounds}: pdf {results['pdf']['anew'][-1]:,.0f} → "
                 f"{results['pdf']['cached'][-1]:,.0f} ms, audit pack {results['audit_pack']['anew'][-1]:,.0f} → "
                 f"{results['audit_pack']['cached'][-1]:,.0f} ms")
    return results


def start_server(database_url: str, port: int, log: Path) -> Any:
    """gunicorn with the production server options (gthread, 4 threads, keep-alive 5 s), one worker process."""
    import subprocess
    import sys

    from benchmarks.web import REPO_ROOT, wait_until_healthy

    # the same SECRET_KEY as this process: the session signed in here stays valid there
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "false",
           "ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "WARNING"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    with log.open("wb") as handle:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "salesflow.wsgi:application", "-w", "1", "-k", "gthread",
             "--threads", "4", "--keep-alive", "5", "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
            cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=handle, stderr=subprocess.STDOUT)
    return wait_until_healthy(server, port, log)


def measure_browser(database_url: str, session_key: str, rounds: int) -> dict[str, Any]:
    """Dashboard in Chromium: ms from ``load`` until every chart is drawn (first visit, next visit)."""
    from django.conf import settings
    from playwright.sync_api import sync_playwright

    # the target set between visits (Django ORM) runs beside Playwright's event loop in this thread
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    port = free_port()
    visits: dict[str, list[float]] = {"first": [], "next": []}
    with tempfile.TemporaryDirectory(prefix="salesflow-bench-web-") as directory:
        server = start_server(database_url, port, Path(directory) / "gunicorn.log")
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=os.environ.get("SALESFLOW_CHROMIUM", "/usr/bin/chromium"))
                try:
                    context = browser.new_context()
                    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session_key,
                                          "url": f"http://127.0.0.1:{port}"}])
                    page = context.new_page()
                    # untimed: the server process's start (imports, the mirror's first load, compiling the
                    # reports' SQL) is not what a visit after a new event costs
                    page.goto(f"http://127.0.0.1:{port}/controlling/", wait_until="load")
                    page.wait_for_function(ALL_DRAWN, timeout=120_000)
                    for number in range(rounds):
                        for visit in ("first", "next"):
                            if visit == "first":
                                # a new event (a target set) gives the log a new head: nothing cached
                                _new_head()
                            page.goto(f"http://127.0.0.1:{port}/controlling/", wait_until="load")
                            loaded = time.perf_counter()
                            page.wait_for_function(ALL_DRAWN, timeout=120_000)
                            visits[visit].append((time.perf_counter() - loaded) * 1000)
                        progress(f"browser round {number + 1}/{rounds}: charts drawn {visits['first'][-1]:,.0f} ms "
                                 f"after load (first visit), {visits['next'][-1]:,.0f} ms (next)")
                finally:
                    browser.close()
        finally:
            stop_gunicorn(server)
    return visits


def _new_head() -> None:
    from salesflow.analytics.targets import TargetInput, do_set_target

    today = datetime.date.today()
    do_set_target(TargetInput(period=f"{today.year}-Q{(today.month - 1) // 3 + 1}",
                              amount=str(1_000_000 + int(time.time()) % 1000)))


def measure_dashboard(database_url: str, rounds: int) -> dict[str, Any]:
    """Load the demo, then time panels, documents and the browser (see the module docstring)."""
    import io

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client

    from salesflow.people.models import User

    progress("loading the demo data (salesflow demo)")
    call_command("demo", stdout=io.StringIO(), stderr=io.StringIO())
    settings.SALESFLOW_REPORT_WARM = False   # server time of each panel on its own
    head = User.objects.get(username="head")
    client = Client()
    client.force_login(head)
    panels = measure_panels(client, rounds)
    stream = measure_stream(client, rounds)
    documents = measure_documents(head, rounds)
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    connections.close_all()
    browser = measure_browser(database_url, session_key, rounds)
    return {"rounds": rounds, "panels": panels, "stream": stream, "documents": documents, "browser": browser}


#: Targets (issue 18), milliseconds.
PANEL_TARGET_MS = 150
REPORT_TARGET_MS = 100
CHARTS_TARGET_MS = 1000
PACK_TARGET_MS = 5000


def _cell(values: list[float]) -> str:
    from benchmarks.report import summarize

    summary = summarize(values)
    return f"{summary['median']:,.0f} [{summary['min']:,.0f}–{summary['max']:,.0f}]"


def _verdict(values: list[float], target: float) -> str:
    from benchmarks.report import summarize

    return "met" if summarize(values)["median"] <= target else "NOT met"


def render_dashboard(data: dict[str, Any]) -> list[str]:
    """The printed tables: panels, documents, browser — measured next to their targets."""
    from benchmarks.report import _table, note

    problem = note(data)
    if problem:
        return [f"Dashboard, reports and documents on the demo data: {problem}"]
    rows = []
    for kind, values in data["panels"].items():
        target = REPORT_TARGET_MS if kind.startswith("report:") else PANEL_TARGET_MS
        rows.append([kind, _cell(values["computed"]), _cell(values["cached"]), f"≤ {target}",
                     _verdict(values["computed"], target) + " / " + _verdict(values["cached"], target)])
    lines = [f"Dashboard panels and the adherence report, server time on the demo data (Head of Sales), "
             f"ms, median [min–max] of {data['rounds']} rounds",
             *_table(["panel", "computed (new log head)", "cached (same head)", "target", "computed / cached"], rows)]
    if data.get("stream"):
        lines += ["", "All panels in the dashboard's one streamed request (/controlling/panels/), server time until "
                      "the last panel, ms",
                  *_table(["request", "computed (new log head)", "cached (same head)"],
                          [["/controlling/panels/", _cell(data["stream"]["computed"]),
                            _cell(data["stream"]["cached"])]])]
    documents = data["documents"]
    names = {"pdf": "guideline PDF (opportunity-management, en)", "svg": "flowchart SVG",
             "audit_pack": "audit pack (this year, en)"}
    rows = [[names[key], _cell(values["anew"]), _cell(values["cached"]),
             f"≤ {PACK_TARGET_MS}" if key == "audit_pack" else "once per version",
             _verdict(values["anew"], PACK_TARGET_MS) + " / " + _verdict(values["cached"], PACK_TARGET_MS)
             if key == "audit_pack" else ""] for key, values in documents.items()]
    lines += ["", "Documents, ms (anew: nothing rendered yet; cached: the guideline files rendered before)",
              *_table(["document", "anew", "cached", "target", "anew / cached"], rows)]
    browser = data["browser"]
    rows = [[visit, _cell(values), f"≤ {CHARTS_TARGET_MS}", _verdict(values, CHARTS_TARGET_MS)]
            for visit, values in browser.items()]
    lines += ["", "Dashboard in Chromium (Playwright, gunicorn gthread): ms from the load event until every chart "
                  "is drawn; first visit after a new event, next visit on the same log head",
              *_table(["visit", "ms after load", "target", ""], rows)]
    return lines

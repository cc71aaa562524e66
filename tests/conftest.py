"""Shared pytest fixtures."""

from __future__ import annotations

# ===========================================================================
# Browser (e2e) fixtures — infrastructure section, keep at the top.
#
#   browser  (session)  a headless Playwright Chromium from /usr/bin/chromium
#                       (or $SALESFLOW_CHROMIUM); skips when missing unless
#                       SALESFLOW_REQUIRE_BROWSER=1, then fails.
#   page     (function) a fresh context + page; a screenshot is saved to
#                       test-artifacts/<test name>.png on teardown.
#
# e2e tests combine ``page`` with pytest-django's ``live_server`` and are
# marked ``@pytest.mark.e2e``.
# ===========================================================================
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

# Playwright's sync API runs an event loop in the test thread; Django would
# otherwise refuse ORM calls made from it (live_server setup, fixtures).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACT_DIR = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """A headless Chromium driven by Playwright, shared by the whole session."""
    executable = os.environ.get("SALESFLOW_CHROMIUM", "/usr/bin/chromium")
    if not (os.path.isfile(executable) and os.access(executable, os.X_OK)):
        message = f"Chromium not found at {executable} (apt-get install chromium)"
        if os.environ.get("SALESFLOW_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{message}; required because SALESFLOW_REQUIRE_BROWSER=1", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A new browser context and page for one test; screenshot saved on teardown."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
    context.set_default_timeout(10_000)
    new_page = context.new_page()
    try:
        yield new_page
    finally:
        try:
            ARTIFACT_DIR.mkdir(exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name).strip("_")
            new_page.screenshot(path=str(ARTIFACT_DIR / f"{name}.png"), full_page=True)
        except Exception:  # noqa: BLE001 - a failed screenshot must not hide the test result
            pass
        context.close()


# ===========================================================================
# End of browser fixtures. Domain fixtures go below this line.
# ===========================================================================


# ===========================================================================
# Speed: hashing passwords with Argon2 (production setting, checked in
# tests/test_settings_security.py) makes fixtures slow; tests use MD5.
# ===========================================================================
def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The dashboard's background warm-up would outlive a test's database; tests/analytics/test_report_cache.py
    # drives it directly.
    settings.SALESFLOW_REPORT_WARM = False
    # Likewise the guideline PDFs rendered after an approval; tests/guidelines/test_prerender.py turns it on.
    settings.SALESFLOW_PRERENDER_GUIDELINES = False
    # Rendered guideline files of the tests' databases never go into the developer's var/.
    import tempfile

    settings.SALESFLOW_GUIDELINE_CACHE = tempfile.mkdtemp(prefix="salesflow-guidelines-")
    # Nor cached reports into its var/cache: a cache directory of this test run.
    from django.core.cache import caches

    settings.CACHES = {"default": {**settings.CACHES["default"],
                                   "LOCATION": tempfile.mkdtemp(prefix="salesflow-cache-")}}
    caches._settings = None                     # read again (nothing has used the cache yet)
    caches.__dict__.pop("settings", None)
    settings.SALESFLOW_AUDIT_PACK_DIR = tempfile.mkdtemp(prefix="salesflow-audit-packs-")


# ===========================================================================
# SQLite test database in a file, not in memory: an in-memory database shared
# between threads answers a concurrent writer with "database table is locked"
# at once, whereas the real (file) database waits for the lock (IMMEDIATE
# transactions, busy timeout) as production does. Concurrency tests need the
# real behaviour (tests/records/test_concurrent_moves.py).
# ===========================================================================
@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("sqlite") / "test_salesflow.sqlite3")


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Each test starts with an empty Django cache (cached reports of another test's database never show)."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _fresh_access_policy() -> Iterator[None]:
    """Each test starts with the access rules rebuilt from its own database (rolled back between tests)."""
    from salesflow.people import access

    access.forget_policy()
    yield
    access.forget_policy()


# ===========================================================================
# Checkpoints (salesflow.records.checkpoints): one signing key for the whole
# session, one journal per test — so that checkpoints written by one test (whose
# events are then rolled back) never meet another test's database state.
# Transactional tests are emptied with DELETE/TRUNCATE, which the event log's
# triggers refuse: the harness switches them off for that, as an admin could.
# ===========================================================================
@pytest.fixture(scope="session")
def checkpoint_key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A PEM Ed25519 private key for the test session."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path = tmp_path_factory.mktemp("checkpoint-key") / "key.pem"
    path.write_bytes(Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return path


@pytest.fixture(autouse=True)
def checkpoint_journal(checkpoint_key_file: Path, tmp_path_factory: pytest.TempPathFactory,
                       monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Path:
    """This test's checkpoint journal (SALESFLOW_CHECKPOINT_JOURNAL) and the session key."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)[-150:]
    path = tmp_path_factory.getbasetemp() / "checkpoints" / f"{name}.jsonl"
    monkeypatch.setenv("SALESFLOW_CHECKPOINT_KEY_FILE", str(checkpoint_key_file))
    monkeypatch.setenv("SALESFLOW_CHECKPOINT_JOURNAL", str(path))
    monkeypatch.delenv("SALESFLOW_CHECKPOINT_KEY", raising=False)
    monkeypatch.delenv("SALESFLOW_CHECKPOINT_PUBLIC_KEY_FILE", raising=False)
    monkeypatch.delenv("SALESFLOW_CHECKPOINT_SYSLOG", raising=False)
    return path


@pytest.fixture(scope="session", autouse=True)
def _flush_past_the_append_only_triggers() -> Iterator[None]:
    from django.db.backends.base.operations import BaseDatabaseOperations

    from tests.tampering import rewrite_allowed

    original = BaseDatabaseOperations.execute_sql_flush

    def execute_sql_flush(self: BaseDatabaseOperations, sql_list: list[str]) -> None:
        with rewrite_allowed(self.connection):
            original(self, sql_list)

    BaseDatabaseOperations.execute_sql_flush = execute_sql_flush  # type: ignore[method-assign]
    try:
        yield
    finally:
        BaseDatabaseOperations.execute_sql_flush = original  # type: ignore[method-assign]

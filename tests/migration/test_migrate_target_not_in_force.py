"""Only the approved version in force can be a migration target (a draft, an obsolete or a scheduled one cannot)."""

from __future__ import annotations

import datetime

from salesflow.guidelines.services import do_propose_version
from salesflow.records.models import Event
from tests.migration.conftest import CURRENT, PROCESS, TARGET, make_setup, target_text


def test_draft_target_is_refused(cli, db, tmp_path) -> None:
    setup = make_setup(tmp_path, load_target=False)
    do_propose_version(target_text(), setup.ops)  # v3 as a draft, not approved
    events = Event.objects.count()
    result = cli("process", "migrate", PROCESS, "--to", str(TARGET), "--map", "negotiation=closing",
                 "--as", setup.head.username)
    assert result.code == 5, result
    assert f"v{TARGET} is draft" in result.err and f"in force (v{CURRENT})" in result.err
    assert Event.objects.count() == events
    older = cli("process", "migrate", PROCESS, "--to", str(CURRENT - 1 if CURRENT > 1 else CURRENT + 5),
                "--as", setup.head.username)
    assert older.code != 0
    missing = cli("process", "migrate", PROCESS, "--to", "99", "--as", setup.head.username)
    assert missing.code == 1 and "no version 99" in missing.err


def test_scheduled_target_is_refused_until_in_force(cli, db, tmp_path) -> None:
    setup = make_setup(tmp_path, load_target=False)
    later = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    text = target_text().replace("  status: approved\n", f"  status: approved\n  effective_date: '{later}'\n", 1)
    setup.target_file.write_text(text, encoding="utf-8")
    loaded = cli("process", "load", str(setup.target_file), "--approved-by", setup.head.username)
    assert loaded.code == 0 and "in force from" in loaded.out, loaded
    result = cli("process", "migrate", PROCESS, "--to", str(TARGET), "--map", "negotiation=closing", "--dry-run",
                 "--as", setup.head.username)
    assert result.code == 5 and f"in force from {later}" in result.err, result

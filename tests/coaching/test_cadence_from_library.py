"""The cadence of 1:1s comes from the library settings' ``coaching`` section: changing it changes what the coaching
report expects (no number in Python)."""

from __future__ import annotations

from pathlib import Path

from salesflow.coaching.services import cadence, do_hold_meeting, do_set_manager
from salesflow.process.validate import validate_library_paths
from salesflow.records.library import LIBRARY_DIR, do_load_library_settings
from tests.analytics.build import day, report


def test_cadence_follows_the_library(people, tmp_path: Path) -> None:
    shipped = (LIBRARY_DIR / "library-settings.yaml").read_text(encoding="utf-8")
    assert "one_to_one_every_days: 14" in shipped
    assert cadence().one_to_one_every_days == 14
    do_set_manager(people["kam"], people["head"])
    do_hold_meeting(people["head"], people["kam"], day(3).date(), at=day(3))
    window = {"date_from": day(0).date(), "date_to": day(39).date()}
    assert report("coaching", now=day(40), **window).tables["people"].rows[0]["expected"] == 2   # 40 // 14

    for process_file in LIBRARY_DIR.glob("*.yaml"):   # the settings name the roles of the library's processes
        (tmp_path / process_file.name).write_text(process_file.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "library-settings.yaml").write_text(
        shipped.replace("one_to_one_every_days: 14", "one_to_one_every_days: 7"), encoding="utf-8")
    _valid, settings, problems = validate_library_paths([tmp_path])
    assert problems == [] and settings is not None
    do_load_library_settings(settings)
    assert cadence().one_to_one_every_days == 7
    row = report("coaching", now=day(40), **window).tables["people"].rows[0]
    assert (row["held"], row["expected"], row["cadence"]) == (1, 5, 0.2)                       # 40 // 7

"""``SALESFLOW_SQLITE_SYNCHRONOUS`` chooses SQLite's ``PRAGMA synchronous`` (NORMAL by default, FULL on demand);
a bad value names the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from salesflow.config import sqlite_options

REPO = Path(__file__).resolve().parents[1]


def test_normal_by_default_full_on_demand() -> None:
    assert "PRAGMA synchronous=NORMAL;" in sqlite_options({})["init_command"]
    assert "PRAGMA synchronous=FULL;" in sqlite_options({"SALESFLOW_SQLITE_SYNCHRONOUS": " full "})["init_command"]
    assert sqlite_options({})["transaction_mode"] == "IMMEDIATE"


def test_a_bad_level_names_the_variable() -> None:
    with pytest.raises(ImproperlyConfigured, match="SALESFLOW_SQLITE_SYNCHRONOUS must be one of NORMAL, FULL, EXTRA; "
                                                   "got 'OFF'"):
        sqlite_options({"SALESFLOW_SQLITE_SYNCHRONOUS": "OFF"})


@pytest.mark.parametrize(("level", "pragma"), [("", 1), ("FULL", 2)])
def test_the_connection_uses_the_level(tmp_path, level, pragma) -> None:
    probe = ("import django; django.setup(); from django.db import connection; "
             "cursor = connection.cursor(); cursor.execute('PRAGMA synchronous'); print(cursor.fetchone()[0])")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "salesflow.settings", "PYTHONPATH": str(REPO),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'probe.sqlite3'}", "SALESFLOW_SQLITE_SYNCHRONOUS": level}
    result = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(pragma)

"""Helpers of the backup tests: throw-away source and target databases of the backend under test,
the ``salesflow`` CLI as a subprocess against one of them, and what a database holds."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.pg_plugin import current_backend

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Database:
    """A database of its own (an SQLite file, or a PostgreSQL database of the test cluster)."""

    url: str
    vendor: str

    def env(self) -> dict[str, str]:
        """The environment a ``salesflow`` subprocess runs this database with."""
        env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST", "DJANGO_"))}
        env.update(DATABASE_URL=self.url, PYTHONPATH=str(REPO), DJANGO_SETTINGS_MODULE="salesflow.settings")
        return env

    def cli(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """``salesflow ARGS…`` against this database."""
        return subprocess.run([sys.executable, "-m", "salesflow.cli", *args], env=self.env(), cwd=REPO,
                              capture_output=True, text=True, timeout=timeout, check=False)

    def query(self, sql: str) -> list[tuple]:
        """Rows of a read-only query, read with the driver directly (not through Salesflow)."""
        if self.vendor == "sqlite":
            with sqlite3.connect(urlsplit(self.url).path[1:]) as conn:
                return conn.execute(sql).fetchall()
        import psycopg

        with psycopg.connect(_conninfo(self.url)) as conn:
            return conn.execute(sql).fetchall()


def _conninfo(url: str) -> str:
    parts = urlsplit(url)
    host = dict(item.split("=", 1) for item in parts.query.split("&") if "=" in item).get("host", "")
    return f"host={host} port={parts.port} user={parts.username or 'postgres'} dbname={parts.path.lstrip('/')}"


def _admin(url: str, statement: str) -> None:
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(_conninfo(parts._replace(path="/postgres").geturl()), autocommit=True) as conn:
        conn.execute(statement)


class Databases:
    """Makes empty databases of the backend under test; `drop` removes the PostgreSQL ones."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.base = os.environ.get("DATABASE_URL", "")
        self.created: list[str] = []

    def __call__(self, label: str) -> Database:
        if current_backend() == "sqlite":
            return Database(f"sqlite:///{self.directory / (label + '.sqlite3')}", "sqlite")
        name = f"sf_{label}_{uuid.uuid4().hex[:8]}"
        _admin(self.base, f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return Database(urlsplit(self.base)._replace(path=f"/{name}").geturl(), "postgresql")

    def drop(self) -> None:
        """Drop the PostgreSQL databases made."""
        while self.created:
            _admin(self.base, f'DROP DATABASE IF EXISTS "{self.created.pop()}" WITH (FORCE)')


@pytest.fixture
def new_database(tmp_path: Path) -> Iterator[Databases]:
    """A factory of empty databases of the backend under test (dropped at the end)."""
    databases = Databases(tmp_path)
    yield databases
    databases.drop()

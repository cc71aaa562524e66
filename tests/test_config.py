"""Environment parsing helpers in salesflow.config."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from salesflow.config import env_bool, env_list, parse_database_url


@pytest.mark.parametrize("raw", ["1", "true", "TRUE", "Yes", "on", " On "])
def test_env_bool_true_values(raw: str) -> None:
    assert env_bool("DEBUG", False, {"DEBUG": raw}) is True


@pytest.mark.parametrize("raw", ["0", "false", "False", "NO", "off"])
def test_env_bool_false_values(raw: str) -> None:
    assert env_bool("DEBUG", True, {"DEBUG": raw}) is False


@pytest.mark.parametrize("default", [True, False])
def test_env_bool_unset_or_empty_gives_default(default: bool) -> None:
    assert env_bool("DEBUG", default, {}) is default
    assert env_bool("DEBUG", default, {"DEBUG": ""}) is default


def test_env_bool_bad_value_names_variable_and_value() -> None:
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env_bool("DEBUG", True, {"DEBUG": "maybe"})
    assert "DEBUG" in str(excinfo.value)
    assert "maybe" in str(excinfo.value)


def test_env_list_splits_and_strips() -> None:
    assert env_list("ALLOWED_HOSTS", "", {"ALLOWED_HOSTS": " a.example , b.example,, "}) == [
        "a.example",
        "b.example",
    ]


def test_env_list_default_when_unset() -> None:
    assert env_list("ALLOWED_HOSTS", "127.0.0.1,localhost", {}) == ["127.0.0.1", "localhost"]
    assert env_list("ALLOWED_HOSTS", "", {}) == []


def test_sqlite_absolute_path(tmp_path: Path) -> None:
    db = parse_database_url(f"sqlite:///{tmp_path}/sub/app.sqlite3")
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == str(tmp_path / "sub" / "app.sqlite3")
    assert db["OPTIONS"] == {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    assert not (tmp_path / "sub").exists(), "parsing must not touch the disk"


def test_sqlite_four_slashes_is_absolute() -> None:
    assert parse_database_url("sqlite:////srv/data/app.sqlite3")["NAME"] == "/srv/data/app.sqlite3"


def test_sqlite_relative_path_uses_base_dir(tmp_path: Path) -> None:
    db = parse_database_url("sqlite:///var/app.sqlite3", base_dir=tmp_path)
    assert db["NAME"] == str(tmp_path / "var" / "app.sqlite3")


def test_sqlite_memory() -> None:
    assert parse_database_url("sqlite://:memory:")["NAME"] == ":memory:"


def test_sqlite_options_are_a_fresh_copy() -> None:
    first = parse_database_url("sqlite:////tmp/a.sqlite3")
    first["OPTIONS"]["timeout"] = 1
    assert parse_database_url("sqlite:////tmp/a.sqlite3")["OPTIONS"]["timeout"] == 20


@pytest.mark.parametrize("scheme", ["postgres", "postgresql"])
def test_postgres_tcp(scheme: str) -> None:
    db = parse_database_url(f"{scheme}://sales:s%40cret@db.internal:6543/salesflow?sslmode=require")
    assert db == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "salesflow",
        "USER": "sales",
        "PASSWORD": "s@cret",
        "HOST": "db.internal",
        "PORT": "6543",
        "ATOMIC_REQUESTS": False,
        "CONN_MAX_AGE": 0,
        "OPTIONS": {"sslmode": "require"},
    }


def test_postgres_unix_socket_via_host_query() -> None:
    db = parse_database_url("postgres://postgres@:5433/salesflow?host=/tmp/pg%20sock")
    assert db["HOST"] == "/tmp/pg sock"
    assert db["PORT"] == "5433"
    assert db["USER"] == "postgres"
    assert db["PASSWORD"] == ""
    assert db["OPTIONS"] == {}


def test_postgres_defaults_without_host_and_port() -> None:
    db = parse_database_url("postgresql:///salesflow")
    assert (db["HOST"], db["PORT"], db["NAME"]) == ("", "", "salesflow")


@pytest.mark.parametrize(
    "url",
    [
        "mysql://u:p@h/db",
        "postgres://u:p@h:5432/",
        "postgres://u:p@h",
        "sqlite://",
        "sqlite:///",
        "sqlite://host/file.db",
        "nonsense",
        "",
        "postgres://u:p@h:notaport/db",
    ],
)
def test_bad_database_url_names_variable(url: str) -> None:
    with pytest.raises(ImproperlyConfigured) as excinfo:
        parse_database_url(url)
    assert "DATABASE_URL" in str(excinfo.value)


def test_bad_database_url_does_not_leak_password() -> None:
    with pytest.raises(ImproperlyConfigured) as excinfo:
        parse_database_url("mysql://user:topsecret@host/db")
    assert "topsecret" not in str(excinfo.value)

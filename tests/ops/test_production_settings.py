"""Production settings from the environment: generated secret key, refusals naming the variable."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from salesflow.config import allowed_hosts, parse_email_url, secret_key, trusted_origins

ROOT = Path(__file__).resolve().parents[2]


def test_secret_key_is_generated_once_into_var_with_private_mode(tmp_path: Path) -> None:
    first = secret_key(tmp_path, debug=False, environ={})
    assert len(first) >= 50 and not first.startswith("django-insecure")
    path = tmp_path / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secret_key(tmp_path, debug=False, environ={}) == first


def test_each_installation_gets_its_own_key(tmp_path: Path) -> None:
    assert secret_key(tmp_path / "a", False, {}) != secret_key(tmp_path / "b", False, {})


@pytest.mark.parametrize("weak", ["short", "django-insecure-" + "x" * 40])
def test_weak_secret_key_is_refused_outside_debug(tmp_path: Path, weak: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        secret_key(tmp_path, debug=False, environ={"SECRET_KEY": weak})
    assert secret_key(tmp_path, debug=True, environ={"SECRET_KEY": weak}) == weak


def test_unwritable_var_dir_names_secret_key(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        secret_key(blocker / "var", debug=False, environ={})


def test_wildcard_host_is_refused_outside_debug() -> None:
    with pytest.raises(ImproperlyConfigured, match="ALLOWED_HOSTS"):
        allowed_hosts(False, {"ALLOWED_HOSTS": "*"})
    assert allowed_hosts(True, {"ALLOWED_HOSTS": "*"}) == ["*"]
    assert allowed_hosts(False, {"ALLOWED_HOSTS": "sales.example.com, 10.0.0.4"}) == ["sales.example.com",
                                                                                       "10.0.0.4"]


def test_trusted_origins_need_a_scheme() -> None:
    assert trusted_origins({"CSRF_TRUSTED_ORIGINS": "https://sales.example.com"}) == ["https://sales.example.com"]
    with pytest.raises(ImproperlyConfigured, match="CSRF_TRUSTED_ORIGINS.*sales.example.com"):
        trusted_origins({"CSRF_TRUSTED_ORIGINS": "sales.example.com"})


def test_email_url_forms() -> None:
    smtp = parse_email_url("smtp://mailer:p%40ss@mail.example.com:587")
    assert (smtp["EMAIL_HOST"], smtp["EMAIL_PORT"], smtp["EMAIL_HOST_USER"], smtp["EMAIL_HOST_PASSWORD"]) == (
        "mail.example.com", 587, "mailer", "p@ss")
    assert smtp["EMAIL_USE_TLS"] is True and smtp["EMAIL_USE_SSL"] is False
    smtps = parse_email_url("smtps://u:p@mail.example.com")
    assert smtps["EMAIL_PORT"] == 465 and smtps["EMAIL_USE_SSL"] is True and smtps["EMAIL_USE_TLS"] is False
    assert parse_email_url("smtp://localhost:2525")["EMAIL_USE_TLS"] is False
    assert parse_email_url("console:")["EMAIL_BACKEND"].endswith("console.EmailBackend")
    assert parse_email_url("")["EMAIL_ENABLED"] is False


@pytest.mark.parametrize("url", ["http://mail", "smtp://", "smtp://host:99999", "smtp://host?tls=1"])
def test_bad_email_url_names_the_variable_and_hides_the_password(url: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL") as info:
        parse_email_url(url.replace("://", "://user:secret@") if "@" not in url and url.count("//") else url)
    assert "secret" not in str(info.value)


def _start(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    base = {key: value for key, value in os.environ.items()
            if key not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "EMAIL_URL"}}
    return subprocess.run([sys.executable, "-m", "salesflow.cli", *args], env={**base, **env, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=120)


@pytest.mark.installation
@pytest.mark.parametrize(("variable", "value"), [
    ("DEBUG", "perhaps"),
    ("ALLOWED_HOSTS", "*"),
    ("SECRET_KEY", "tooshort"),
    ("CSRF_TRUSTED_ORIGINS", "example.com"),
    ("EMAIL_URL", "pop3://mail"),
    ("DATABASE_URL", "mysql://db/x"),
])
def test_serve_refuses_bad_settings_naming_the_variable(tmp_path: Path, variable: str, value: str) -> None:
    result = _start({"SALESFLOW_VAR_DIR": str(tmp_path), variable: value}, "serve", "--check")
    assert result.returncode == 1
    assert variable in result.stderr and "Traceback" not in result.stderr


@pytest.mark.installation
def test_email_without_base_url_is_refused(tmp_path: Path) -> None:
    result = _start({"SALESFLOW_VAR_DIR": str(tmp_path), "EMAIL_URL": "console:"}, "serve", "--check")
    assert result.returncode == 1 and "SALESFLOW_BASE_URL" in result.stderr


@pytest.mark.installation
def test_serve_refuses_an_unmigrated_database_and_a_bad_bind(tmp_path: Path) -> None:
    result = _start({"SALESFLOW_VAR_DIR": str(tmp_path)}, "serve", "--check")
    assert result.returncode == 1 and "salesflow migrate" in result.stderr, result.stderr
    result = _start({"SALESFLOW_VAR_DIR": str(tmp_path)}, "serve", "--bind", "localhost", "--check")
    assert result.returncode == 1 and "--bind" in result.stderr

"""Fixture: a real OpenID provider in a subprocess, and Salesflow's settings pointing at it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.ops.run import free_port, wait_until_up

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Provider:
    url: str
    password: str = "idp-password-1"
    client_id: str = "salesflow"
    client_secret: str = "salesflow-test-client-secret"

    def endpoint(self, name: str) -> str:
        return f"{self.url}/openid/{name}"


def _env(db: Path, url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}}
    env.update({"PROVIDER_DB": str(db), "PROVIDER_URL": url, "PYTHONPATH": str(ROOT)})
    return env


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory, live_server) -> Iterator[Provider]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = _env(tmp_path_factory.mktemp("provider") / "provider.sqlite3", url)
    redirect = f"{live_server.url}/account/sso/callback/"
    setup = subprocess.run([sys.executable, "-m", "tests.sso.provider.setup", redirect], env=env, cwd=ROOT,
                           capture_output=True, text=True, timeout=120)
    assert setup.returncode == 0, setup.stderr
    server = subprocess.Popen([sys.executable, "-m", "django", "runserver", "--noreload", "--nothreading",
                               f"127.0.0.1:{port}", "--settings", "tests.sso.provider.settings"],
                              env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_up(f"{url}/openid/.well-known/openid-configuration", server)
        yield Provider(url)
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.fixture
def sso_settings(settings, provider: Provider) -> Provider:
    """Salesflow configured for the provider, groups mapped to roles and teams."""
    settings.SSO_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = provider.client_id
    settings.OIDC_RP_CLIENT_SECRET = provider.client_secret
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = provider.endpoint("authorize")
    settings.OIDC_OP_TOKEN_ENDPOINT = provider.endpoint("token")
    settings.OIDC_OP_USER_ENDPOINT = provider.endpoint("userinfo")
    settings.OIDC_OP_JWKS_ENDPOINT = provider.endpoint("jwks")
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.OIDC_RP_SCOPES = "openid email profile groups"
    settings.SSO_USERNAME_CLAIM = "preferred_username"
    settings.SSO_ROLES_CLAIM = "groups"
    settings.SSO_ROLES_MAP = {"sf-heads": "head_of_sales", "sf-kams": "kam"}
    settings.SSO_TEAMS_CLAIM = "groups"
    settings.SSO_TEAMS_MAP = {"team-north": "North"}
    settings.SSO_LABEL = "Sign in with the test provider"
    settings.AUTHENTICATION_BACKENDS = ["salesflow.sso.backend.SalesflowOIDCBackend",
                                        "django.contrib.auth.backends.ModelBackend"]
    return provider

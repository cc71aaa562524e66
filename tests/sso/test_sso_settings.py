"""Single sign-on settings: refusals naming the variable, the claim mapping, local passwords off."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from salesflow.people.services import do_add_user
from salesflow.sso.config import map_claims, parse_map, sso_settings

COMPLETE = {"OIDC_RP_CLIENT_ID": "salesflow", "OIDC_RP_CLIENT_SECRET": "s",
            "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://idp.example.com/auth",
            "OIDC_OP_TOKEN_ENDPOINT": "https://idp.example.com/token",
            "OIDC_OP_USER_ENDPOINT": "https://idp.example.com/userinfo",
            "OIDC_OP_JWKS_ENDPOINT": "https://idp.example.com/jwks"}


def test_off_without_a_client_id() -> None:
    assert sso_settings({}) == {"SSO_ENABLED": False}


def test_missing_endpoint_is_named() -> None:
    incomplete = {key: value for key, value in COMPLETE.items() if key != "OIDC_OP_JWKS_ENDPOINT"}
    with pytest.raises(ImproperlyConfigured, match="OIDC_OP_JWKS_ENDPOINT"):
        sso_settings(incomplete)


def test_bad_map_is_named() -> None:
    with pytest.raises(ImproperlyConfigured, match="SSO_ROLES_MAP.*heads"):
        sso_settings({**COMPLETE, "SSO_ROLES_MAP": "heads"})
    assert parse_map("X", "a=b, c = Team C") == {"a": "b", "c": "Team C"}


def test_claims_to_roles_and_teams() -> None:
    known = {"kam", "head_of_sales", "auditor"}
    claims = {"groups": ["sf-heads", "auditor", "unknown", "team-north"], "teams": "North South"}
    assert map_claims(claims, "groups", {"sf-heads": "head_of_sales"}, known) == (["auditor", "head_of_sales"], [])
    assert map_claims(claims, "groups", {}, known, "groups", {"team-north": "North"}) == (["auditor"], ["North"])
    assert map_claims(claims, "groups", {}, known, "teams") == (["auditor"], ["North", "South"])
    assert map_claims({}, "groups", {}, known) == ([], [])


@pytest.mark.django_db
def test_local_password_refused_when_switched_off(settings) -> None:
    for key, value in COMPLETE.items():
        setattr(settings, key, value)
    settings.SSO_ENABLED, settings.LOCAL_LOGIN = True, False
    settings.AUTHENTICATION_BACKENDS = ["salesflow.sso.backend.SalesflowOIDCBackend"]
    do_add_user("lena", ["kam"], password="local-pw-1")
    client = Client()
    client.post("/accounts/login/", {"username": "lena", "password": "local-pw-1"})
    assert "_auth_user_id" not in client.session
    page = client.get("/accounts/login/").content.decode()
    assert 'id="sso-sign-in"' in page and 'type="password"' not in page


@pytest.mark.django_db
def test_sso_pages_are_absent_without_sso() -> None:
    assert Client().get("/account/sso/start/").status_code == 404

"""Single sign-on settings from the environment, and the claim → role/team mapping as a pure function.

Variables (all optional; SSO is on when ``OIDC_RP_CLIENT_ID`` is set):

``OIDC_RP_CLIENT_ID``, ``OIDC_RP_CLIENT_SECRET`` — the client registered at the identity provider;
``OIDC_OP_AUTHORIZATION_ENDPOINT``, ``OIDC_OP_TOKEN_ENDPOINT``, ``OIDC_OP_USER_ENDPOINT``,
``OIDC_OP_JWKS_ENDPOINT`` — the provider's endpoints (from its ``.well-known/openid-configuration``);
``OIDC_RP_SIGN_ALGO`` (default RS256); ``OIDC_RP_SCOPES`` (default ``openid email profile``);
``SSO_USERNAME_CLAIM`` (default ``preferred_username``);
``SSO_ROLES_CLAIM`` (default ``groups``) and ``SSO_ROLES_MAP`` (``claim value=role id`` pairs, comma
separated; a value not in the map that is itself a role id is taken as it is);
``SSO_TEAMS_CLAIM`` and ``SSO_TEAMS_MAP`` (``claim value=Team name``; without a map a value is the team name);
``SSO_LABEL`` (the button's text, e.g. "Sign in with Entra ID"); ``LOCAL_LOGIN`` (default on: off
leaves SSO as the only way to sign in to the web app).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured

REQUIRED = ("OIDC_RP_CLIENT_SECRET", "OIDC_OP_AUTHORIZATION_ENDPOINT", "OIDC_OP_TOKEN_ENDPOINT",
            "OIDC_OP_USER_ENDPOINT", "OIDC_OP_JWKS_ENDPOINT")
BACKEND = "salesflow.sso.backend.SalesflowOIDCBackend"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def parse_map(name: str, raw: str) -> dict[str, str]:
    """``a=b,c=d`` → ``{"a": "b", "c": "d"}``; an item without ``=`` raises naming the variable."""
    result: dict[str, str] = {}
    for item in (raw or "").split(","):
        if not item.strip():
            continue
        if "=" not in item:
            raise ImproperlyConfigured(f"{name}: expected claim value=target pairs separated by commas; got {item!r}")
        key, value = (part.strip() for part in item.split("=", 1))
        if not key or not value:
            raise ImproperlyConfigured(f"{name}: empty claim value or target in {item!r}")
        result[key] = value
    return result


def sso_settings(environ: Mapping[str, str]) -> dict[str, Any]:
    """The Django settings of single sign-on (empty ``SSO_ENABLED`` False when no client id is set)."""
    client_id = (environ.get("OIDC_RP_CLIENT_ID") or "").strip()
    if not client_id:
        return {"SSO_ENABLED": False}
    missing = [name for name in REQUIRED if not (environ.get(name) or "").strip()]
    if missing:
        raise ImproperlyConfigured(f"{', '.join(missing)} must be set when OIDC_RP_CLIENT_ID is set (single sign-on)")
    for name in REQUIRED[1:]:
        if not environ[name].strip().startswith(("https://", "http://")):
            raise ImproperlyConfigured(f"{name} must be a URL; got {environ[name]!r}")
    return {
        "SSO_ENABLED": True,
        "OIDC_RP_CLIENT_ID": client_id,
        **{name: environ[name].strip() for name in REQUIRED},
        "OIDC_RP_SIGN_ALGO": (environ.get("OIDC_RP_SIGN_ALGO") or "RS256").strip(),
        "OIDC_RP_SCOPES": (environ.get("OIDC_RP_SCOPES") or "openid email profile").strip(),
        "SSO_USERNAME_CLAIM": (environ.get("SSO_USERNAME_CLAIM") or "preferred_username").strip(),
        "SSO_ROLES_CLAIM": (environ.get("SSO_ROLES_CLAIM") or "groups").strip(),
        "SSO_ROLES_MAP": parse_map("SSO_ROLES_MAP", environ.get("SSO_ROLES_MAP", "")),
        "SSO_TEAMS_CLAIM": (environ.get("SSO_TEAMS_CLAIM") or "").strip(),
        "SSO_TEAMS_MAP": parse_map("SSO_TEAMS_MAP", environ.get("SSO_TEAMS_MAP", "")),
        "SSO_LABEL": (environ.get("SSO_LABEL") or "").strip(),
    }


def _values(claims: Mapping[str, Any], claim: str) -> list[str]:
    if not claim:
        return []
    value = claims.get(claim)
    if value is None:
        return []
    if isinstance(value, str):
        return [item for item in value.replace(",", " ").split() if item]
    if isinstance(value, Iterable):
        return [str(item) for item in value]
    return [str(value)]


def map_claims(claims: Mapping[str, Any], roles_claim: str, roles_map: Mapping[str, str], known_roles: set[str],
               teams_claim: str = "", teams_map: Mapping[str, str] | None = None) -> tuple[list[str], list[str]]:
    """The role ids and team names a user's claims give (roles not known to Salesflow are left out)."""
    roles = []
    for value in _values(claims, roles_claim):
        role = roles_map.get(value) or (value if value in known_roles else None)
        if role in known_roles and role not in roles:
            roles.append(role)
    teams = []
    for value in _values(claims, teams_claim):
        team = (teams_map or {}).get(value, value if not teams_map else None)
        if team and team not in teams:
            teams.append(team)
    return sorted(roles), sorted(teams)

"""Signing in through the company's identity provider: the user is found or created, roles and teams
follow the claims (the identity provider is the source of truth when a mapping is configured)."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from salesflow.people.models import Role, Team, User
from salesflow.people.security import log_security_event
from salesflow.sso.config import map_claims

log = logging.getLogger("salesflow.sso")


class SalesflowOIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend with Salesflow's user names, roles and teams."""

    def _username(self, claims: dict[str, Any]) -> str:
        return str(claims.get(settings.SSO_USERNAME_CLAIM) or claims.get("email") or claims.get("sub") or "")[:150]

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        """A sign-in needs a user name (or e-mail address) claim."""
        return bool(self._username(claims))

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        """The user with the claimed user name, else the one with the claimed e-mail address."""
        found = User.objects.filter(username__iexact=self._username(claims))
        if found.exists():
            return found
        email = claims.get("email")
        return User.objects.filter(email__iexact=email) if email else User.objects.none()

    def _mapped(self, claims: dict[str, Any]) -> tuple[list[str], list[str]]:
        return map_claims(claims, settings.SSO_ROLES_CLAIM, settings.SSO_ROLES_MAP,
                          set(Role.objects.values_list("id", flat=True)), settings.SSO_TEAMS_CLAIM,
                          settings.SSO_TEAMS_MAP)

    def create_user(self, claims: dict[str, Any]) -> Any:
        """A first sign-in creates the user (no local password) with the roles and teams of the claims."""
        from salesflow.people.services import do_add_user

        roles, teams = self._mapped(claims)
        user = do_add_user(self._username(claims), roles, teams, email=claims.get("email", ""),
                           first_name=str(claims.get("given_name", ""))[:150],
                           last_name=str(claims.get("family_name", ""))[:150])
        log_security_event("sso_user_created", user, request=self.request, subject=str(claims.get("sub", "")),
                           roles=roles, teams=teams)
        return user

    def update_user(self, user: Any, claims: dict[str, Any]) -> Any:
        """Every sign-in brings roles and teams in line with the claims (when a claim is configured)."""
        if not user.is_active:
            return user
        roles, teams = self._mapped(claims)
        with transaction.atomic():
            before_roles = sorted(user.roles.values_list("id", flat=True))
            before_teams = sorted(user.teams.values_list("name", flat=True))
            changed = {}
            if settings.SSO_ROLES_CLAIM and roles != before_roles:
                user.roles.set(roles)
                changed["roles"] = {"old": before_roles, "new": roles}
            if settings.SSO_TEAMS_CLAIM and teams != before_teams:
                user.teams.set([Team.objects.get_or_create(name=name)[0] for name in teams])
                changed["teams"] = {"old": before_teams, "new": teams}
            if claims.get("email") and claims["email"] != user.email:
                user.email = claims["email"]
                user.save(update_fields=["email"])
            if changed:
                log_security_event("sso_roles_synced", user, request=self.request, **changed)
        return user

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        """As mozilla-django-oidc, but a deactivated user is refused (and the refusal logged)."""
        user = super().get_or_create_user(access_token, id_token, payload)
        if user is not None and not user.is_active:
            log_security_event("login_failed", user, request=self.request, method="sso", reason="inactive")
            return None
        return user

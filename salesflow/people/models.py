"""Users with roles and teams.

Roles are the role ids of the process library: those its processes declare plus the library-wide
roles of its settings file (``library_settings.roles``). A user acts in a process through the roles
they hold.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.Model):
    """A role a user can hold: a role of a process or a library-wide role (``system``) of the library settings."""

    id = models.SlugField(primary_key=True, max_length=64)
    title = models.JSONField(default=dict, help_text="Title by language code.")
    system = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title_in("en")

    def title_in(self, language: str) -> str:
        """The role's title in a language (falling back to English, then the id)."""
        return self.title.get(language) or self.title.get("en") or self.id


class Team(models.Model):
    """A sales team; confidential records are visible to their owner's team."""

    name = models.CharField(max_length=100, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children",
                               help_text="The team this team belongs to (teams nest: the sales hierarchy).")
    manager = models.ForeignKey("people.User", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="managed_teams",
                                help_text="Who manages the team (may adjust its forecast).")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who works with Salesflow."""

    roles = models.ManyToManyField(Role, blank=True, related_name="users")
    teams = models.ManyToManyField(Team, blank=True, related_name="members")
    must_change_password = models.BooleanField(
        default=False, help_text="Set with a one-time password: the user must choose a new one at the next sign-in.")
    manager = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports",
                                help_text="Who coaches this user (holds their 1:1 meetings).")

    class Meta:
        ordering = ["username"]

    @property
    def display_name(self) -> str:
        """Full name, or the user name."""
        return self.get_full_name() or self.username

    def role_ids(self) -> frozenset[str]:
        """The ids of the roles the user holds (cached on the instance)."""
        cached = getattr(self, "_role_ids", None)
        if cached is None:
            cached = frozenset(self.roles.values_list("id", flat=True))
            self._role_ids = cached
        return cached

    def remember_role_ids(self, role_ids: Iterable[str]) -> None:
        """Keep the role ids read together with the user (`role_ids` then asks no query)."""
        self._role_ids = frozenset(role_ids)

    @staticmethod
    def load_role_ids(users: Iterable[User]) -> None:
        """Read the role ids of every user whose roles are not known yet, in one query."""
        missing = {user.pk: user for user in users if getattr(user, "_role_ids", None) is None}
        if not missing:
            return
        found: dict[int, list[str]] = {pk: [] for pk in missing}
        for user_id, role_id in User.roles.through.objects.filter(user_id__in=list(missing)).values_list(
                "user_id", "role_id"):
            found[user_id].append(role_id)
        for pk, role_ids in found.items():
            missing[pk].remember_role_ids(role_ids)


class ApiToken(models.Model):
    """A personal API token: a script acts through it with its user's roles.

    Only the SHA-256 hash of the secret is stored; the secret is shown once, when the token is
    created. ``prefix`` (the secret's first characters) lets the user tell their tokens apart.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. 'CRM sync'.")
    prefix = models.CharField(max_length=8, help_text="The first characters of the secret, shown to tell tokens apart.")
    secret_sha256 = models.CharField(max_length=64, unique=True, help_text="SHA-256 (hex) of the secret.")
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now: object) -> bool:
        """True when the token is neither revoked nor expired at ``now`` (its user's state aside)."""
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class SignInThrottle(models.Model):
    """Failed sign-ins counted against one subject (an account or a client address), shared by every worker.

    ``subject`` is a SHA-256 of ``scope:value`` (no user name or address is stored in clear);
    ``failures`` counts the failures since ``window_started``; ``locked_until`` is set when the
    subject's threshold is reached. See `salesflow.people.throttle`.
    """

    subject = models.CharField(max_length=64, unique=True)
    scope = models.CharField(max_length=16)
    failures = models.PositiveIntegerField(default=0)
    window_started = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["window_started"], name="people_throttle_window_idx")]

    def __str__(self) -> str:
        return f"{self.scope} {self.subject[:8]}… ({self.failures})"

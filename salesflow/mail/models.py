"""The outbox and each user's e-mail preferences."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class MailPreference(models.Model):
    """What e-mail a user wants, and in which language."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True,
                                related_name="mail_preference")
    language = models.CharField(max_length=8, blank=True, help_text="'' = the installation's language.")
    immediate = models.BooleanField(default=True, help_text="An e-mail for each notification.")
    digest = models.BooleanField(default=True, help_text="The daily digest of unread notifications.")
    muted_kinds = models.JSONField(default=list, blank=True, help_text="Notification kinds never e-mailed.")

    def __str__(self) -> str:
        return f"mail preferences of {self.user_id}"


class OutboundMail(models.Model):
    """An e-mail to send: kept until sent, retried with growing pauses after a failure, never dropped."""

    PENDING, SENDING, SENT = "pending", "sending", "sent"
    STATES = [(PENDING, PENDING), (SENDING, SENDING), (SENT, SENT)]

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    to_address = models.CharField(max_length=254)
    kind = models.SlugField(max_length=48)
    dedupe_key = models.CharField(max_length=120, unique=True, help_text="The same mail is never queued twice.")
    subject = models.CharField(max_length=300)
    text = models.TextField()
    html = models.TextField(blank=True)
    created_at = models.DateTimeField()
    state = models.CharField(max_length=8, choices=STATES, default=PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to_address} ({self.state})"

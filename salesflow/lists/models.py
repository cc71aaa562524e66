"""A filter a user saved on one of the main lists, under a name of their choosing."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SavedFilter(models.Model):
    """One named filter of one list (``records``, ``accounts``, ``audit``) of one user.

    ``query`` holds the list's query parameters (name → value) exactly as the list reads them.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters")
    list = models.SlugField(max_length=32)
    name = models.CharField(max_length=80)
    query = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "list", "name"], name="unique_saved_filter_name")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.list}: {self.name}"

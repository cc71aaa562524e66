"""Customer accounts (companies) and their contacts.

A minimal model for now: importers create accounts and records keep the account's name in
``Record.account``; a later issue links records to accounts and extends both.
"""

from __future__ import annotations

import re
import unicodedata

from django.db import models

#: Legal-form suffixes ignored when account names are compared.
_LEGAL_FORMS = re.compile(
    r"\b(inc|incorporated|corp|corporation|co|company|ltd|limited|llc|plc|gmbh|ag|kg|se|sa|sarl|bv|nv|oy|ab)\b\.?")


def normalise_name(name: str) -> str:
    """An account name reduced for matching: case, accents, punctuation and legal forms ignored."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    text = text.replace("&", " and ")
    text = _LEGAL_FORMS.sub(" ", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())[:300]


class Account(models.Model):
    """A customer or prospect company."""

    name = models.CharField(max_length=300)
    normalised_name = models.CharField(max_length=300, db_index=True, editable=False)
    domain = models.CharField(max_length=253, blank=True, help_text="The company's web domain, e.g. example.com.")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        """Keep the normalised name in step with the name."""
        self.normalised_name = normalise_name(self.name)
        super().save(*args, **kwargs)


class Contact(models.Model):
    """A person at an account."""

    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts")
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=64, blank=True)
    title = models.CharField(max_length=200, blank=True, help_text="Job title.")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["last_name", "first_name", "id"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.email or f"contact {self.pk}"

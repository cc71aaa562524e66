"""Customer accounts (companies) and their contacts.

Importers and lead conversion create accounts; records point to their customer through
``Record.customer`` (``Record.account`` keeps the name text). An account carries its ABC segment
(`salesflow.accounts.segmentation`) and can tell whether it is an existing customer.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from typing import Any

from django.db import models
from django.db.models import Exists, OuterRef
from django.utils import timezone

#: Legal-form suffixes ignored when account names are compared.
_LEGAL_FORMS = re.compile(
    r"\b(inc|incorporated|corp|corporation|co|company|ltd|limited|llc|plc|gmbh|ag|kg|se|sa|sarl|bv|nv|oy|ab)\b\.?")

#: The record type whose won records are revenue and make an account an existing customer.
OPPORTUNITY_RECORD_TYPE = "opportunity"
WON = "won"


def normalise_name(name: str) -> str:
    """An account name reduced for matching: case, accents, punctuation and legal forms ignored."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    text = text.replace("&", " and ")
    text = _LEGAL_FORMS.sub(" ", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())[:300]


def as_instant(as_of: datetime.date | datetime.datetime | None) -> datetime.datetime:
    """The moment "before as_of" refers to: a date-time as given (no zone: the current zone),
    a date at the start of that day in the current time zone, None now."""
    if as_of is None:
        return timezone.now()
    if isinstance(as_of, datetime.datetime):
        return as_of if timezone.is_aware(as_of) else timezone.make_aware(as_of)
    return timezone.make_aware(datetime.datetime.combine(as_of, datetime.time()))


def won_opportunities(before: datetime.datetime | None = None) -> models.QuerySet[Any]:
    """Records of opportunity processes that were won (closed before ``before`` when given)."""
    from salesflow.records.models import Record

    query = Record.objects.filter(outcome=WON, process__record_type=OPPORTUNITY_RECORD_TYPE)
    if before is not None:
        query = query.filter(closed_at__lt=before)
    return query


class AccountQuerySet(models.QuerySet):
    """Account queries: new vs existing customers."""

    def with_customer_status(self, as_of: datetime.date | datetime.datetime | None = None) -> AccountQuerySet:
        """Annotate ``existing_customer`` (bool): at least one won opportunity closed before ``as_of``."""
        won = won_opportunities(as_instant(as_of)).filter(customer=OuterRef("pk"))
        return self.annotate(existing_customer=Exists(won))

    def existing_customers(self, as_of: datetime.date | datetime.datetime | None = None) -> AccountQuerySet:
        """Accounts with a won opportunity closed before ``as_of``."""
        return self.with_customer_status(as_of).filter(existing_customer=True)

    def new_customers(self, as_of: datetime.date | datetime.datetime | None = None) -> AccountQuerySet:
        """Accounts without a won opportunity closed before ``as_of`` (prospects and new customers)."""
        return self.with_customer_status(as_of).filter(existing_customer=False)


class Account(models.Model):
    """A customer or prospect company."""

    SEGMENTS = ("A", "B", "C")
    SEGMENT_CHOICES = [("A", "A"), ("B", "B"), ("C", "C")]
    #: What the account is: a customer (or prospect), or a channel partner that sells for us.
    CUSTOMER = "customer"
    PARTNER = "partner"
    KIND_CHOICES = [(CUSTOMER, "Customer"), (PARTNER, "Partner")]

    name = models.CharField(max_length=300)
    normalised_name = models.CharField(max_length=300, db_index=True, editable=False)
    domain = models.CharField(max_length=253, blank=True, help_text="The company's web domain, e.g. example.com.")
    created_at = models.DateTimeField()
    # --- ABC segmentation (salesflow.accounts.segmentation) -----------------------------------
    segment = models.CharField(max_length=1, blank=True, choices=SEGMENT_CHOICES, db_index=True,
                               help_text="ABC segment by won revenue; empty until segmented.")
    segment_revenue = models.DecimalField(max_digits=17, decimal_places=2, default=0,
                                          help_text="Won revenue in the segmentation window.")
    segmented_at = models.DateTimeField(null=True, blank=True)
    segment_window_days = models.PositiveIntegerField(null=True, blank=True,
                                                      help_text="Length of the window the segment was computed on.")
    # --- channel partners (salesflow.accounts.partners) ----------------------------------------
    kind = models.CharField(max_length=16, choices=KIND_CHOICES, default=CUSTOMER, db_index=True)
    tier = models.CharField(max_length=32, blank=True, help_text="A partner's tier, e.g. Gold.")
    region = models.CharField(max_length=100, blank=True, help_text="A partner's region.")

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        """Keep the normalised name in step with the name."""
        self.normalised_name = normalise_name(self.name)
        super().save(*args, **kwargs)

    def is_existing_customer(self, as_of: datetime.date | datetime.datetime | None = None) -> bool:
        """True when the account has at least one won opportunity closed before ``as_of`` (default: now).

        A date means the start of that day (current time zone): a deal won on that day does not count yet.
        """
        if self.pk is None:
            return False
        return won_opportunities(as_instant(as_of)).filter(customer_id=self.pk).exists()


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


class PartnerLead(models.Model):
    """A lead a channel partner brought in (its attribution is an event in the chain)."""

    partner = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="sourced_leads")
    record = models.OneToOneField("records.Record", on_delete=models.CASCADE, related_name="partner_source")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"lead {self.record_id} from {self.partner}"

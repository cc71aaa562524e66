"""Request and response bodies of creating, editing and merging accounts and contacts (``/api/accounts``)."""

from __future__ import annotations

from typing import Annotated

from ninja import Field, Schema

from salesflow.api.schemas import MAX_ID, ObjectBody, Text

AccountRef = Annotated[int, Field(ge=1, le=MAX_ID)]


class AccountIn(Schema):
    """A new account: ``name`` required; ``domain`` a web domain (``https://www.acme.com`` becomes ``acme.com``).
    An account of the same normalised name is refused (400, naming it) unless ``allow_duplicate``."""

    name: Text = Field(max_length=300)
    domain: Text = Field(default="", max_length=253)
    allow_duplicate: bool = False


class AccountPatch(ObjectBody):
    """Change the name and/or the domain (``""`` clears it); left out: unchanged."""

    name: Text | None = Field(default=None, max_length=300)
    domain: Text | None = Field(default=None, max_length=253)


class MergeIn(Schema):
    """The duplicate account to merge into this one (it is deleted; its records, contacts, activities move)."""

    duplicate: AccountRef


class MergeOut(Schema):
    """What a merge moved: ``records`` lists only the records you may see."""

    account_id: int
    account: str
    merged_id: int
    merged: str
    records: list[int]
    contacts: list[int]
    activities: list[int]
    partner_leads: list[int]
    assessments: list[int]
    taken: dict[str, str]


class ContactIn(Schema):
    """A new contact: a name or an e-mail address is required."""

    first_name: Text = Field(default="", max_length=150)
    last_name: Text = Field(default="", max_length=150)
    email: Text = Field(default="", max_length=254)
    phone: Text = Field(default="", max_length=64)
    title: Text = Field(default="", max_length=200, description="Job title.")


class ContactPatch(ObjectBody):
    """Change a contact's fields and/or its account (``account``: an id; ``0`` for none); left out: unchanged."""

    first_name: Text | None = Field(default=None, max_length=150)
    last_name: Text | None = Field(default=None, max_length=150)
    email: Text | None = Field(default=None, max_length=254)
    phone: Text | None = Field(default=None, max_length=64)
    title: Text | None = Field(default=None, max_length=200)
    account: Annotated[int, Field(ge=0, le=MAX_ID)] | None = None


class ContactDetailOut(Schema):
    """A contact with its account's id (null: none)."""

    id: int
    name: str
    first_name: str
    last_name: str
    email: str
    phone: str
    title: str
    account: int | None

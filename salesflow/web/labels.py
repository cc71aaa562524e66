"""Translated labels of the fixed vocabulary: classifications, forecast categories, outcomes, field types."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

CLASSIFICATIONS = {
    "public": _("Public"),
    "internal": _("Internal"),
    "confidential": _("Confidential"),
    "strictly_confidential": _("Strictly confidential"),
}

FORECAST_CATEGORIES = {
    "pipeline": _("Pipeline"),
    "best_case": _("Best case"),
    "commit": _("Commit"),
    "closed": _("Closed"),
    "omitted": _("Omitted"),
}

OUTCOMES = {"won": _("Won"), "lost": _("Lost")}

STATUSES = {"open": _("Open"), "won": _("Won"), "lost": _("Lost"), "closed": _("Closed")}

GUIDELINE_STATUSES = {
    "draft": _("Draft"),
    "in_review": _("In review"),
    "approved": _("Approved"),
    "obsolete": _("Obsolete"),
}

#: Built-in record fields.
BUILTIN_FIELD_TITLES = {
    "title": _("Title"),
    "owner": _("Owner"),
    "account": _("Account"),
    "amount": _("Amount"),
    "currency": _("Currency"),
    "close_date": _("Close date"),
    "classification": _("Classification"),
}

SORTS = {
    "-id": _("Newest first"),
    "id": _("Oldest first"),
    "-amount": _("Amount, highest first"),
    "amount": _("Amount, lowest first"),
    "close_date": _("Close date, soonest first"),
    "-close_date": _("Close date, latest first"),
    "title": _("Title A–Z"),
    "-title": _("Title Z–A"),
    "stage": _("Stage"),
    "-updated": _("Recently changed"),
    "stage_entered": _("Longest in stage"),
}

RACI = {
    "responsible": _("Responsible"),
    "accountable": _("Accountable"),
    "consulted": _("Consulted"),
    "informed": _("Informed"),
}


def label(table: dict, key: str | None) -> str:
    """The translated label of ``key`` in ``table`` (the key made readable when unknown)."""
    if not key:
        return ""
    found = table.get(key)
    return str(found) if found is not None else key.replace("_", " ").capitalize()

RIGHTS = {
    "move": _("Move records"),
    "edit": _("Edit fields of records they do not own"),
    "override": _("Override unmet gates (with a reason)"),
    "set_probability": _("Override the probability"),
    "create": _("Create records"),
}

"""Accounts and contacts kept in the browser: create and edit an account, add and edit contacts, merge a
duplicate, and the account picker of the record form (search as you type, a new account inline).

Each form calls one service of `salesflow.accounts.services` (which writes the change and its event);
a refusal is shown at the field it names. Accounts are for sales staff; read-only users see no forms.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from salesflow.accounts import services
from salesflow.accounts.duplicates import find_duplicates
from salesflow.accounts.models import Account, Contact
from salesflow.engine.errors import EngineError
from salesflow.people import access
from salesflow.web.i18n import localize
from salesflow.web.views.common import status_of

#: Accounts the picker lists at most.
PICKER_LIMIT = 8


class AccountForm(forms.Form):
    """An account's name and web domain."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=300)
    domain = forms.CharField(label=gettext_lazy("Web domain"), max_length=253, required=False,
                             help_text=gettext_lazy("e.g. example.com"))
    allow_duplicate = forms.BooleanField(label=gettext_lazy("Create it although an account of this name exists"),
                                         required=False)


class ContactForm(forms.Form):
    """A contact's fields."""

    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=150, required=False)
    email = forms.CharField(label=gettext_lazy("E-mail"), max_length=254, required=False)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=64, required=False)
    title = forms.CharField(label=gettext_lazy("Job title"), max_length=200, required=False)


def _editor(request: HttpRequest) -> None:
    if not access.is_staff_member(request.user):
        raise PermissionDenied(_("Your roles do not allow this."))
    if not services.may_edit(request.user):
        raise PermissionDenied(_("You have read-only access."))


def _show(form: forms.Form, refusal: EngineError) -> None:
    """Attach a service refusal (``"name: …"``) to the field it names, else to the form."""
    message = localize(refusal.message)
    name, _sep, rest = message.partition(":")
    if name.strip() in form.fields and rest:
        form.add_error(name.strip(), rest.strip())
    else:
        form.add_error(None, message)


def _account(account_id: int) -> Account:
    found = Account.objects.filter(pk=account_id).first()
    if found is None:
        raise Http404(_("No such account."))
    return found


# --- accounts ------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def account_create(request: HttpRequest) -> HttpResponse:
    """A new account (event ``account_created``); a same-named one is named and must be confirmed."""
    _editor(request)
    form = AccountForm(request.POST or None, initial={"name": request.GET.get("name", "")[:300]})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                account = services.do_create_account(request.user, form.cleaned_data["name"],
                                                      form.cleaned_data["domain"], source="web",
                                                      allow_duplicate=form.cleaned_data["allow_duplicate"])
            except EngineError as refusal:
                _show(form, refusal)
                status = status_of(refusal)
            else:
                messages.success(request, _("Created the account “%(name)s”.") % {"name": account.name})
                return redirect(reverse("customer", args=[account.pk]))
    return render(request, "web/accounts_form.html", {"form": form, "account": None}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def account_edit(request: HttpRequest, account_id: int) -> HttpResponse:
    """Change an account's name and domain (event ``account_changed``)."""
    _editor(request)
    account = _account(account_id)
    form = AccountForm(request.POST or None, initial={"name": account.name, "domain": account.domain})
    form.fields.pop("allow_duplicate")
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.do_update_account(request.user, account.pk, form.cleaned_data)
            except EngineError as refusal:
                _show(form, refusal)
                status = status_of(refusal)
            else:
                messages.success(request, _("Saved the account."))
                return redirect(reverse("customer", args=[account.pk]))
    return render(request, "web/accounts_form.html", {"form": form, "account": account}, status=status)


# --- contacts ------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def contact_create(request: HttpRequest, account_id: int) -> HttpResponse:
    """Add a contact to the account (event ``contact_created``)."""
    _editor(request)
    account = _account(account_id)
    form = ContactForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.do_create_contact(request.user, account.pk, form.cleaned_data)
            except EngineError as refusal:
                _show(form, refusal)
                status = status_of(refusal)
            else:
                messages.success(request, _("Added the contact."))
                return redirect(reverse("customer", args=[account.pk]) + "#contacts")
    return render(request, "web/contact_form.html", {"form": form, "account": account, "contact": None},
                  status=status)


@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, contact_id: int) -> HttpResponse:
    """Change a contact's fields (event ``contact_changed``)."""
    _editor(request)
    contact = Contact.objects.select_related("account").filter(pk=contact_id).first()
    if contact is None:
        raise Http404(_("Not found."))
    form = ContactForm(request.POST or None, initial={name: getattr(contact, name) for name in services.CONTACT_FIELDS})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.do_update_contact(request.user, contact.pk, form.cleaned_data)
            except EngineError as refusal:
                _show(form, refusal)
                status = status_of(refusal)
            else:
                messages.success(request, _("Saved the contact."))
                return redirect(reverse("contact", args=[contact.pk]))
    return render(request, "web/contact_form.html", {"form": form, "account": contact.account, "contact": contact},
                  status=status)


# --- merging -------------------------------------------------------------------------------------

def merge_candidates(account: Account) -> list[Account]:
    """Accounts that look like the same company (same normalised name or domain), the account itself left out."""
    ids = [match.target_id for match in find_duplicates(account.name, account.domain and f"x@{account.domain}")
           if match.kind == "account" and match.target_id != account.pk]
    return list(Account.objects.filter(pk__in=ids).order_by("name", "id"))


def _moves(account: Account, user: Any) -> dict[str, int]:
    """What merging ``account`` away would move, counted as ``user`` may see it."""
    from salesflow.accounts.overview import visible_records
    from salesflow.activities.services import visible_activities

    return {"records": visible_records(user).filter(customer=account).count(),
            "contacts": account.contacts.count(),
            "activities": visible_activities(user).filter(account=account).count()}


@login_required
@require_http_methods(["GET", "POST"])
def account_merge(request: HttpRequest, account_id: int) -> HttpResponse:
    """Merge a duplicate into this account: pick it, see what moves, confirm (library right ``merge_accounts``)."""
    if not access.is_staff_member(request.user) or not services.may_merge(request.user):
        raise PermissionDenied(_("Your roles do not include the right to merge accounts."))
    account = _account(account_id)
    raw = request.POST.get("duplicate") or request.GET.get("duplicate") or ""
    wanted = int(raw) if raw.isdigit() and len(raw) <= 15 else None
    duplicate = Account.objects.filter(pk=wanted).exclude(pk=account.pk).first() if wanted else None
    error = ""
    if raw and duplicate is None:
        error = _("Account %(id)s does not exist or is this account.") % {"id": raw[:20]}
    status = 400 if error else 200
    if request.method == "POST" and duplicate is not None and request.POST.get("confirm") == "yes":
        try:
            result = services.do_merge_accounts(request.user, account.pk, duplicate.pk)
        except EngineError as refusal:
            error, status = localize(refusal.message), status_of(refusal)
        else:
            messages.success(request, _("Merged “%(merged)s” into this account.") % {"merged": result.merged_name})
            return redirect(reverse("customer", args=[account.pk]))
    context = {"account": account, "duplicate": duplicate, "candidates": merge_candidates(account), "error": error,
               "moves": _moves(duplicate, request.user) if duplicate is not None else None}
    return render(request, "web/accounts_merge.html", context, status=status)


# --- the picker ----------------------------------------------------------------------------------

@login_required
@require_GET
def account_search(request: HttpRequest) -> HttpResponse:
    """The picker's options for the typed text (``q`` or ``account``): matching accounts and "new account"."""
    if not access.is_staff_member(request.user):
        raise PermissionDenied(_("Your roles do not allow this."))
    text = (request.GET.get("q") or request.GET.get("account") or "").strip()[:300]
    found = services.search(text, PICKER_LIMIT)
    exact = any(account.normalised_name == services.normalise_name(text) for account in found)
    context = {"accounts": found, "text": text, "may_create": bool(text) and not exact and
               services.may_edit(request.user)}
    return render(request, "web/partials/account_options.html", context)


@login_required
@require_POST
def account_quick_create(request: HttpRequest) -> HttpResponse:
    """Create the typed account from the picker (event ``account_created``) and pick it."""
    if not access.is_staff_member(request.user) or not services.may_edit(request.user):
        raise PermissionDenied(_("You have read-only access."))
    name = (request.POST.get("account") or request.POST.get("name") or "").strip()
    try:
        account = services.do_create_account(request.user, name, source="web")
    except EngineError as refusal:
        return render(request, "web/partials/account_options.html",
                      {"accounts": services.search(name, PICKER_LIMIT), "text": name, "may_create": False,
                       "error": localize(refusal.message)}, status=status_of(refusal))
    return render(request, "web/partials/account_options.html", {"accounts": [account], "picked": account,
                                                                  "text": name, "may_create": False})

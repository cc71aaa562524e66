"""Forms of the web interface. They collect what a person types; the engine checks and converts it.

`RecordForm` is built from a process definition (its built-in and declared fields) and serves both
creating a record and editing its fields. Its fields are plain text and choices: the engine's
`coerce` is the one place that parses amounts, dates and the like, and its `BadInput` message is
shown at the field it names.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from salesflow.people.models import User
from salesflow.process.model import ProcessDefinition
from salesflow.web import labels
from salesflow.web.presenters import FIELD_ORDER, field_title

#: Field types shown as a date picker / number keyboard.
INPUT_TYPES = {"date": "date", "email": "email", "url": "url"}
NUMERIC = {"money", "number", "integer"}


def _user_choices(role: str | None) -> list[tuple[str, str]]:
    people = User.objects.filter(is_active=True).exclude(roles=None)
    if role:
        people = people.filter(roles__id=role)
    return [(person.username, person.display_name)
            for person in people.distinct().order_by("first_name", "last_name", "username")]


class RecordForm(forms.Form):
    """The fields of a record of one process (built-in first, then the process's own)."""

    def __init__(self, definition: ProcessDefinition, language: str, *args: Any, creating: bool = True,
                 fixed: set[str] | frozenset[str] = frozenset(), **kwargs: Any) -> None:
        """``fixed``: fields the record's current quote sets, shown read-only (see `quotes.fixed_fields`)."""
        super().__init__(*args, **kwargs)
        self.definition = definition
        names = list(FIELD_ORDER) + [name for name in definition.fields if name not in FIELD_ORDER]
        for name in names:
            kind = definition.field_type(name) or "text"
            declared = definition.fields.get(name)
            label = field_title(definition, name, language)
            help_text = declared.help.get_text(language) if declared is not None and declared.help else ""
            required = name == "title" or (creating and declared is not None and declared.required)
            attrs: dict[str, str] = {}
            if kind == "choice" and declared is not None:
                items = declared.choices or []
                choices = ([(key, text.get_text(language)) for key, text in items.items()]
                           if isinstance(items, dict) else [(key, key) for key in items])
                field: forms.Field = forms.ChoiceField(choices=[("", "—")] + choices, required=required)
            elif kind == "classification":
                field = forms.ChoiceField(choices=[(key, str(text)) for key, text in labels.CLASSIFICATIONS.items()])
            elif kind == "user":
                role = declared.role if declared is not None else None
                field = forms.ChoiceField(choices=[("", "—")] + _user_choices(role), required=required)
            elif kind == "boolean":
                field = forms.ChoiceField(choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))], required=required)
            else:
                if kind in NUMERIC:
                    attrs["inputmode"] = "decimal"
                    attrs["autocomplete"] = "off"
                widget = forms.TextInput(attrs=attrs)
                if kind in INPUT_TYPES:
                    widget.input_type = INPUT_TYPES[kind]
                if name == "currency":
                    widget.attrs.update({"maxlength": "3", "autocapitalize": "characters"})
                field = forms.CharField(required=required, max_length=2000, widget=widget, strip=True)
            field.label = label
            field.help_text = help_text
            field.field_type = kind  # type: ignore[attr-defined]
            if name in fixed:
                field.disabled = True
                field.help_text = _("Set by the current quote: revise the quote to change it.")
            self.fields[name] = field

    def values(self, only_changed: bool = False) -> dict[str, Any]:
        """The typed values (empty ones left out when creating, sent as clearing when editing)."""
        names = self.changed_data if only_changed else [name for name in self.fields
                                                         if self.cleaned_data.get(name) not in (None, "")]
        return {name: self.cleaned_data.get(name) or "" for name in names}

    def show_error(self, message: str) -> bool:
        """Attach an engine message (``"amount: a number is expected"``) to the field it names."""
        name = message.split(":", 1)[0].strip()
        if name in self.fields:
            self.add_error(name, message.split(":", 1)[1].strip())
            return True
        self.add_error(None, message)
        return False


class LoginForm(AuthenticationForm):
    """Django's sign-in form with autocomplete hints."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class TokenForm(forms.Form):
    """The name of a new API token."""

    name = forms.CharField(label=_("Name"), max_length=100,
                           help_text=_("What the token is for, e.g. “CRM sync” or “Reporting script”."))

"""User administration for administrators (ISO 27001 A.5.16, A.5.18): list, roles and teams, deactivate,
reactivate, one-time password.

Open to users who administer users (`salesflow.people.lifecycle.administers_users`: the system role
``admin`` or a superuser). Each form calls one service of `salesflow.people.lifecycle`, which records
the change as a security event; refusals (the last administrator, oneself) are shown on the page.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from salesflow.engine.errors import EngineError
from salesflow.people import lifecycle
from salesflow.people.models import Role, Team
from salesflow.web.i18n import localize
from salesflow.web.templatetags.salesflow_web import current_language
from salesflow.web.views.common import safe_next, status_of


def _administrator(request: HttpRequest) -> Any:
    """The signed-in administrator, or 403."""
    if not lifecycle.administers_users(request.user):
        raise PermissionDenied(_("User administration is open to administrators only."))
    return request.user


class AccessForm(forms.Form):
    """The roles and teams a user holds, as check boxes."""

    roles = forms.MultipleChoiceField(label=gettext_lazy("Roles"), required=False,
                                      widget=forms.CheckboxSelectMultiple)
    teams = forms.MultipleChoiceField(label=gettext_lazy("Teams"), required=False,
                                      widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, language: str = "en", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = [(role.id, role.title_in(language)) for role in Role.objects.all()]
        self.fields["teams"].choices = [(team.name, team.name) for team in Team.objects.all()]


#: Security events shown in a user's history, with their labels.
HISTORY_KINDS = {
    "security.user_updated": gettext_lazy("Roles and teams changed"),
    "security.user_deactivated": gettext_lazy("Deactivated"),
    "security.user_reactivated": gettext_lazy("Reactivated"),
    "security.password_reset": gettext_lazy("One-time password set"),
    "security.password_changed": gettext_lazy("Password changed by the user"),
    "security.login_locked": gettext_lazy("Sign-in locked"),
    "security.token_created": gettext_lazy("API token created"),
    "security.token_revoked": gettext_lazy("API token revoked"),
}
HISTORY_LENGTH = 20


def _change_summary(payload: dict[str, Any]) -> str:
    """``+role −role`` and ``+team −team`` of a ``user_updated`` event."""
    parts = [f"+{name}" for name in payload.get("roles_added", []) + payload.get("teams_added", [])]
    parts += [f"−{name}" for name in payload.get("roles_removed", []) + payload.get("teams_removed", [])]
    return " ".join(parts)


def user_history(user: Any) -> list[dict[str, Any]]:
    """The latest security events about a user, newest first (what, when, by whom, details)."""
    from salesflow.records.models import Event

    events = (Event.objects.filter(kind__in=list(HISTORY_KINDS), payload__username=user.username)
              .order_by("-seq")[:HISTORY_LENGTH])
    return [{"seq": event.seq, "at": event.at, "what": HISTORY_KINDS[event.kind], "by": event.actor_name,
             "details": _change_summary(event.payload or {}) if event.kind == "security.user_updated" else
             (event.payload or {}).get("token_name", "")} for event in events]


def _detail_page(request: HttpRequest, user: Any, form: AccessForm | None = None, password: str = "",
                 status: int = 200) -> HttpResponse:
    language = current_language()
    initial = {"roles": sorted(user.roles.values_list("id", flat=True)),
               "teams": sorted(user.teams.values_list("name", flat=True))}
    context = {
        "subject": user, "row": lifecycle.user_row(user), "password": password,
        "form": form or AccessForm(initial=initial, language=language),
        "is_self": user.pk == request.user.pk,
        "role_titles": {role.id: role.title_in(language) for role in Role.objects.all()},
        "history": user_history(user),
    }
    return render(request, "web/user_detail.html", context, status=status)


@login_required
@require_http_methods(["GET"])
def user_list(request: HttpRequest) -> HttpResponse:
    """Every user with state, roles and teams."""
    _administrator(request)
    language = current_language()
    titles = {role.id: role.title_in(language) for role in Role.objects.all()}
    state = request.GET.get("state", "")
    active = {"active": True, "inactive": False}.get(state)
    rows = []
    for user in lifecycle.list_users(active=active):
        row = lifecycle.user_row(user)
        row["role_titles"] = [titles.get(role, role) for role in row["roles"]]
        row["last_login"] = user.last_login
        rows.append(row)
    return render(request, "web/user_list.html", {"rows": rows, "state": state})


@login_required
@require_http_methods(["GET", "POST"])
def user_detail(request: HttpRequest, username: str) -> HttpResponse:
    """A user's roles and teams (GET shows, POST saves the check boxes as one change)."""
    admin = _administrator(request)
    try:
        user = lifecycle.find_user(username)
    except EngineError as refusal:
        raise_not_found(refusal)
    if request.method == "GET":
        return _detail_page(request, user)
    form = AccessForm(request.POST, language=current_language())
    if not form.is_valid():
        return _detail_page(request, user, form, status=400)
    held_roles = set(user.roles.values_list("id", flat=True))
    held_teams = set(user.teams.values_list("name", flat=True))
    wanted_roles, wanted_teams = set(form.cleaned_data["roles"]), set(form.cleaned_data["teams"])
    try:
        user, changed = lifecycle.update_user(
            user.username, add_roles=wanted_roles - held_roles, remove_roles=held_roles - wanted_roles,
            add_teams=wanted_teams - held_teams, remove_teams=held_teams - wanted_teams, by=admin, request=request)
    except EngineError as refusal:
        form.add_error(None, localize(refusal.message))
        return _detail_page(request, user, form, status=status_of(refusal))
    if changed:
        messages.success(request, _("Roles and teams of %(name)s saved.") % {"name": user.display_name})
    else:
        messages.info(request, _("Nothing changed."))
    return redirect("user_detail", username=user.username)


def raise_not_found(refusal: EngineError) -> None:
    """An unknown user as 404."""
    from django.http import Http404

    raise Http404(localize(refusal.message))


def _act(request: HttpRequest, username: str, action: Any, done: Any) -> HttpResponse:
    """Run one lifecycle action for the user and go back (to ``next`` or the user's page) with a message."""
    admin = _administrator(request)
    fallback = reverse("user_detail", kwargs={"username": username})
    try:
        user = action(username, by=admin, request=request)
    except EngineError as refusal:
        if refusal.code == "not_found":
            raise_not_found(refusal)
        messages.error(request, localize(refusal.message))
        return redirect(safe_next(request, fallback))
    messages.success(request, done(user))
    return redirect(safe_next(request, fallback))


@login_required
@require_POST
def user_deactivate(request: HttpRequest, username: str) -> HttpResponse:
    """Deactivate a user: sessions end and API tokens are revoked at once."""
    return _act(request, username, lifecycle.deactivate_user,
                lambda user: _("%(name)s was deactivated: signed out everywhere, API tokens revoked.")
                % {"name": user.display_name})


@login_required
@require_POST
def user_reactivate(request: HttpRequest, username: str) -> HttpResponse:
    """Reactivate a user (or activate an imported one)."""
    return _act(request, username, lifecycle.reactivate_user,
                lambda user: _("%(name)s was reactivated.") % {"name": user.display_name})


@login_required
@require_POST
def user_password(request: HttpRequest, username: str) -> HttpResponse:
    """Set a generated one-time password and show it once, on this response only."""
    admin = _administrator(request)
    try:
        user, password = lifecycle.set_one_time_password(username, by=admin, request=request)
    except EngineError as refusal:
        if refusal.code == "not_found":
            raise_not_found(refusal)
        messages.error(request, localize(refusal.message))
        return redirect("user_detail", username=username)
    messages.success(request, _("One-time password set. Pass it on securely: it is not shown again."))
    return _detail_page(request, user, password=password)


@login_required
@require_POST
def user_revoke_role(request: HttpRequest, username: str) -> HttpResponse:
    """Take one role away (from the access review), then go back."""
    role = request.POST.get("role", "")

    def revoke(name: str, *, by: Any, request: Any) -> Any:
        user, _changed = lifecycle.update_user(name, remove_roles=[role], by=by, request=request)
        return user

    found = Role.objects.filter(pk=role).first()
    label = found.title_in(current_language()) if found else role
    return _act(request, username, revoke,
                lambda user: _("Role %(role)s taken away from %(name)s.") % {"role": label, "name": user.display_name})

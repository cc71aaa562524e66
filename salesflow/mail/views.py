"""The user's e-mail settings page."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesflow.mail.compose import preference_of

#: Notification kinds a user may switch off one by one (labels for the settings page).
KINDS = {
    "approval_requested": gettext_lazy("Approval requests"),
    "decision_requested": gettext_lazy("Decision requests"),
    "assigned": gettext_lazy("Records assigned to you"),
    "reminder": gettext_lazy("Reminders before deadlines"),
    "deadline_missed": gettext_lazy("Missed deadlines"),
    "review_reopened": gettext_lazy("Reviews opened again"),
    "acknowledge_requested": gettext_lazy("Process changes to read"),
}


@login_required
def mail_preferences(request: HttpRequest) -> HttpResponse:
    """Show and save: language of e-mails, one e-mail per notification, the daily digest, kinds switched off."""
    preference = preference_of(request.user)
    if request.method == "POST":
        language = request.POST.get("language", "")
        preference.language = language if language in dict(settings.LANGUAGES) else ""
        preference.immediate = request.POST.get("immediate") == "on"
        preference.digest = request.POST.get("digest") == "on"
        preference.muted_kinds = sorted(kind for kind in KINDS if request.POST.get(f"kind_{kind}") != "on")
        preference.save()
        messages.success(request, _("Your e-mail settings are saved."))
        return redirect("mail_preferences")
    kinds = [{"id": kind, "label": label, "on": kind not in (preference.muted_kinds or [])}
             for kind, label in KINDS.items()]
    return render(request, "mail/preferences.html", {
        "preference": preference, "kinds": kinds, "languages": settings.LANGUAGES,
        "email_enabled": settings.EMAIL_ENABLED})

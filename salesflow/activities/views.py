"""Web forms of the activity log: log work, add a task, mark it done, import an .eml or .ics file — on the
record, account and contact pages — and the contact page itself.

Forms post here; htmx swaps the re-drawn panel in place (with the refusal in words when one is
refused), a plain post is redirected back to the page with a message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from salesflow.accounts.models import Contact
from salesflow.activities import panel, services
from salesflow.activities.parsing import MAX_FILE_BYTES
from salesflow.engine.errors import BadInput, EngineError
from salesflow.people import access
from salesflow.web.views.common import is_htmx, status_of


def _target_ids(request: HttpRequest) -> dict[str, str]:
    return {name: request.POST.get(name, "") for name in ("record", "account", "contact")}


def _page_of(target: services.Target, ids: dict[str, str]) -> str:
    if ids.get("record") and target.record is not None:
        return reverse("record", args=[target.record.pk])
    if ids.get("contact") and target.contact is not None:
        return reverse("contact", args=[target.contact.pk])
    if target.account is not None:
        return reverse("customer", args=[target.account.pk])
    return reverse("home")


def _respond(request: HttpRequest, ids: dict[str, str], call: Any, success: str) -> HttpResponse:
    """Resolve the target, run one service call, answer with the panel (htmx) or a redirect."""
    try:
        target = services.resolve_target(request.user, ids.get("record"), ids.get("account"), ids.get("contact"))
    except services.NotPermitted as refusal:
        return HttpResponse(refusal.message, status=403)
    except EngineError:
        raise Http404(_("Not found.")) from None
    error: EngineError | None = None
    try:
        call(target)
    except EngineError as refusal:
        error = refusal
    if is_htmx(request):
        context = panel.panel_context(request, target, scope=_scope(ids))
        context["feedback"] = ({"ok": False, "text": error.message} if error else {"ok": True, "text": success})
        if error is not None:
            context["posted"] = request.POST
        return render(request, "activities/panel.html", context, status=status_of(error) if error else 200)
    if error is not None:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect(_page_of(target, ids) + "#activities")


def _scope(ids: dict[str, str]) -> str:
    return "record" if ids.get("record") else ("contact" if ids.get("contact") else "account")


@login_required
@require_POST
def log_activity(request: HttpRequest) -> HttpResponse:
    """Log a call, meeting, e-mail or note."""
    post = request.POST

    def call(target: services.Target) -> Any:
        return services.do_log_activity(
            request.user, target, post.get("kind", ""), post.get("subject", ""), at=post.get("at") or None,
            duration=post.get("duration") or None, outcome=post.get("outcome", ""),
            next_step=post.get("next_step", ""), body=post.get("body", ""), participants=post.get("participants", ""))
    return _respond(request, _target_ids(request), call, _("Logged."))


@login_required
@require_POST
def add_task(request: HttpRequest) -> HttpResponse:
    """Add a task with owner, due date and reminder."""
    post = request.POST

    def call(target: services.Target) -> Any:
        return services.do_add_task(request.user, target, post.get("subject", ""), due=post.get("due") or None,
                                    remind_on=post.get("remind_on") or None, owner=post.get("owner") or None,
                                    body=post.get("body", ""))
    return _respond(request, _target_ids(request), call, _("Task added."))


@login_required
@require_POST
def complete_task(request: HttpRequest, task_id: int) -> HttpResponse:
    """Mark a task done."""
    return _respond(request, _target_ids(request),
                    lambda target: services.do_complete_task(request.user, task_id, request.POST.get("note", "")),
                    _("Task done."))


@login_required
@require_POST
def import_file(request: HttpRequest) -> HttpResponse:
    """Import an e-mail (.eml) or a calendar invitation (.ics) into the log."""
    upload = request.FILES.get("file")

    def call(target: services.Target) -> Any:
        if upload is None:
            raise BadInput(_("Choose an .eml or .ics file."))
        if upload.size is not None and upload.size > MAX_FILE_BYTES:
            raise BadInput(_("%(name)s is larger than %(limit)s MB.") % {
                "name": upload.name, "limit": MAX_FILE_BYTES // (1024 * 1024)})
        return services.do_import_file(request.user, target, upload.name or "upload", upload.read())
    return _respond(request, _target_ids(request), call, _("Imported into the log."))


@login_required
@require_GET
def contact_detail(request: HttpRequest, contact_id: int) -> HttpResponse:
    """A contact: name, account, e-mail, phone, and the activity log with its forms."""
    if not access.is_staff_member(request.user):
        raise Http404(_("Not found."))
    contact = Contact.objects.select_related("account").filter(pk=contact_id).first()
    if contact is None:
        raise Http404(_("Not found."))
    from salesflow.accounts.services import may_edit

    return render(request, "activities/contact.html", {"contact": contact, "may_edit": may_edit(request.user)})

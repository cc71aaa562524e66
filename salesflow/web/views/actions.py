"""The record page's forms: each parses its input, calls one service and shows the result.

Success redirects back to the record page with a message. A refusal of the engine is shown
inline with its HTTP status (422 unmet items, 403 not permitted, 409 conflict, 400 bad input);
nothing changed. Moves answer htmx requests with a panel (the board and the record page show the
unmet items and, to those who may, an override form) or, on success, ask htmx to reload the page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salesflow.engine import actions
from salesflow.engine.errors import BadInput, EngineError, Unmet
from salesflow.records import services
from salesflow.records.models import Record, RecordLink
from salesflow.web import chain, presenters
from salesflow.web.forms import RecordForm
from salesflow.web.templatetags.salesflow_web import current_language
from salesflow.web.views.common import (
    feedback_for,
    is_htmx,
    posted_version,
    safe_next,
    status_of,
    visible_record,
)
from salesflow.web.views.records import refusal_page, render_record


def perform(request: HttpRequest, record_id: int, call: Callable[[Record], Any], success: str,
             anchor: str = "") -> HttpResponse:
    """Run one service call for a visible record; redirect on success, show the refusal inline otherwise."""
    record = visible_record(request, record_id)
    try:
        call(record)
    except services.NotFound as missing:
        if missing.message.startswith("record "):
            raise Http404(_("No such record.")) from None
        return refusal_page(request, record, BadInput(missing.message))
    except EngineError as refusal:
        return refusal_page(request, record, refusal)
    messages.success(request, success)
    return redirect(reverse("record", args=[record.pk]) + (f"#{anchor}" if anchor else ""))


@login_required
@require_POST
def complete_activity(request: HttpRequest, record_id: int) -> HttpResponse:
    """Mark an activity done (with an optional note of what was done or communicated)."""
    activity = request.POST.get("activity", "")
    return perform(request, record_id, lambda record: services.do_complete_activity(
        record.pk, request.user, activity, request.POST.get("note", ""), posted_version(request)),
        _("Activity done."), "guidance")


@login_required
@require_POST
def decide(request: HttpRequest, record_id: int) -> HttpResponse:
    """Answer the current stage's gate decision."""
    answer = request.POST.get("answer", "")
    return perform(request, record_id, lambda record: services.do_decide(
        record.pk, request.user, answer, request.POST.get("note", ""), posted_version(request)),
        _("Decision recorded: %(answer)s.") % {"answer": _("yes") if answer == "yes" else _("no")}, "gate")


@login_required
@require_POST
def approve(request: HttpRequest, record_id: int) -> HttpResponse:
    """Grant an approval under the competence catalog."""
    approval = request.POST.get("approval", "")
    return perform(request, record_id, lambda record: services.do_approve(
        record.pk, request.user, approval, request.POST.get("note", ""), posted_version(request)),
        _("Approval granted."), "approvals")


@login_required
@require_POST
def request_approval(request: HttpRequest, record_id: int) -> HttpResponse:
    """Ask for an approval: the competence catalog's role for the record's amount is notified."""
    approval = request.POST.get("approval", "")
    return perform(request, record_id, lambda record: services.do_request_approval(
        record.pk, request.user, approval, request.POST.get("note", ""), posted_version(request)),
        _("Approval requested: the approver is notified."), "approvals")


@login_required
@require_POST
def refuse_approval(request: HttpRequest, record_id: int) -> HttpResponse:
    """Refuse an approval with a reason: the requester and the owner are told."""
    approval = request.POST.get("approval", "")
    return perform(request, record_id, lambda record: services.do_refuse_approval(
        record.pk, request.user, approval, request.POST.get("reason", ""), posted_version(request)),
        _("Approval refused: the requester and the owner are notified."), "approvals")


@login_required
@require_POST
def request_decision(request: HttpRequest, record_id: int) -> HttpResponse:
    """Ask for the current stage's decision: the deciding role (or its delegate) is notified."""
    return perform(request, record_id, lambda record: services.do_request_decision(
        record.pk, request.user, request.POST.get("note", ""), posted_version(request)),
        _("Decision requested: who decides is notified."), "gate")


@login_required
@require_POST
def set_probability(request: HttpRequest, record_id: int) -> HttpResponse:
    """Override the probability with a reason, or return to the stage's default."""
    def call(record: Record) -> Any:
        if request.POST.get("reset"):
            return services.do_set_probability(record.pk, request.user, None, request.POST.get("reason", ""),
                                               posted_version(request))
        text = request.POST.get("probability", "").strip()
        if not text.lstrip("-").isdigit():
            raise BadInput(_("probability: a whole number from 0 to 100 is expected"))
        return services.do_set_probability(record.pk, request.user, int(text), request.POST.get("reason", ""),
                                           posted_version(request))
    return perform(request, record_id, call, _("Probability updated."), "probability")


@login_required
@require_POST
def delegate(request: HttpRequest, record_id: int) -> HttpResponse:
    """Delegate the record's gate decisions to a user, or revoke the delegation."""
    revoke = bool(request.POST.get("revoke"))
    to_user = request.POST.get("to_user", "").strip()

    def call(record: Record) -> Any:
        if not revoke and not to_user:
            raise BadInput(_("Choose a person to delegate to."))
        return services.do_delegate(record.pk, request.user, None if revoke else to_user, None,
                                    posted_version(request))
    return perform(request, record_id, call, _("Delegation revoked.") if revoke else _("Decisions delegated."),
                    "gate")


@login_required
@require_POST
def consult(request: HttpRequest, record_id: int) -> HttpResponse:
    """Ask a Consulted role of an activity (RACI); its holders are notified and see it on My work."""
    activity = request.POST.get("activity", "")
    role = request.POST.get("role", "")
    return perform(request, record_id, lambda record: services.do_consult(
        record.pk, request.user, activity, role, request.POST.get("question", ""), posted_version(request)),
        _("Consultation requested."), f"activity-{activity}")


@login_required
@require_POST
def answer_consultation(request: HttpRequest, record_id: int) -> HttpResponse:
    """Answer an open consultation request as a holder of the role asked."""
    activity = request.POST.get("activity", "")
    return perform(request, record_id, lambda record: services.do_answer_consultation(
        record.pk, request.user, activity, request.POST.get("role") or None, request.POST.get("answer", ""),
        posted_version(request)), _("Answer sent."), f"activity-{activity}")


@login_required
@require_POST
def set_members(request: HttpRequest, record_id: int) -> HttpResponse:
    """Add or remove named members of a (strictly) confidential record."""
    add = [name for name in request.POST.getlist("add") if name]
    remove = [name for name in request.POST.getlist("remove") if name]
    return perform(request, record_id, lambda record: services.do_set_members(
        record.pk, request.user, add, remove, posted_version(request)), _("Members updated."), "members")


@login_required
@require_POST
def set_fields(request: HttpRequest, record_id: int) -> HttpResponse:
    """Change the fields that were edited (only those: unchanged ones are not sent to the service)."""
    record = visible_record(request, record_id)
    definition = services.definition_of(record.process_version)
    fields = presenters.field_rows(definition, record, record.to_state(), current_language())
    fixed = services.quoted_fields(record.pk, definition)
    initial = {row["name"]: row["input"] for row in fields}
    form = RecordForm(definition, current_language(), request.POST, creating=False, fixed=fixed, initial=initial)
    if not form.is_valid():
        return refusal_page(request, record, BadInput("; ".join(
            f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())))
    changes = form.values(only_changed=True)
    # a read-only field the quote sets, posted with another value anyway: the service refuses it with its reason
    changes.update({name: request.POST[name].strip() for name in sorted(fixed)
                    if name in request.POST and request.POST[name].strip() != str(initial.get(name) or "")})
    if not changes:
        messages.info(request, _("Nothing changed."))
        return redirect(reverse("record", args=[record.pk]) + "#fields")
    return perform(request, record_id, lambda rec: services.do_set_fields(
        rec.pk, request.user, changes, posted_version(request)), _("Fields saved."), "fields")


@login_required
@require_POST
def move(request: HttpRequest, record_id: int) -> HttpResponse:
    """Move a record (gates enforced; an override needs a reason and the right to override)."""
    record = visible_record(request, record_id)
    target = request.POST.get("stage", "")
    reason = request.POST.get("override_reason", "").strip() or None
    back = safe_next(request, reverse("record", args=[record.pk]))
    definition = services.definition_of(record.process_version)
    if is_htmx(request) and chain.has_handoffs(definition, target):
        # A move from the board into a stage with hand-offs goes through the confirmation page first
        # (what will be created, which customer account).
        confirm = reverse("record_move_confirm", args=[record.pk]) + "?" + urlencode({"stage": target})
        return HttpResponse(status=200, headers={"HX-Redirect": confirm})
    options = chain.handoff_options(request.POST, definition, target)
    handed_over = set(RecordLink.objects.filter(source=record).values_list("pk", flat=True))
    try:
        moved = services.do_move(record.pk, request.user, target, reason, posted_version(request),
                                 handoff_options=options)
    except services.NotFound:
        raise Http404(_("No such record.")) from None
    except EngineError as refusal:
        record = Record.objects.select_related("process", "process_version", "owner").get(pk=record.pk)
        feedback = move_feedback(request, record, target, refusal, reason)
        if is_htmx(request) or "/records/" not in back:
            template = "web/partials/move_feedback.html" if is_htmx(request) else "web/move_refused.html"
            return render(request, template, {"feedback": feedback, "record": record, "next": back},
                          status=status_of(refusal))
        return refusal_page_with(request, record, feedback)
    title = definition.stage(moved.stage).display_title(current_language())
    messages.success(request, _("“%(record)s” moved to %(stage)s.") % {"record": moved.title, "stage": title})
    created = RecordLink.objects.filter(source=moved).exclude(handoff="").exclude(pk__in=handed_over)
    for link in created.select_related("target__process"):
        messages.success(request, _("Created: %(process)s “%(title)s” (#%(id)s).") % {
            "process": link.target.process.title_in(current_language()), "title": link.target.title,
            "id": link.target.pk})
        back = reverse("record", args=[moved.pk]) + "#links" if "/records/" in back else back
    if is_htmx(request):
        return HttpResponse(status=200, headers={"HX-Refresh": "true"})
    return redirect(back)


def move_feedback(request: HttpRequest, record: Record, target: str, refusal: EngineError,
                  reason: str | None) -> dict[str, Any]:
    """A refused move as shown: the unmet items, and an override form for those the engine would let override."""
    definition = services.definition_of(record.process_version)
    feedback = feedback_for(refusal, record)
    language = current_language()
    feedback["target"] = target
    feedback["target_title"] = presenters.stage_title(definition, target, language) if definition.has_stage(
        target) else target
    feedback["override"] = False
    if isinstance(refusal, Unmet) and reason is None:
        actor = services.actor_for(request.user)
        offer = presenters.dry_run(lambda: actions.move(definition, record.to_state(), actor, target,
                                                        override_reason="override"))
        feedback["override"] = offer.ready
    return feedback


def refusal_page_with(request: HttpRequest, record: Record, feedback: dict[str, Any]) -> HttpResponse:
    """The record page with a refused move shown inline."""
    return render_record(request, record, feedback, status=feedback["status"])

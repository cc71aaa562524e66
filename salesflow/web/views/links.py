"""Links between records set by hand, and the confirmation of a move that hands over to other processes."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from salesflow.engine import actions
from salesflow.engine.errors import BadInput
from salesflow.records import services
from salesflow.records.chain import do_link_records, do_unlink_records
from salesflow.web import chain, presenters
from salesflow.web.templatetags.salesflow_web import current_language
from salesflow.web.views.actions import perform
from salesflow.web.views.common import feedback_for, visible_record


@login_required
@require_POST
def link(request: HttpRequest, record_id: int) -> HttpResponse:
    """Link this record to another visible record (by its number) with a kind."""
    other = request.POST.get("target", "").strip().lstrip("#")
    kind = request.POST.get("kind", "").strip() or "related"

    def call(record: object) -> object:
        if not other.isdigit():
            raise BadInput(_("Enter the number of the record to link to."))
        try:
            return do_link_records(record_id, int(other), request.user, kind)
        except services.NotFound:
            raise BadInput(_("Record #%(id)s does not exist or is not visible to you.") % {"id": other}) from None
    return perform(request, record_id, call, _("Records linked."), "links")


@login_required
@require_POST
def unlink(request: HttpRequest, record_id: int) -> HttpResponse:
    """Remove a link set by hand (hand-off links stay: they are the record's history)."""
    source, target = request.POST.get("source", ""), request.POST.get("target", "")

    def call(record: object) -> object:
        if not (source.isdigit() and target.isdigit()) or record_id not in (int(source), int(target)):
            raise BadInput(_("Choose a link of this record."))
        try:
            return do_unlink_records(int(source), int(target), request.user)
        except services.NotFound:
            raise BadInput(_("Choose a link of this record.")) from None
    return perform(request, record_id, call, _("Link removed."), "links")


@login_required
@require_GET
def move_confirm(request: HttpRequest, record_id: int) -> HttpResponse:
    """Before a move into a stage with hand-offs: what will be created, and which account to use."""
    record = visible_record(request, record_id)
    language = current_language()
    definition = services.definition_of(record.process_version)
    target = request.GET.get("stage", "")
    if not definition.has_stage(target):
        context = {"record": record, "feedback": feedback_for(BadInput(_("Unknown stage: %(stage)s") % {
            "stage": target}), record), "next": request.path}
        return render(request, "web/move_refused.html", context, status=400)
    actor = services.actor_for(request.user)
    offer = presenters.dry_run(lambda: actions.move(definition, record.to_state(), actor, target))
    override = None
    if offer.status == "blocked":
        override = presenters.dry_run(lambda: actions.move(definition, record.to_state(), actor, target,
                                                           override_reason="override"))
    context = {
        "record": record, "target": target, "target_title": presenters.stage_title(definition, target, language),
        "outcome": definition.stage(target).outcome.value if definition.stage(target).outcome else "",
        "process_title": definition.title_text(language),
        "handoffs": chain.handoff_preview(record, definition, target, request.user, language),
        "offer": offer, "may_override": bool(override and override.ready),
        "unmet": presenters.describe_items(definition, record.to_state(), offer.items, language),
    }
    return render(request, "web/move_confirm.html", context, status=200)

"""The web page of the risk and opportunity register: the entries, and a form to add one (``manage_risks``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from salesflow.engine.errors import EngineError
from salesflow.people import access
from salesflow.records.models import Process
from salesflow.risks import services
from salesflow.web.templatetags.salesflow_web import current_language

FORM_FIELDS = ("kind", "title", "description", "process", "likelihood", "impact", "treatment", "review_date")


@login_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """GET: the register, highest score first; POST: add an entry (a refusal re-shows the form with its message)."""
    if not access.is_staff_member(request.user):
        raise Http404
    error = ""
    values = {name: request.POST.get(name, "") for name in FORM_FIELDS} if request.method == "POST" else {}
    if request.method == "POST":
        try:
            services.do_add_risk(request.user, {name: value for name, value in values.items() if value != ""})
            return redirect("risks")
        except EngineError as refusal:
            error = refusal.message
    language = current_language()
    processes = [(process.key, process.title_in(language)) for process in Process.objects.order_by("key")]
    titles = dict(processes)
    entries = [{"entry": entry, "process_title": titles.get(entry.process, entry.process)}
               for entry in services.list_risks(request.user)]
    return render(request, "risks/register.html", {
        "entries": entries, "processes": processes, "may_manage": services.may_manage(request.user),
        "error": error, "values": values}, status=400 if error else 200)

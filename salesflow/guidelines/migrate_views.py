"""The version-migration page: choose a stage map, preview every running record in a table, then confirm.

``GET /guidelines/<key>/migrate/`` shows the dry run for the approved version in force (stage map
from ``map_<old stage>`` query parameters); ``POST`` moves the records with the same map
(`salesflow.records.migration`). Only holders of the library-settings right ``migrate_records``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from salesflow.engine.errors import BadInput, EngineError
from salesflow.people import access
from salesflow.records.migration import (
    MIGRATE_RIGHT,
    Migration,
    do_migrate_records,
    preview_migration,
    stages_to_map,
)
from salesflow.records.models import Process
from salesflow.records.services import definition_of


def _stage_map(data: QueryDict) -> dict[str, str]:
    return {key[4:]: value for key, value in data.items() if key.startswith("map_") and value}


def may_migrate(user: Any) -> bool:
    """True for holders of the ``migrate_records`` right who may change things."""
    return access.has_right(user, MIGRATE_RIGHT) and not access.is_read_only(user)


@login_required
@require_http_methods(["GET", "POST"])
def migrate_view(request: HttpRequest, key: str) -> HttpResponse:
    """Preview (GET) and run (POST) the migration of a process's running records to the version in force."""
    if not may_migrate(request.user):
        raise PermissionDenied(_("Your roles do not include the right to migrate records to a new version."))
    process = Process.objects.filter(key=key).first()
    current = process.current_version() if process else None
    if current is None:
        raise Http404
    language = (get_language() or "en")[:2]
    data = request.POST if request.method == "POST" else request.GET
    chosen = _stage_map(data)
    context: dict[str, Any] = {"process": process, "process_title": process.title_in(language),
                               "version": current, "chosen": chosen, "error": "", "migration": None}
    try:
        context["to_map"] = [(stage, options, chosen.get(stage, "")) for stage, options in
                             stages_to_map(key, current.version, request.user)]
        if request.method == "POST":
            done = do_migrate_records(key, current.version, chosen, request.user)
            messages.success(request, _("%(n)s running record(s) moved to version %(v)s.")
                             % {"n": len(done.items), "v": done.to_version})
            return redirect("guideline_migrate", key)
        context["migration"] = preview_migration(key, current.version, chosen, request.user)
    except BadInput as error:
        context["error"] = str(error)
    except EngineError as error:
        context["error"] = str(error)
        return render(request, "guidelines/migrate.html", context, status=409 if error.code == "conflict" else 403)
    migration: Migration | None = context["migration"]
    if migration is not None:
        definition = definition_of(current)
        context["rows"] = [(item, definition.stage(item.plan.to_stage).display_title(language))
                           for item in migration.items]
    return render(request, "guidelines/migrate.html", context, status=400 if context["error"] else 200)

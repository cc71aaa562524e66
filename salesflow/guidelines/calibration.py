"""Calibration closes the loop: the calibration report's suggested stage probabilities become a draft version of
the process in one step, by the guideline's responsible role (from the process library, e.g. the Head of Sales);
the draft then goes through document control (review, approval) like any change."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from salesflow.engine.errors import BadInput, NotPermitted
from salesflow.process.calibrate import with_probabilities
from salesflow.records.models import ProcessVersion


def suggested_changes(process_key: str, user: Any) -> list[dict[str, Any]]:
    """The open stages whose suggested probability differs from the current one: stage, title, current, suggested,
    n (closed records that were in it) — over the records ``user`` may see."""
    from salesflow.analytics.reports import Params, run_report
    from salesflow.analytics.source import data_for

    with data_for("duckdb", user, timezone.now()) as data:
        report = run_report("calibration", data, Params(process=process_key))
    return [{"stage": row["stage"], "title": row["stage_title"], "current": row["default_probability"],
             "suggested": row["suggested_probability"], "n": row["n"]}
            for row in report.tables["stages"].rows
            if row["group"] == "all" and row["n"] and row["suggested_probability"] != row["default_probability"]]


def may_calibrate(user: Any, process_key: str) -> bool:
    """True when ``user`` holds the responsible role of the process's current guideline."""
    from salesflow.guidelines.services import current_definition
    from salesflow.records.models import Process

    process = Process.objects.filter(key=process_key).first()
    definition = current_definition(process) if process else None
    return definition is not None and (user.is_superuser or definition.guideline.responsible in user.role_ids())


def do_propose_calibrated_version(process_key: str, by: Any, at: datetime.datetime | None = None) -> ProcessVersion:
    """A draft version of ``process_key``: its current approved version with the suggested probabilities."""
    from salesflow.guidelines.services import current_definition, do_propose_version
    from salesflow.records.services import get_process

    process = get_process(process_key)
    current = process.current_version()
    if current is None:
        raise BadInput(f"{process_key} has no approved version to calibrate")
    definition = current_definition(process)
    if not may_calibrate(by, process_key):
        raise NotPermitted(f"{by.username} may not propose calibrated probabilities for {process_key}: the guideline's "
                           f"responsible role {definition.guideline.responsible} does")
    changes = suggested_changes(process_key, by)
    if not changes:
        raise BadInput(f"{process_key}: the calibration suggests no change (no closed records, or the probabilities "
                       "already match)")
    number = max(process.versions.values_list("version", flat=True)) + 1
    text = with_probabilities(current.source, {item["stage"]: item["suggested"] for item in changes}, number)
    note = "Stage probabilities from the calibration report: " + ", ".join(
        f"{item['stage']} {item['current']} → {item['suggested']} % (n={item['n']})" for item in changes)
    return do_propose_version(text, by, file=f"{process_key}-calibrated.yaml", note=note, at=at)

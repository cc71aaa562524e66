"""Events of the activity log as timeline sentences (record and account timelines)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from salesflow.activities.services import ACTIVITY_LOGGED, EVENT_KINDS, TASK_ADDED, TASK_DONE


def describe(kind: str, payload: dict[str, Any]) -> tuple[str, str]:
    """The sentence and the note of an activity-log event."""
    from salesflow.activities.panel import kind_label

    subject = str(payload.get("subject") or "")
    if kind == ACTIVITY_LOGGED:
        text = _("%(kind)s logged: %(subject)s") % {"kind": kind_label(str(payload.get("type") or "")),
                                                    "subject": subject}
        minutes = payload.get("duration_minutes")
        if minutes is not None:
            text += " " + _("(%(minutes)s min)") % {"minutes": minutes}
        parts = []
        if payload.get("outcome"):
            parts.append(_("Outcome: %(outcome)s") % {"outcome": payload["outcome"]})
        if payload.get("next_step"):
            parts.append(_("Next step: %(step)s") % {"step": payload["next_step"]})
        return text, " · ".join(parts)
    if kind == TASK_ADDED:
        text = _("Task for %(name)s: %(subject)s") % {"name": payload.get("owner_name") or "", "subject": subject}
        if payload.get("due"):
            text += " " + _("(due %(due)s)") % {"due": payload["due"]}
        return text, ""
    if kind == TASK_DONE:
        return _("Task done: %(subject)s") % {"subject": subject}, str(payload.get("note") or "")
    return _("Task reminder sent: %(subject)s") % {"subject": subject}, ""


__all__ = ["EVENT_KINDS", "describe"]

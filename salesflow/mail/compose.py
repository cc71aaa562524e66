"""Turning a notification (or a digest) into an e-mail in the recipient's language: text and HTML."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from salesflow.mail.models import MailPreference

SUBJECT_PREFIX = "[Salesflow] "


@dataclass
class Composed:
    """A rendered e-mail."""

    subject: str
    text: str
    html: str


def preference_of(user: Any) -> MailPreference:
    """The user's preferences (defaults when none were saved)."""
    found = MailPreference.objects.filter(user=user).first()
    return found or MailPreference(user=user)


def language_of(user: Any) -> str:
    """The language e-mails to ``user`` are written in."""
    language = preference_of(user).language
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def absolute(path: str) -> str:
    """A link into Salesflow as the recipient reaches it (``SALESFLOW_BASE_URL``)."""
    return f"{settings.SALESFLOW_BASE_URL}{path}"


def link_of(notification: Any) -> str:
    """The page a notification is about: its record, else the link it names, else My work."""
    if notification.record_id:
        return absolute(reverse("record", args=[notification.record_id]))
    return absolute(notification.message.get("link") or reverse("home"))


def _render(template: str, context: dict[str, Any]) -> tuple[str, str]:
    context = {**context, "settings_link": absolute(reverse("mail_preferences"))}
    return (render_to_string(f"mail/{template}.txt", context).strip() + "\n",
            render_to_string(f"mail/{template}.html", context))


def compose_notification(notification: Any, language: str) -> Composed:
    """The e-mail of one notification."""
    with translation.override(language):
        text = notification.text(language)
        link = link_of(notification)
        action = _("Open the record") if notification.record_id else _("Open in Salesflow")
        body_text, body_html = _render("notification", {
            "recipient": notification.user.display_name, "text": text, "link": link, "action": action,
            "kind": notification.kind})
        return Composed(SUBJECT_PREFIX + _shorten(text), body_text, body_html)


def compose_digest(user: Any, notifications: list[Any], language: str) -> Composed:
    """The daily digest: the user's unread notifications, each with its link."""
    with translation.override(language):
        items = [{"text": item.text(language), "link": link_of(item), "at": item.created_at}
                 for item in notifications]
        body_text, body_html = _render("digest", {"recipient": user.display_name, "items": items,
                                                  "home": absolute(reverse("home"))})
        subject = _("Your Salesflow digest: %(count)s unread") % {"count": len(items)}
        return Composed(SUBJECT_PREFIX + subject, body_text, body_html)


def _shorten(text: str, limit: int = 150) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"

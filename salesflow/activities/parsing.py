"""Reading an e-mail (``.eml``) or a calendar invitation (``.ics``) into activities to log.

E-mails are read with Python's ``email`` package (``policy.default``), invitations with the
``icalendar`` library. A file that is not what its name says, or lacks what an activity needs,
raises `ImportProblem` naming the file and the problem; nothing is written then.
"""

from __future__ import annotations

import datetime
import html
import re
from dataclasses import dataclass, field
from email import policy
from email.headerregistry import Address
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from typing import Any

from django.utils import timezone

from salesflow.engine.errors import BadInput

#: Largest file accepted (an e-mail with attachments is cut to its text).
MAX_FILE_BYTES = 10 * 1024 * 1024
#: Longest text kept from an e-mail body or an event description.
MAX_BODY_CHARS = 20_000
SUFFIXES = (".eml", ".ics")


class ImportProblem(BadInput):
    """A file that cannot be imported; the message names the file and the problem."""


@dataclass
class ParsedActivity:
    """What a file says about one activity."""

    kind: str  # email | meeting
    subject: str
    at: datetime.datetime
    body: str = ""
    duration_minutes: int | None = None
    participants: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)  # e-mail addresses (to find contacts)
    source: str = ""
    source_id: str = ""


def _problem(name: str, text: str) -> ImportProblem:
    return ImportProblem(f"{name}: {text}; nothing was imported")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_file(name: str, data: bytes) -> list[ParsedActivity]:
    """The activities in a file, by its suffix (``.eml`` or ``.ics``)."""
    lower = name.lower()
    if not data:
        raise _problem(name, "the file is empty")
    if len(data) > MAX_FILE_BYTES:
        raise _problem(name, f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    if lower.endswith(".eml"):
        return [parse_eml(name, data)]
    if lower.endswith(".ics"):
        return parse_ics(name, data)
    raise _problem(name, "not an .eml (e-mail) or .ics (calendar invitation) file")


# --- e-mail --------------------------------------------------------------------------------------

def _header(message: Any, name: str, file: str) -> Any:
    try:
        return message[name]
    except (ValueError, TypeError, IndexError) as error:
        raise _problem(file, f"the {name} header cannot be read ({error})") from None


def _addresses(message: Any, names: tuple[str, ...], file: str) -> list[Address]:
    found: list[Address] = []
    for name in names:
        header = _header(message, name, file)
        if header is None:
            continue
        found.extend(address for address in getattr(header, "addresses", ()) if address.addr_spec)
    return found


def _text_of(message: Any) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, ValueError, AssertionError):
        content = (part.get_payload(decode=True) or b"").decode("utf-8", "replace")
    if not isinstance(content, str):
        return ""
    if part.get_content_subtype() == "html":
        content = re.sub(r"(?is)<(script|style).*?</\1>", " ", content)
        content = html.unescape(re.sub(r"<[^>]+>", " ", content))
    return "\n".join(line.rstrip() for line in content.strip().splitlines())


def parse_eml(name: str, data: bytes) -> ParsedActivity:
    """An e-mail message as a logged e-mail: subject, date, sender and recipients, its text."""
    message = BytesParser(policy=policy.default).parsebytes(data)
    sender = _header(message, "From", name)
    date = _header(message, "Date", name)
    subject = _header(message, "Subject", name)
    if sender is None and date is None and subject is None:
        raise _problem(name, "not an e-mail message (no From, Date or Subject header)")
    if date is None:
        raise _problem(name, "the e-mail has no Date header")
    at = getattr(date, "datetime", None)
    if at is None:
        try:
            at = parsedate_to_datetime(str(date))
        except (TypeError, ValueError):
            at = None
    if at is None:
        raise _problem(name, f"the Date header is not a date: {str(date)[:80]!r}")
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    people = _addresses(message, ("From", "To", "Cc"), name)
    participants = [str(address) for address in people]
    try:
        body = _text_of(message)
    except (KeyError, ValueError, LookupError) as error:
        raise _problem(name, f"the e-mail's text cannot be read ({error})") from None
    message_id = str(_header(message, "Message-ID", name) or "").strip()
    return ParsedActivity(
        kind="email", subject=_clip(" ".join(str(subject or "").split()) or "(no subject)", 300), at=at,
        body=_clip(body, MAX_BODY_CHARS), participants=participants,
        addresses=[address.addr_spec.lower() for address in people], source="eml", source_id=message_id[:500])


# --- calendar invitation -------------------------------------------------------------------------

def _moment(value: Any) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    return timezone.make_aware(datetime.datetime.combine(value, datetime.time()))


def _person(value: Any) -> tuple[str, str]:
    address = str(value)
    if address.lower().startswith("mailto:"):
        address = address[7:]
    params = getattr(value, "params", {}) or {}
    common = str(params.get("CN") or "").strip()
    return (f"{common} <{address}>" if common else address), address.lower()


def parse_ics(name: str, data: bytes) -> list[ParsedActivity]:
    """Each event (VEVENT) of a calendar file as a meeting: summary, start, duration, organiser and attendees."""
    import icalendar

    try:
        calendar = icalendar.Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError, TypeError, UnicodeDecodeError) as error:
        raise _problem(name, f"not a calendar file ({str(error)[:120]})") from None
    events = list(calendar.walk("VEVENT")) if hasattr(calendar, "walk") else []
    if not events:
        raise _problem(name, "the calendar holds no event (VEVENT)")
    found = []
    for number, event in enumerate(events, start=1):
        label = f"event {number}" if len(events) > 1 else "the event"
        try:
            start = event.decoded("DTSTART")
        except KeyError:
            raise _problem(name, f"{label} has no start (DTSTART)") from None
        except (ValueError, TypeError) as error:
            raise _problem(name, f"{label}: DTSTART is not a date ({error})") from None
        if not isinstance(start, datetime.date):
            raise _problem(name, f"{label}: DTSTART is not a date")
        at = _moment(start)
        minutes = None
        try:
            if event.get("DTEND") is not None:
                minutes = int((_moment(event.decoded("DTEND")) - at).total_seconds() // 60)
            elif event.get("DURATION") is not None:
                minutes = int(event.decoded("DURATION").total_seconds() // 60)
        except (ValueError, TypeError, AttributeError) as error:
            raise _problem(name, f"{label}: its end or duration is not readable ({error})") from None
        if minutes is not None and minutes < 0:
            raise _problem(name, f"{label} ends before it starts")
        if not isinstance(start, datetime.datetime):
            minutes = None  # an all-day event has no duration in minutes worth logging
        people = []
        organizer = event.get("ORGANIZER")
        if organizer is not None:
            people.append(_person(organizer))
        attendees = event.get("ATTENDEE") or []
        for attendee in attendees if isinstance(attendees, list) else [attendees]:
            people.append(_person(attendee))
        summary = " ".join(str(event.get("SUMMARY") or "").split())
        found.append(ParsedActivity(
            kind="meeting", subject=_clip(summary or "(no title)", 300), at=at,
            body=_clip(str(event.get("DESCRIPTION") or "").strip(), MAX_BODY_CHARS), duration_minutes=minutes,
            participants=[text for text, _address in people], addresses=[address for _text, address in people],
            source="ics", source_id=str(event.get("UID") or "")[:500]))
    return found

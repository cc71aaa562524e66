"""The German catalog is complete and the compiled .mo matches the .po (CI has no gettext to compile it)."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[2] / "salesflow" / "locale" / "de" / "LC_MESSAGES"


def po_entries() -> dict[str, list[str]]:
    """msgid → translations (one, or one per plural form) as written in django.po."""
    entries: dict[str, list[str]] = {}
    current: dict[str, str] = {}
    key = ""

    def flush() -> None:
        if current.get("msgid"):
            # An entry with a context is stored in the .mo under "context\x04msgid" (what pgettext looks up).
            lookup = f"{current['msgctxt']}\x04{current['msgid']}" if "msgctxt" in current else current["msgid"]
            entries[lookup] = [value for name, value in sorted(current.items()) if name.startswith("msgstr")]

    for line in (LOCALE / "django.po").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) (\".*\")$", line)
        if match:
            if match.group(1) == "msgctxt" or (match.group(1) == "msgid" and key != "msgctxt"):
                flush()
                current = {}
            key = match.group(1)
            current[key] = ast.literal_eval(match.group(2))
        elif line.startswith('"') and key:
            current[key] += ast.literal_eval(line)
    flush()
    return entries


def test_every_string_has_a_german_translation() -> None:
    entries = po_entries()
    assert len(entries) > 300
    untranslated = [msgid for msgid, translations in entries.items() if not all(translations)]
    assert untranslated == []


def test_compiled_catalog_matches_the_po_file() -> None:
    with (LOCALE / "django.mo").open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)
    for msgid, translations in po_entries().items():
        if len(translations) == 1:
            assert catalog.gettext(msgid) == translations[0], msgid
        else:
            assert catalog.ngettext(msgid, msgid, 1) == translations[0], msgid

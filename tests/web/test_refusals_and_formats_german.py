"""Engine refusals are said in the reader's language (ids named by their titles); one format per kind."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation

from salesflow.engine import actions
from salesflow.engine.errors import Conflict
from salesflow.engine.texts import N_
from salesflow.records import services
from salesflow.web import formats
from salesflow.web.i18n import localize
from salesflow.web.presenters import namer

pytestmark = pytest.mark.django_db
TEMPLATES = Path(__file__).resolve().parents[2] / "salesflow"


def test_an_engine_refusal_in_german_names_the_stage_by_its_title(people, opportunity) -> None:
    definition = services.definition_of(opportunity.process_version)
    with pytest.raises(Conflict) as refused:
        actions.move(definition, opportunity.to_state(), services.actor_for(people["kam"]), opportunity.stage)
    assert refused.value.message == f"the record is already in stage {opportunity.stage}"  # the core stays English
    with translation.override("de"):
        assert localize(refused.value.message, namer(definition, "de")) == \
            "Der Vorgang ist bereits in der Phase Qualifizierung"
    with translation.override("en"):
        assert localize(refused.value.message, namer(definition, "en")) == "the record is already in stage Qualification"


def test_sentences_keep_their_english_and_translate_numbers() -> None:
    sentence = N_("the note is longer than %(limit)s characters", limit=2000)
    assert sentence == "the note is longer than 2000 characters"
    with translation.override("de"):
        assert localize(sentence) == "Die Notiz ist länger als 2.000 Zeichen"


def test_one_format_per_kind_in_both_languages() -> None:
    moment = datetime.datetime(2027, 3, 1, 9, 5, 7, 123456, tzinfo=datetime.UTC)
    with translation.override("de"):
        assert formats.day(datetime.date(2027, 3, 1)) == "01.03.2027"
        assert formats.moment(moment) == "01.03.2027 09:05"
        assert formats.number(Decimal("120000")) == "120.000"
        assert formats.percent(0.5) == "50,0 %"
        assert formats.days(12.345) == "12,3"
    with translation.override("en"):
        assert formats.day(datetime.date(2027, 3, 1)) == "03/01/2027"
        assert formats.number(Decimal("120000")) == "120,000"
        assert formats.percent(0.5) == "50.0 %"


def test_templates_write_dates_in_the_locale_formats() -> None:
    """Shown dates use SHORT_DATE_FORMAT / SHORT_DATETIME_FORMAT; ISO only for machines (datetime attributes,
    date inputs) and the audit pack's documents."""
    odd = []
    for path in TEMPLATES.rglob("*.html"):
        if "/pack/" in str(path):
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            for match in re.finditer(r"\|date:(\"[^\"]*\"|'[^']*')", line):
                fmt = match.group(1).strip("'\"")
                machine = fmt == "c" or (fmt == "Y-m-d" and 'type="date"' in line)
                if fmt not in ("SHORT_DATE_FORMAT", "SHORT_DATETIME_FORMAT") and not machine:
                    odd.append(f"{path.name}: {match.group(0)}")
    assert odd == []


def test_record_numbers_in_sentences_are_never_grouped_like_quantities() -> None:
    sentence = N_("Record %(record)s (%(amount)s %(currency)s): no exchange rate", record=14023, amount="1.00",
                  currency="CHF")
    for language in ("en", "de"):
        with translation.override(language):
            assert "14023" in localize(sentence), language
    with translation.override("en"):
        assert localize(N_("more than %(limit)s", limit=14023)) == "more than 14,023"

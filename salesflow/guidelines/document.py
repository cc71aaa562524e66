"""The guideline document of a process version, built from its definition in English or German.

`build_document` returns a `GuidelineDocument`: the metadata table as the ISO guideline shows it,
document control, responsibilities, a RACI matrix, the process description in readable prose
(generated from stages, activities, decisions, gates, time limits and outcomes), inputs, outputs,
dependencies, rules, the flowchart and — given the other processes of the library — the process map with
this process highlighted and the hand-offs between processes. The renderers (`render_html`, `render_md`, `render_pdf`)
only lay it out.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from salesflow.guidelines.layout import Layout, build_layout, catalog_band_lines
from salesflow.guidelines.process_map import ProcessMap, build_process_map
from salesflow.guidelines.texts import BUILTIN_FIELD_TITLES, label, localized
from salesflow.process.model import Activity, Approval, ProcessDefinition, Stage

QUOTES = {"en": ("“", "”"), "de": ("„", "“")}


@dataclass
class VersionInfo:
    """Document-control data of the version being rendered (from the database, or defaults)."""

    version: int
    status: str = "draft"
    author: str = ""
    approver: str = ""
    approved_at: datetime.datetime | None = None
    effective_date: datetime.date | None = None
    change_note: str = ""
    sha256: str = ""


@dataclass
class Paragraph:
    """A paragraph of prose, optionally with a lead-in in bold."""

    text: str
    lead: str = ""


@dataclass
class PhaseSection:
    """The description of one phase: heading, its authored description and generated prose."""

    number: int
    title: str
    caption: str
    paragraphs: list[Paragraph] = field(default_factory=list)
    outcome: str = ""


@dataclass
class RaciRow:
    """One activity's RACI letters by role."""

    phase: str
    activity: str
    letters: list[str]


@dataclass
class GuidelineDocument:
    """Everything a guideline shows, as text in one language."""

    language: str
    process: str
    title: str
    version: VersionInfo
    classification: str
    classification_label: str
    metadata: list[tuple[str, str]]
    control: list[tuple[str, str]]
    responsibilities: list[tuple[str, str, str]]  # role title, tasks, description
    raci_roles: list[str]
    raci_rows: list[RaciRow]
    introduction: list[Paragraph]
    phases: list[PhaseSection]
    closing: list[Paragraph]
    overview: list[tuple[str, str, str, str]]  # phase, probability, time limit, gate
    inputs: list[str]
    outputs: list[str]
    depends_on: list[str]
    rules: list[str]
    approvals: list[tuple[str, str]]
    layout: Layout
    labels: dict[str, str] = field(default_factory=dict)
    process_map: ProcessMap | None = None  # all processes of the library, this one highlighted

    def t(self, key: str, **values: object) -> str:
        """A fixed text in the document's language."""
        return label(key, self.language, **values)

    def all_text(self) -> str:
        """Every text of the document (for search and tests)."""
        parts = [self.title, *[f"{k} {v}" for k, v in self.metadata], *[f"{k} {v}" for k, v in self.control]]
        parts += [" ".join(row) for row in self.responsibilities]
        parts += [*self.raci_roles, *[row.activity for row in self.raci_rows]]
        for paragraph in [*self.introduction, *self.closing]:
            parts.append(f"{paragraph.lead} {paragraph.text}")
        for phase in self.phases:
            parts.append(f"{phase.title} {phase.caption}")
            parts += [f"{p.lead} {p.text}" for p in phase.paragraphs]
        parts += [" ".join(row) for row in self.overview]
        parts += self.inputs + self.outputs + self.depends_on + self.rules
        return "\n".join(parts)


def quote(text: str, language: str) -> str:
    """Text in the language's quotation marks."""
    left, right = QUOTES.get(language, QUOTES["en"])
    return f"{left}{text}{right}"


def join_words(items: list[str], language: str) -> str:
    """A, B and C / A, B und C."""
    items = [item for item in items if item]
    if len(items) <= 1:
        return "".join(items)
    word = " und " if language == "de" else " and "
    return ", ".join(items[:-1]) + word + items[-1]


#: Grammatical gender of German record words (default feminine, as "die Opportunity").
DE_GENDER = {"lead": "m", "contract": "m", "vertrag": "m", "order": "m", "auftrag": "m", "account_plan": "m",
             "angebot": "n", "projekt": "n", "rfp": "f", "opportunity": "f"}
#: How the prose names the record kinds of the default library (other kinds: the id made readable).
RECORD_WORDS = {
    "lead": {"en": "lead", "de": "Lead"},
    "opportunity": {"en": "opportunity", "de": "Opportunity"},
    "rfp": {"en": "RFP", "de": "Ausschreibung"},
    "contract": {"en": "contract", "de": "Vertrag"},
    "order": {"en": "order", "de": "Auftrag"},
    "account_plan": {"en": "account plan", "de": "Account-Plan"},
}


def de_article(definition: ProcessDefinition, kind: str) -> str:
    """A German article for the record word: kind is 'jede', 'eine' or 'die' (nominative / accusative)."""
    gender = DE_GENDER.get(definition.record.lower(), "f")
    table = {"jede": {"f": "Jede", "m": "Jeder", "n": "Jedes"}, "eine": {"f": "Eine", "m": "Ein", "n": "Ein"},
             "die": {"f": "die", "m": "den", "n": "das"}, "die_nom": {"f": "die", "m": "der", "n": "das"}}
    return table[kind][gender]


def _an(word: str) -> bool:
    """True when English takes "an" before ``word`` (a vowel sound: "an order", "an RFP")."""
    if word[:2].isupper():
        return word[:1] in "AEFHILMNORSX"
    return word[:1].lower() in "aeiou"


def record_word(definition: ProcessDefinition, language: str) -> str:
    """How the prose calls a record of the process (opportunity / Opportunity)."""
    known = RECORD_WORDS.get(definition.record.lower())
    if known:
        return known.get(language, known["en"])
    word = definition.record.replace("_", " ").replace("-", " ")
    return word.capitalize() if language == "de" else word


def catalog_text(approval: Approval, definition: ProcessDefinition, language: str) -> str:
    """The competence catalog of an approval in words."""
    if approval.role:
        return definition.role_title(approval.role, language)
    return "; ".join(catalog_band_lines(definition, approval, language, name_open_band=False))


def _status_text(status: str, language: str) -> str:
    return label(f"status_{status}", language) if f"status_{status}" in _status_keys() else status


def _status_keys() -> set[str]:
    from salesflow.guidelines.texts import LABELS

    return {key for key in LABELS if key.startswith("status_")}


def _date_text(value: datetime.date | datetime.datetime | None, language: str) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = value.date()
    return value.strftime("%d.%m.%Y") if language == "de" else value.isoformat()


def build_document(definition: ProcessDefinition, info: VersionInfo | None = None, language: str = "en",
                   library: list[ProcessDefinition] | None = None,
                   process_map: ProcessMap | None = None) -> GuidelineDocument:
    """The guideline document of a process definition in ``language`` (en or de); with ``library`` (the other
    processes) it includes the process map, ``definition`` standing in for its own process there; a
    ``process_map`` laid out already (with ``definition`` in it) is used as it is."""
    lang = language if language in ("en", "de") else "en"
    info = info or VersionInfo(definition.version, definition.guideline.status.value)
    g = definition.guideline
    t = lambda key, **values: label(key, lang, **values)  # noqa: E731
    classification = t(f"class_{g.classification.value}")
    responsible = definition.role_title(g.responsible, lang)
    metadata = [
        (t("responsible"), responsible),
        (t("associated_process"), g.associated_process.get_text(lang)),
        (t("status"), _status_text(info.status, lang)),
        (t("class"), classification),
        (t("goal"), g.goal.get_text(lang) if g.goal else ""),
        (t("scope"), g.scope.get_text(lang) if g.scope else ""),
        (t("version"), str(info.version)),
        (t("approved_by"), info.approver or t("not_approved")),
        (t("effective_date"), _date_text(info.effective_date, lang) or "–"),
    ]
    control = [
        (t("version"), str(info.version)),
        (t("status"), _status_text(info.status, lang)),
        (t("author"), info.author or "–"),
        (t("approved_by"), info.approver or t("not_approved")),
        (t("approved_on"), _date_text(info.approved_at, lang) or "–"),
        (t("effective_date"), _date_text(info.effective_date, lang) or "–"),
        (t("change_note"), info.change_note or "–"),
        (t("sha"), info.sha256 or "–"),
    ]
    responsibilities = [
        (role.title.get_text(lang), ", ".join(task.get_text(lang) for task in role.tasks),
         role.description.get_text(lang) if role.description else "")
        for role in definition.roles.values()
    ]
    raci_roles = list(definition.roles)
    raci_rows = []
    for stage in definition.stages:
        for activity in stage.activities:
            raci_rows.append(RaciRow(stage.display_title(lang), activity.title.get_text(lang),
                                     [_raci_letters(activity, role) for role in raci_roles]))
    layout = build_layout(definition, lang)
    phases = [_phase_section(definition, stage, number, lang)
              for number, stage in enumerate(definition.stages, start=1)]
    overview = []
    for stage in definition.stages:
        limit = t("days", n=stage.max_days) if stage.max_days else "–"
        overview.append((stage.display_title(lang), f"{stage.probability} %", limit, _gate_summary(definition, stage, lang)))
    approvals = [(approval.title.get_text(lang), catalog_text(approval, definition, lang))
                 for approval in definition.approvals.values()]
    return GuidelineDocument(
        language=lang, process=definition.process, title=definition.title_text(lang), version=info,
        classification=g.classification.value, classification_label=t("classification_label", value=classification),
        metadata=metadata, control=control, responsibilities=responsibilities,
        raci_roles=[definition.role_title(role, lang) for role in raci_roles], raci_rows=raci_rows,
        introduction=_introduction(definition, lang), phases=phases, closing=_closing(definition, lang),
        overview=overview, inputs=[item.get_text(lang) for item in g.inputs],
        outputs=[item.get_text(lang) for item in g.outputs], depends_on=list(g.depends_on),
        rules=[item.get_text(lang) for item in g.notes], approvals=approvals, layout=layout,
        process_map=process_map if process_map is not None else _process_map(definition, library, lang),
    )


def _process_map(definition: ProcessDefinition, library: list[ProcessDefinition] | None,
                 lang: str) -> ProcessMap | None:
    if library is None:
        return None
    others = [item for item in library if item.process != definition.process]
    return build_process_map([*others, definition], lang)


def _raci_letters(activity: Activity, role: str) -> str:
    letters = []
    if activity.responsible == role:
        letters.append("R")
    if activity.accountable == role:
        letters.append("A")
    if role in activity.consulted:
        letters.append("C")
    if role in activity.informed:
        letters.append("I")
    return "/".join(letters)


def _gate_summary(definition: ProcessDefinition, stage: Stage, lang: str) -> str:
    if stage.is_outcome:
        needed = stage.requires.activities if stage.requires else []
        titles = [definition.activity(item).title.get_text(lang) for item in needed]
        return ", ".join(titles) or "–"
    parts = []
    if stage.gate and stage.gate.decision:
        parts.append(f"{stage.gate.decision.get_text(lang)} ({definition.role_title(stage.gate.decided_by, lang)})")
    requirements = definition.gate_requirements(stage)
    if requirements.approvals:
        parts.append(", ".join(definition.approvals[item].title.get_text(lang) for item in requirements.approvals))
    return "; ".join(parts) or "–"


def _field_title(definition: ProcessDefinition, name: str, lang: str) -> str:
    declared = definition.fields.get(name)
    if declared and declared.title:
        return declared.title.get_text(lang)
    if name in BUILTIN_FIELD_TITLES:
        return localized(BUILTIN_FIELD_TITLES[name], lang)
    return name.replace("_", " ").capitalize()


def _introduction(definition: ProcessDefinition, lang: str) -> list[Paragraph]:
    g = definition.guideline
    first = definition.first_stage
    word = record_word(definition, lang)
    paragraphs = []
    if definition.description:
        paragraphs.append(Paragraph(definition.description.get_text(lang)))
    start = join_words([item.get_text(lang) for item in g.inputs], lang)
    if lang == "de":
        text = (f"Ausgangspunkt des Prozesses: {start}. " if start else "") + \
            f"{de_article(definition, 'jede')} {word} beginnt in der Phase {quote(first.display_title(lang), lang)} mit einer " \
            f"Standardwahrscheinlichkeit von {first.probability} %. Der Prozess hat " \
            f"{len(definition.open_stages)} Phasen und endet mit " + \
            join_words([quote(stage.display_title(lang), lang) for stage in definition.outcome_stages], lang) + "."
    else:
        text = (f"The starting point of the process: {start}. " if start else "") + \
            f"Every {word} starts in the phase {quote(first.display_title(lang), lang)} with a default " \
            f"probability of {first.probability} %. The process has {len(definition.open_stages)} phases and " \
            f"ends with " + join_words([quote(s.display_title(lang), lang) for s in definition.outcome_stages], lang) + "."
    paragraphs.append(Paragraph(text))
    return paragraphs


def _activity_phrase(definition: ProcessDefinition, activity: Activity, lang: str) -> str:
    extras = []
    others = [definition.role_title(role, lang) for role in activity.consulted]
    if others:
        extras.append(("mit " if lang == "de" else "with ") + join_words(others, lang))
    if activity.accountable:
        accountable = definition.role_title(activity.accountable, lang)
        extras.append(f"{'verantwortet von' if lang == 'de' else 'accountable'}: {accountable}" if lang == "de"
                      else f"accountable: {accountable}")
    if activity.informed:
        informed = join_words([definition.role_title(role, lang) for role in activity.informed], lang)
        extras.append(f"{'informiert' if lang == 'de' else 'informing'} {informed}" if lang == "en" else
                      f"informiert: {informed}")
    if activity.customer_contact:
        extras.append("Kundenkontakt" if lang == "de" else "customer contact")
    if activity.max_days:
        extras.append(label("max_days", lang, n=activity.max_days))
    text = quote(activity.title.get_text(lang), lang)
    return f"{text} ({'; '.join(extras)})" if extras else text


def _phase_section(definition: ProcessDefinition, stage: Stage, number: int, lang: str) -> PhaseSection:
    word = record_word(definition, lang)
    caption_parts = [f"{label('probability', lang)} {stage.probability} %"]
    if stage.max_days:
        caption_parts.append(f"{label('time_limit', lang)}: {label('days', lang, n=stage.max_days)}")
    section = PhaseSection(number, stage.display_title(lang), " · ".join(caption_parts),
                           outcome=stage.outcome.value if stage.outcome else "")
    if stage.description:
        section.paragraphs.append(Paragraph(stage.description.get_text(lang)))
    by_role: dict[str, list[Activity]] = {}
    for activity in stage.activities:
        by_role.setdefault(activity.responsible, []).append(activity)
    sentences = []
    for role, activities in by_role.items():
        phrases = join_words([_activity_phrase(definition, activity, lang) for activity in activities], lang)
        title = definition.role_title(role, lang)
        sentences.append(f"{title} führt {phrases} durch." if lang == "de" else f"{title} carries out {phrases}.")
    if sentences:
        section.paragraphs.append(Paragraph(" ".join(sentences), "Aktivitäten: " if lang == "de" else "Activities: "))
    for activity in stage.activities:
        for approval_id in (activity.requires.approvals if activity.requires else []):
            approval = definition.approvals[approval_id]
            name, title = quote(activity.title.get_text(lang), lang), quote(approval.title.get_text(lang), lang)
            catalog = catalog_text(approval, definition, lang)
            text = (f"{name} setzt die Freigabe {title} voraus ({catalog}); ohne Freigabe wird überarbeitet."
                    if lang == "de" else
                    f"{name} needs the approval {title} ({catalog}); without it the work is revised.")
            section.paragraphs.append(Paragraph(text, "Freigabe: " if lang == "de" else "Approval: "))
    section.paragraphs.extend(_handoff_paragraphs(definition, stage, lang))
    if stage.is_outcome:
        needed = stage.requires.activities if stage.requires else []
        titles = join_words([quote(definition.activity(item).title.get_text(lang), lang) for item in needed], lang)
        if titles:
            verb = "müssen" if len(needed) > 1 else "muss"
            text = (f"Um {de_article(definition, 'die')} {word} als {quote(stage.display_title(lang), lang)} "
                    f"abzuschließen, {verb} {titles} erledigt sein." if lang == "de" else
                    f"To close the {word} as {quote(stage.display_title(lang), lang)}, {titles} must be done.")
            section.paragraphs.append(Paragraph(text, "Abschluss: " if lang == "de" else "Closing: "))
        return section
    requirements = definition.gate_requirements(stage)
    parts = []
    if requirements.activities:
        done = join_words([quote(definition.activity(item).title.get_text(lang), lang)
                           for item in requirements.activities], lang)
        parts.append(f"erledigt sein: {done}" if lang == "de" else f"done: {done}")
    if requirements.fields:
        fields = join_words([_field_title(definition, item, lang) for item in requirements.fields], lang)
        parts.append(f"ausgefüllt sein: {fields}" if lang == "de" else f"filled in: {fields}")
    if requirements.approvals:
        granted = join_words([quote(definition.approvals[item].title.get_text(lang), lang)
                              for item in requirements.approvals], lang)
        parts.append(f"erteilt sein: {granted}" if lang == "de" else f"granted: {granted}")
    if parts:
        text = ("Bevor die Phase verlassen werden kann, müssen " + "; ".join(parts) + "." if lang == "de" else
                "Before the phase can be left, these must be " + "; ".join(parts) + ".")
        section.paragraphs.append(Paragraph(text, "Gate: "))
    following = _next_stage(definition, stage)
    next_text = ""
    if following is not None:
        next_text = (f"{de_article(definition, 'die_nom')} {word} geht in die Phase {quote(following.display_title(lang), lang)} "
                     f"({following.probability} %) über" if lang == "de" else
                     f"the {word} moves on to the phase {quote(following.display_title(lang), lang)} "
                     f"({following.probability} %)")
    gate = stage.gate
    if gate and gate.decision:
        decider = definition.role_title(gate.decided_by, lang)
        question = quote(gate.decision.get_text(lang), lang)
        delegates = join_words([definition.role_title(role, lang) for role in gate.delegable_to], lang)
        if lang == "de":
            text = f"{decider} entscheidet: {question}"
            text += f" Die Entscheidung kann an {delegates} übertragen werden." if delegates else ""
            text += f" Ja: {next_text[0].upper() + next_text[1:]}." if next_text else ""
            text += f" Nein: {gate.on_no.get_text(lang)}" if gate.on_no else \
                f" Nein: Die Arbeit in dieser Phase wird fortgesetzt oder {de_article(definition, 'die_nom').lower()} {word} wird beendet."
        else:
            text = f"{decider} decides: {question}"
            text += f" The decision can be delegated to {delegates}." if delegates else ""
            text += f" Yes: {next_text[0].upper() + next_text[1:]}." if next_text else ""
            text += f" No: {gate.on_no.get_text(lang)}" if gate.on_no else \
                " No: the work in this phase goes on, or the record is closed."
        section.paragraphs.append(Paragraph(text, "Entscheidung: " if lang == "de" else "Decision: "))
    elif next_text:
        text = (f"Sobald die Anforderungen erfüllt sind, {_de_verb_first(next_text)}." if lang == "de" else
                f"Once the requirements are met, {next_text}.")
        section.paragraphs.append(Paragraph(text, "Weiter: " if lang == "de" else "Next: "))
    if stage.max_days:
        text = (f"Die Phase soll innerhalb von {stage.max_days} Tagen abgeschlossen sein." if lang == "de" else
                f"The phase should be completed within {stage.max_days} days.")
        section.paragraphs.append(Paragraph(text, "Frist: " if lang == "de" else "Time limit: "))
    if stage.due_field:
        field = _field_title(definition, stage.due_field, lang)
        text = (f"Die Phase muss vor dem Datum {field} abgeschlossen sein; danach gilt die Frist als versäumt."
                if lang == "de" else
                f"The phase must be completed before the date {field}; after it the deadline counts as missed.")
        section.paragraphs.append(Paragraph(text, "Termin: " if lang == "de" else "Deadline: "))
    return section


def _process_name(key: str) -> str:
    return key.replace("-", " ").replace("_", " ")


def _handoff_paragraphs(definition: ProcessDefinition, stage: Stage, lang: str) -> list[Paragraph]:
    """What entering ``stage`` hands over to the next processes (the guideline's outputs, made concrete)."""
    paragraphs = []
    for handoff in stage.handoffs:
        title = quote(handoff.title.get_text(lang), lang)
        target = _process_name(handoff.process)
        passed = join_words(list(dict.fromkeys(_field_title(definition, source, lang)
                                               for source in handoff.fields.values() if not source.startswith("="))),
                            lang)
        if lang == "de":
            text = f"Mit dem Eintritt in diese Phase wird {title} ausgeführt: ein verknüpfter Datensatz im Prozess {target}"
            text += f", übernommen werden {passed}" if passed else ""
            text += (". Der Kunde wird anhand von Firmenname und E-Mail-Domain gefunden oder neu angelegt"
                     if handoff.account else "")
            text += ", der Kontakt wird angelegt." if handoff.contact else "."
        else:
            text = f"Entering this phase runs {title}: a linked record in the process {target}"
            text += f", taking over {passed}" if passed else ""
            text += (". The customer account is found by company name and e-mail domain, or created"
                     if handoff.account else "")
            text += ", and the contact is created." if handoff.contact else "."
        paragraphs.append(Paragraph(text, "Übergabe: " if lang == "de" else "Hand-off: "))
    return paragraphs


def _schedule_paragraphs(definition: ProcessDefinition, lang: str) -> list[Paragraph]:
    """The process's timers and change control in words."""
    paragraphs = []
    for schedule in definition.schedules:
        stages = join_words([quote(definition.stage(item).display_title(lang), lang) for item in schedule.stages
                             if definition.has_stage(item)], lang)
        due = _field_title(definition, schedule.date_field, lang)
        if schedule.minus_days_field:
            minus = _field_title(definition, schedule.minus_days_field, lang)
            due = f"{due} abzüglich {minus}" if lang == "de" else f"{due} minus {minus}"
        days = ", ".join(str(item) for item in schedule.days_before)
        roles = join_words([definition.role_title(role, lang) for role in schedule.notify], lang)
        if lang == "de":
            text = f"Solange {de_article(definition, 'die_nom')} {record_word(definition, lang)} in {stages} ist, zählt der Termin {due}."
            text += f" {days} Tage vorher werden der Verantwortliche" + (f" und {roles}" if roles else "") + " erinnert." \
                if days else ""
            text += (f" Danach wechselt der Datensatz in die Phase "
                     f"{quote(definition.stage(schedule.move_to).display_title(lang), lang)}." if schedule.move_to else "")
            text += " Ein versäumter Termin wird als Fristverletzung protokolliert." if schedule.breach else ""
        else:
            text = f"While the {record_word(definition, lang)} is in {stages}, the date {due} counts."
            text += f" {days} days before it, the owner" + (f" and {roles}" if roles else "") + " are reminded." \
                if days else ""
            text += (f" Then the record moves to the phase "
                     f"{quote(definition.stage(schedule.move_to).display_title(lang), lang)}." if schedule.move_to else "")
            text += " A missed date is logged as a deadline breach." if schedule.breach else ""
        title = schedule.title.get_text(lang) if schedule.title else schedule.id
        paragraphs.append(Paragraph(text, f"{title}: "))
    for rule in definition.change_control:
        fields = join_words([_field_title(definition, item, lang) for item in rule.fields], lang)
        start = quote(definition.stage(rule.from_stage).display_title(lang), lang)
        reopened = join_words([quote(definition.activity(item).title.get_text(lang), lang) for item in rule.reopen],
                              lang)
        roles = join_words([definition.role_title(role, lang) for role in rule.notify], lang)
        if lang == "de":
            text = f"Ändern sich ab der Phase {start} {fields}, wird {reopened} erneut geöffnet"
            text += f" und {roles} werden benachrichtigt." if roles else "."
        else:
            text = f"When {fields} change from the phase {start} on, {reopened} is opened again"
            text += f" and {roles} are notified." if roles else "."
        paragraphs.append(Paragraph(text, "Änderungen (ISO 9001 8.2.4): " if lang == "de" else
                                    "Changes (ISO 9001 8.2.4): "))
    return paragraphs


def _de_verb_first(text: str) -> str:
    """'die Opportunity geht in … über' → 'geht die Opportunity in … über' (verb second after a clause)."""
    words = text.split(" ")
    if len(words) > 3 and words[2] == "geht":
        return " ".join(["geht", words[0], words[1], *words[3:]])
    return text


def _next_stage(definition: ProcessDefinition, stage: Stage) -> Stage | None:
    open_ids = [item.id for item in definition.open_stages]
    index = open_ids.index(stage.id)
    if index + 1 < len(open_ids):
        return definition.stage(open_ids[index + 1])
    won = [item for item in definition.outcome_stages if item.outcome and item.outcome.value == "won"]
    return won[0] if won else None


def _closing(definition: ProcessDefinition, lang: str) -> list[Paragraph]:
    word = record_word(definition, lang)
    paragraphs = []
    rights = definition.rights
    responsible = definition.guideline.responsible
    overriders = join_words([definition.role_title(role, lang) for role in dict.fromkeys([responsible, *rights.override])],
                            lang)
    probability = join_words([definition.role_title(role, lang) for role in rights.set_probability], lang)
    lost = [stage for stage in definition.outcome_stages if stage.outcome and stage.outcome.value == "lost"]
    if lang == "de":
        text = (f"Nicht erfüllte Anforderungen können nur mit schriftlicher Begründung übersteuert werden, durch: "
                f"{overriders}. Jede Übersteuerung wird im Ereignisprotokoll festgehalten.")
        if probability:
            text += f" Die Wahrscheinlichkeit kann in jeder Phase mit Begründung angepasst werden durch: {probability}."
        for stage in lost:
            needed = stage.requires.activities if stage.requires else []
            titles = join_words([quote(definition.activity(item).title.get_text(lang), lang) for item in needed], lang)
            verb = "müssen" if len(needed) > 1 else "muss"
            text += (f" {de_article(definition, 'eine')} {word} kann aus jeder offenen Phase als {quote(stage.display_title(lang), lang)} "
                     f"beendet werden" + (f"; zuvor {verb} {titles} erledigt sein." if titles else "."))
    else:
        text = (f"Unmet requirements can only be overridden with a written reason, by: {overriders}. Every "
                f"override is kept in the event log.")
        if probability:
            text += f" The probability can be adjusted in every phase, with a reason, by: {probability}."
        for stage in lost:
            needed = stage.requires.activities if stage.requires else []
            titles = join_words([quote(definition.activity(item).title.get_text(lang), lang) for item in needed], lang)
            text += (f" An {word} can be closed as {quote(stage.display_title(lang), lang)} from every open phase"
                     + (f"; {titles} must be done first." if titles else ".")) if _an(word) else \
                (f" A {word} can be closed as {quote(stage.display_title(lang), lang)} from every open phase"
                 + (f"; {titles} must be done first." if titles else "."))
    paragraphs.append(Paragraph(text, "Übersteuerung und Abschluss: " if lang == "de" else "Overrides and closing: "))
    paragraphs.extend(_schedule_paragraphs(definition, lang))
    return paragraphs

"""The guideline document as Markdown (GitHub-flavoured tables); the flowchart and the process map are linked as
SVG files, the hand-offs between processes are a table."""

from __future__ import annotations

from salesflow.guidelines.document import GuidelineDocument
from salesflow.guidelines.process_map import map_label


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(_cell(item) for item in headers) + " |",
             "|" + "|".join(" --- " for _ in headers) + "|"]
    lines += ["| " + " | ".join(_cell(item) for item in row) + " |" for row in rows]
    return lines + [""]


def render_md(doc: GuidelineDocument, flowchart_href: str | None = None, map_href: str | None = None) -> str:
    """The guideline as Markdown; ``flowchart_href`` / ``map_href`` are where the flowchart and process-map SVGs
    are (the images are omitted when None; the hand-off list is there whenever the document has a process map)."""
    t = doc.t
    out: list[str] = [f"<!-- {doc.classification_label} -->", f"# {doc.title}", "",
                      f"*{t('guideline')} · {doc.process} · {t('version')} {doc.version.version}* · "
                      f"**{doc.classification_label}**", "", f"## {t('metadata')}", ""]
    out += _table(["", ""], [[f"**{key}**", value] for key, value in doc.metadata])
    out += [f"## {t('responsibilities')}", ""]
    out += _table([t("responsibility"), t("tasks")],
                  [[f"**{role}**" + (f" ({note})" if note else ""), tasks] for role, tasks, note in doc.responsibilities])
    out += [f"## {t('process_description')}", ""]
    out += [_paragraph(item) for item in doc.introduction]
    out += [f"### {t('phases_overview')}", ""]
    out += _table([t("phase"), t("probability"), t("time_limit"), t("gate")], [list(row) for row in doc.overview])
    for phase in doc.phases:
        out += [f"### {phase.number}. {phase.title}", "", f"*{phase.caption}*", ""]
        out += [_paragraph(item) for item in phase.paragraphs]
    out += [_paragraph(item) for item in doc.closing]
    if doc.rules:
        out += [f"## {t('rules')}", ""] + [f"- {rule}" for rule in doc.rules] + [""]
    if doc.approvals:
        out += [f"## {t('approvals')}", ""]
        out += _table([t("approvals").split(" (")[0], t("responsible")], [list(row) for row in doc.approvals])
    out += [f"## {t('io')}", ""]
    out += [f"**{t('inputs')}:** " + ("; ".join(doc.inputs) or "–"), "",
            f"**{t('outputs')}:** " + ("; ".join(doc.outputs) or "–"), "",
            f"**{t('depends_on')}:** " + (", ".join(doc.depends_on) or t("no_dependencies")), ""]
    out += [f"## {t('raci')}", ""]
    out += _table([t("phase"), t("activity"), *doc.raci_roles],
                  [[row.phase, row.activity, *row.letters] for row in doc.raci_rows])
    out += [t("raci_legend"), "", f"## {t('document_control')}", ""]
    out += _table(["", ""], [[f"**{key}**", value] for key, value in doc.control])
    if flowchart_href:
        out += [f"## {t('flowchart')}", "", f"![{t('flowchart')}: {doc.title}]({flowchart_href})", ""]
    if doc.process_map is not None:
        lang = doc.language
        out += [f"## {map_label('process_map', lang)}", ""]
        if map_href:
            out += [f"![{map_label('process_map', lang)}]({map_href})", ""]
        out += [f"### {map_label('handoff_list', lang)}", ""]
        if doc.process_map.handoffs:
            headers = [map_label(key, lang) for key in ("from_process", "stage", "handoff", "to_process",
                                                        "fields_passed")]
            out += _table(headers, [row.cells() for row in doc.process_map.handoffs])
        else:
            out += [map_label("no_handoffs", lang), ""]
    out += ["---", f"*{doc.classification_label} · {t('generated')}*", ""]
    return "\n".join(out)


def _paragraph(paragraph: object) -> str:
    lead = getattr(paragraph, "lead", "")
    text = getattr(paragraph, "text", "")
    return (f"**{lead.strip()}** {text}" if lead else text) + "\n"

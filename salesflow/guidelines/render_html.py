"""The guideline document as HTML: a standalone page (also the PDF's source) or a fragment for the UI."""

from __future__ import annotations

import base64
from html import escape
from pathlib import Path

from salesflow.guidelines.document import GuidelineDocument
from salesflow.guidelines.layout import column_slices
from salesflow.guidelines.process_map import map_label, render_map_svg
from salesflow.guidelines.svg import render_svg

#: Styles of the guideline document (screen and print), scoped by the ``guideline-doc`` class; the same file is
#: served to the web pages as a static file (the pages' Content-Security-Policy allows no inline styles).
GUIDELINE_CSS_FILE = Path(__file__).resolve().parent / "static" / "guidelines" / "guideline.css"
GUIDELINE_CSS = GUIDELINE_CSS_FILE.read_text(encoding="utf-8")

PRINT_CSS = """
@page { size: A4; margin: 20mm 16mm 18mm 16mm;
  @top-left { content: %(title)s; font: 8pt "DejaVu Sans"; color: #5a6b7d; }
  @top-right { content: %(classification)s; font: bold 8pt "DejaVu Sans"; color: #8a2b2b; }
  @bottom-left { content: %(classification)s; font: bold 8pt "DejaVu Sans"; color: #8a2b2b; }
  @bottom-center { content: %(version)s; font: 8pt "DejaVu Sans"; color: #5a6b7d; }
  @bottom-right { content: "%(page)s " counter(page) " %(of)s " counter(pages); font: 8pt "DejaVu Sans";
    color: #5a6b7d; } }
@page landscape { size: A4 landscape; margin: 16mm 14mm 15mm 14mm; }
html { font-size: 10pt; }
body { margin: 0; }
.flow-part { page: landscape; page-break-before: always; }
.flow-part img { width: 100%%; height: auto; max-height: 165mm; }
.map-part img { max-height: 120mm; }
.flow-part h2 { margin-top: 0; }
h2 { page-break-after: avoid; break-after: avoid; }
table, tr { page-break-inside: avoid; }
.guideline-doc .flowchart-scroll { overflow: visible; border: none; }
"""


def _table(headers: list[str], rows: list[list[str]], css: str = "") -> str:
    head = "".join(f"<th>{escape(item)}</th>" for item in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _paragraphs(items: list) -> str:
    out = []
    for paragraph in items:
        lead = f'<span class="lead">{escape(paragraph.lead)}</span>' if paragraph.lead else ""
        out.append(f"<p>{lead}{escape(paragraph.text)}</p>")
    return "".join(out)


def _version_line(doc: GuidelineDocument) -> str:
    status = doc.version.status
    status_text = doc.t(f"status_{status}") if status in ("draft", "in_review", "approved", "obsolete") else status
    return f"{doc.t('version')} {doc.version.version} · {status_text}"


def css_string(text: str) -> str:
    """A CSS string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def print_css(doc: GuidelineDocument) -> str:
    """The paged-media styles with the running header and footer of this document."""
    return PRINT_CSS % {
        "page": doc.t("page"), "of": doc.t("of"), "title": css_string(f"{doc.title} – {doc.t('guideline')}"),
        "classification": css_string(doc.classification_label), "version": css_string(_version_line(doc)),
    }


def document_body(doc: GuidelineDocument, for_print: bool = False) -> str:
    """The guideline as an ``<article class="guideline-doc">`` (HTML fragment)."""
    t = doc.t
    out: list[str] = [f'<article class="guideline-doc" lang="{doc.language}">']
    version_line = _version_line(doc)
    out.append(f'<div class="kicker">{escape(t("guideline"))} · {escape(doc.process)}</div>')
    out.append(f"<h1>{escape(doc.title)}</h1>")
    out.append(f'<p class="subtitle">{escape(version_line)} &nbsp; '
               f'<span class="classification-banner">{escape(doc.classification_label)}</span></p>')
    out.append(f'<h2>{escape(t("metadata"))}</h2><table class="meta"><tbody>')
    for key, value in doc.metadata:
        out.append(f"<tr><th>{escape(key)}</th><td>{escape(value)}</td></tr>")
    out.append("</tbody></table>")
    out.append(f'<h2>{escape(t("responsibilities"))}</h2>')
    out.append(f'<table class="responsibilities"><thead><tr><th>{escape(t("responsibility"))}</th>'
               f'<th>{escape(t("tasks"))}</th></tr></thead><tbody>')
    for role, tasks, description in doc.responsibilities:
        note = f'<div class="role-note">{escape(description)}</div>' if description else ""
        out.append(f"<tr><th>{escape(role)}{note}</th><td>{escape(tasks)}</td></tr>")
    out.append("</tbody></table>")
    out.append(f'<h2>{escape(t("process_description"))}</h2>')
    out.append(_paragraphs(doc.introduction))
    out.append(f'<h3>{escape(t("phases_overview"))}</h3>')
    out.append(_table([t("phase"), t("probability"), t("time_limit"), t("gate")],
                      [list(row) for row in doc.overview], "overview"))
    for phase in doc.phases:
        out.append(f'<section class="phase"><h3>{phase.number}. {escape(phase.title)}</h3>'
                   f'<p class="phase-caption">{escape(phase.caption)}</p>{_paragraphs(phase.paragraphs)}</section>')
    out.append(_paragraphs(doc.closing))
    if doc.rules:
        out.append(f'<h2>{escape(t("rules"))}</h2><ul class="rules">')
        out.extend(f"<li>{escape(rule)}</li>" for rule in doc.rules)
        out.append("</ul>")
    if doc.approvals:
        out.append(f'<h2>{escape(t("approvals"))}</h2>')
        out.append(_table([t("approvals").split(" (")[0], t("responsible")], [list(row) for row in doc.approvals]))
    out.append(f'<h2>{escape(t("io"))}</h2><table class="meta"><tbody>')
    for key, values in ((t("inputs"), doc.inputs), (t("outputs"), doc.outputs),
                        (t("depends_on"), doc.depends_on or [t("no_dependencies")])):
        items = "".join(f"<li>{escape(value)}</li>" for value in values) or "<li>–</li>"
        out.append(f"<tr><th>{escape(key)}</th><td><ul>{items}</ul></td></tr>")
    out.append("</tbody></table>")
    out.append(f'<h2>{escape(t("raci"))}</h2>')
    head = "".join(f'<th class="role">{escape(role)}</th>' for role in doc.raci_roles)
    out.append(f'<table class="raci"><thead><tr><th>{escape(t("phase"))} / {escape(t("activity"))}</th>'
               f"{head}</tr></thead><tbody>")
    current_phase = None
    for row in doc.raci_rows:
        if row.phase != current_phase:
            current_phase = row.phase
            out.append(f'<tr class="phase-row"><th colspan="{len(doc.raci_roles) + 1}">{escape(row.phase)}</th></tr>')
        cells = "".join(f'<td class="letter">{escape(letter)}</td>' for letter in row.letters)
        out.append(f"<tr><td>{escape(row.activity)}</td>{cells}</tr>")
    out.append(f'</tbody></table><p class="legend">{escape(t("raci_legend"))}</p>')
    out.append(f'<h2>{escape(t("document_control"))}</h2><table class="meta"><tbody>')
    for key, value in doc.control:
        css = ' class="mono"' if key == t("sha") else ""
        out.append(f"<tr><th>{escape(key)}</th><td{css}>{escape(value)}</td></tr>")
    out.append("</tbody></table>")
    out.append(_flowchart(doc, for_print))
    out.append(process_map_section(doc, for_print))
    out.append("</article>")
    return "".join(out)


def svg_image(svg: str, css: str, alt: str) -> str:
    """A standalone SVG as an ``<img>`` with a data URL (print: WeasyPrint parses it as XML, not as HTML, and
    gives its elements no CSS cascade; the drawing is the same as the SVG inline)."""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f'<img class="{css}" alt="{escape(alt)}" src="data:image/svg+xml;base64,{data}">'


def _flowchart(doc: GuidelineDocument, for_print: bool) -> str:
    t = doc.t
    if not for_print:
        return (f'<h2 id="flowchart">{escape(t("flowchart"))}</h2><div class="flowchart-scroll">'
                f"{render_svg(doc.layout)}</div>")
    parts = column_slices(doc.layout, 1400)
    out = []
    for index, columns in enumerate(parts, start=1):
        title = t("flowchart_part", i=index, n=len(parts)) if len(parts) > 1 else t("flowchart")
        svg = _scalable(render_svg(doc.layout, columns), "flowchart")
        image = svg_image(svg, "flowchart", f"{doc.title} – {title}")
        out.append(f'<section class="flow-part"><h2>{escape(doc.title)} – {escape(title)}</h2>{image}</section>')
    return "".join(out)


def _scalable(svg: str, css: str) -> str:
    """The SVG without its fixed width and height (kept as data-width/-height): the page scales it by its viewBox."""
    svg = svg.replace(f'<svg xmlns="http://www.w3.org/2000/svg" class="{css}" width=',
                      f'<svg xmlns="http://www.w3.org/2000/svg" class="{css}" data-width=', 1)
    return svg.replace('" height="', '" data-height="', 1)


def handoff_table(doc: GuidelineDocument) -> str:
    """The hand-offs between processes as a table (empty text when the document has no process map)."""
    if doc.process_map is None:
        return ""
    lang = doc.language
    if not doc.process_map.handoffs:
        return f'<p class="legend">{escape(map_label("no_handoffs", lang))}</p>'
    headers = [map_label(key, lang) for key in ("from_process", "stage", "handoff", "to_process", "fields_passed")]
    return _table(headers, [row.cells() for row in doc.process_map.handoffs], "handoffs")


def process_map_section(doc: GuidelineDocument, for_print: bool = False) -> str:
    """The process map with this process highlighted, and the hand-off list ("" without a process map)."""
    if doc.process_map is None:
        return ""
    lang = doc.language
    title = map_label("process_map", lang)
    svg = render_map_svg(doc.process_map, highlight=doc.process)
    table = f'<h3>{escape(map_label("handoff_list", lang))}</h3>{handoff_table(doc)}'
    if not for_print:
        return f'<h2 id="process-map">{escape(title)}</h2><div class="flowchart-scroll">{svg}</div>{table}'
    image = svg_image(_scalable(svg, "process-map"), "process-map", title)
    return f'<section class="flow-part map-part"><h2>{escape(doc.title)} – {escape(title)}</h2>{image}{table}</section>'


def render_html(doc: GuidelineDocument, for_print: bool = False) -> str:
    """A standalone HTML page of the guideline (``for_print``: paged, as the PDF's source)."""
    css = GUIDELINE_CSS + (print_css(doc) if for_print else
                           "body { margin: 24px auto; max-width: 1100px; padding: 0 16px; }")
    return (f'<!DOCTYPE html><html lang="{doc.language}"><head><meta charset="utf-8">'
            f"<title>{escape(doc.title)} – {escape(doc.t('guideline'))} v{doc.version.version}</title>"
            f'<meta name="classification" content="{escape(doc.classification)}">'
            f"<style>{css}</style></head><body>{document_body(doc, for_print)}</body></html>")

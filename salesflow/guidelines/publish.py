"""Render a stored process version in any output format (the CLI, the web pages and the audit pack use this)."""

from __future__ import annotations

from dataclasses import dataclass

from salesflow.guidelines.bpmn import render_bpmn
from salesflow.guidelines.document import GuidelineDocument, VersionInfo, build_document
from salesflow.guidelines.layout import build_layout
from salesflow.guidelines.library_map import map_versions, process_map_of
from salesflow.guidelines.process_map import render_map_svg
from salesflow.guidelines.render_html import render_html
from salesflow.guidelines.render_md import render_md
from salesflow.guidelines.svg import render_svg
from salesflow.records.models import ProcessVersion
from salesflow.records.services import definition_of

FORMATS = ("html", "pdf", "md", "svg", "bpmn")
CONTENT_TYPES = {"html": "text/html; charset=utf-8", "pdf": "application/pdf", "md": "text/markdown; charset=utf-8",
                 "svg": "image/svg+xml", "bpmn": "application/xml"}
EXTENSIONS = {"html": "html", "pdf": "pdf", "md": "md", "svg": "svg", "bpmn": "bpmn"}


@dataclass
class Rendered:
    """A rendered output: its bytes and, for Markdown, the flowchart and process-map SVGs that go beside it."""

    content: bytes
    companion: bytes | None = None
    process_map: bytes | None = None


def change_note_in(version: ProcessVersion, language: str) -> str:
    """The version's change note in ``language``: the file's own text in that language when the stored note is
    the file's English one (a note written at proposal stays as written)."""
    note = version.change_note or ""
    if not note or language == "en":
        return note
    try:
        written = definition_of(version).guideline.change_note
    except Exception:  # noqa: BLE001 - a version whose file no longer parses keeps its stored note
        return note
    if written is not None and written.get_text("en") == note:
        return written.get_text(language) or note
    return note


def version_info(version: ProcessVersion, language: str = "en") -> VersionInfo:
    """The document-control data of a stored version (the change note in ``language``)."""
    return VersionInfo(
        version=version.version, status=version.status, author=version.author_name,
        approver=version.approver_name, approved_at=version.approved_at, effective_date=version.effective_date,
        change_note=change_note_in(version, language), sha256=version.sha256,
    )


def document_of(version: ProcessVersion, language: str = "en") -> GuidelineDocument:
    """The guideline document of a stored version, with the process map of the approved library (the version
    standing in for its own process)."""
    return build_document(definition_of(version), version_info(version, language), language,
                          process_map=process_map_of(map_versions(version), language))


def file_name(version: ProcessVersion, fmt: str, language: str = "en") -> str:
    """A descriptive file name: opportunity-management-v2-en.pdf."""
    return f"{version.process.key}-v{version.version}-{language}.{EXTENSIONS[fmt]}"


def render_version(version: ProcessVersion, fmt: str, language: str = "en",
                   flowchart_href: str | None = None, map_href: str | None = None) -> Rendered:
    """Render a version as html, pdf, md (with its flowchart and process-map SVGs), svg or bpmn."""
    definition = definition_of(version)
    if fmt == "svg":
        return Rendered(render_svg(build_layout(definition, language)).encode("utf-8"))
    if fmt == "bpmn":
        return Rendered(render_bpmn(definition, language).encode("utf-8"))
    doc = document_of(version, language)
    if fmt == "html":
        return Rendered(render_html(doc).encode("utf-8"))
    if fmt == "md":
        svg = render_svg(doc.layout).encode("utf-8")
        process_map = render_map_svg(doc.process_map, highlight=doc.process).encode("utf-8") \
            if doc.process_map else None
        return Rendered(render_md(doc, flowchart_href, map_href).encode("utf-8"), svg, process_map)
    if fmt == "pdf":
        from salesflow.guidelines.render_pdf import render_pdf

        return Rendered(render_pdf(doc))
    raise ValueError(f"unknown format {fmt!r} (formats: {', '.join(FORMATS)})")

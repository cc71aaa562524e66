"""The swimlane flowchart as SVG, drawn from a `Layout` (the same coordinates as the BPMN diagram)."""

from __future__ import annotations

import math
from xml.sax.saxutils import escape

from salesflow.guidelines.layout import (
    COL_W,
    HEADER_W,
    LANE_LABEL_W,
    PHASE_H,
    POOL_LABEL_W,
    SMALL_FONT,
    TASK_FONT,
    Edge,
    Layout,
    Node,
    text_width,
    wrap,
)
from salesflow.guidelines.texts import label

FONT = "DejaVu Sans, Verdana, Helvetica, Arial, sans-serif"
INK = "#1f2d3d"
LINE = "#4a5563"
EXIT = "#a23b3b"
PHASE_FILL = {"": "#dce7f3", "won": "#d8eedd", "lost": "#f5dcdc"}
LANE_FILLS = ("#ffffff", "#f7f9fb")


def _text(x: float, y: float, lines: list[str], size: float, anchor: str = "middle", weight: str = "normal",
          fill: str = INK, style: str = "normal") -> str:
    spans = "".join(
        f'<tspan x="{x:.1f}" dy="{0 if index == 0 else size + 2:.1f}">{escape(line)}</tspan>'
        for index, line in enumerate(lines))
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" font-weight="{weight}" '
            f'font-style="{style}" fill="{fill}">{spans}</text>')


def _fitted(text: str, width: float, size: float) -> tuple[float, list[str]]:
    """A bold title wrapped into ``width``, with the font made smaller until its longest word fits."""
    bold = 1.12
    while size > 7 and max(text_width(word, size * bold) for word in text.split() or [""]) > width:
        size -= 0.5
    return size, wrap(text, width / bold, size, 4)


def _points(points: list[tuple[float, float]]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


def _node(node: Node) -> str:
    parts: list[str] = [f'<g class="node {node.kind}" id="svg-{escape(node.id)}">']
    if node.kind == "task":
        dash = "" if node.required else ' stroke-dasharray="5 3"'
        parts.append(f'<rect x="{node.x:.1f}" y="{node.y:.1f}" width="{node.w:.1f}" height="{node.h:.1f}" rx="8" '
                     f'fill="#ffffff" stroke="#2f4f7a" stroke-width="1.4"{dash}/>')
        size = TASK_FONT
        top = node.cy - (len(node.lines) - 1) * (size + 2) / 2 + size / 2 - 1
        parts.append(_text(node.cx, top, node.lines, size))
        if node.customer_contact:
            parts.append(_envelope(node.right - 19, node.y + 5))
    elif node.kind == "gateway":
        half = node.w / 2
        points = [(node.cx, node.y), (node.right, node.cy), (node.cx, node.bottom), (node.x, node.cy)]
        fill, stroke = ("#fff4d6", "#b07d1a") if node.gateway_kind == "decision" else ("#eef6e8", "#4f7f2f")
        parts.append(f'<polygon points="{_points(points)}" fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>')
        mark = "?" if node.gateway_kind == "decision" else "✓"
        parts.append(_text(node.cx, node.cy + 5, [mark], 14, weight="bold", fill=stroke))
        if node.label_box:
            x, y, _w, _h = node.label_box
            parts.append(_text(node.cx, y + SMALL_FONT, node.lines, SMALL_FONT, weight="bold"))
        del half
    elif node.kind in ("start", "end"):
        radius = node.w / 2
        if node.kind == "start":
            stroke, width = "#2e7d32", 1.8
        else:
            stroke, width = ("#2e7d32" if node.outcome == "won" else EXIT), 4
        parts.append(f'<circle cx="{node.cx:.1f}" cy="{node.cy:.1f}" r="{radius - width / 2:.1f}" fill="#ffffff" '
                     f'stroke="{stroke}" stroke-width="{width}"/>')
        if node.label_box:
            parts.append(_text(node.cx, node.label_box[1] + SMALL_FONT, node.lines, SMALL_FONT, weight="bold"))
    else:  # annotation
        parts.append(f'<rect x="{node.x:.1f}" y="{node.y:.1f}" width="{node.w:.1f}" height="{node.h:.1f}" '
                     f'fill="#fbfbf3" stroke="none"/>')
        parts.append(f'<path d="M{node.x + 10:.1f},{node.y:.1f} H{node.x:.1f} V{node.bottom:.1f} H{node.x + 10:.1f}" '
                     f'fill="none" stroke="#7a7a6a" stroke-width="1.2"/>')
        parts.append(_text(node.x + 6, node.y + SMALL_FONT + 4, node.lines, SMALL_FONT, anchor="start",
                           fill="#3d3d33"))
    parts.append("</g>")
    return "".join(parts)


def _envelope(x: float, y: float) -> str:
    return (f'<g class="customer-contact"><rect x="{x:.1f}" y="{y:.1f}" width="14" height="10" rx="1.5" '
            f'fill="#fdf1e3" stroke="#b5651d" stroke-width="1"/>'
            f'<polyline points="{x:.1f},{y:.1f} {x + 7:.1f},{y + 5.5:.1f} {x + 14:.1f},{y:.1f}" fill="none" '
            f'stroke="#b5651d" stroke-width="1"/></g>')


def _arrowhead(points: list[tuple[float, float]], colour: str, size: float = 7.0) -> str:
    """A filled arrowhead at the end of the last segment (drawn, not a marker: every renderer agrees on it)."""
    (x1, y1), (x2, y2) = points[-2], points[-1]
    length = math.hypot(x2 - x1, y2 - y1) or 1.0
    ux, uy = (x2 - x1) / length, (y2 - y1) / length
    bx, by = x2 - ux * size, y2 - uy * size
    left = (bx - uy * size * 0.45, by + ux * size * 0.45)
    right = (bx + uy * size * 0.45, by - ux * size * 0.45)
    return f'<polygon points="{_points([(x2, y2), left, right])}" fill="{colour}"/>'


def _edge(edge: Edge) -> str:
    if edge.kind == "association":
        return (f'<polyline points="{_points(edge.points)}" fill="none" stroke="#8a8a7a" stroke-width="1.1" '
                f'stroke-dasharray="2 3"/>')
    colour = EXIT if edge.kind == "exit" else LINE
    dash = ' stroke-dasharray="6 3"' if edge.kind == "exit" else ""
    parts = [f'<polyline class="flow {edge.kind}" points="{_points(edge.points)}" fill="none" stroke="{colour}" '
             f'stroke-width="1.3"{dash}/>', _arrowhead(edge.points, colour)]
    if edge.label and edge.label_box:
        x, y, _w, h = edge.label_box
        lines = edge.lines or [edge.label]
        parts.append(_text(x, y + SMALL_FONT - 1, lines, SMALL_FONT, anchor="start", fill=colour, style="italic"))
    return "".join(parts)


def render_svg(layout: Layout, columns: tuple[int, int] | None = None, title: bool = True) -> str:
    """The flowchart as a standalone SVG document; ``columns`` limits it to a range of columns (a part)."""
    first, last = columns if columns else (0, layout.columns - 1)
    x0 = HEADER_W + first * COL_W
    x1 = HEADER_W + (last + 1) * COL_W
    content_w = x1 - x0
    width = HEADER_W + content_w + 10
    pool_top = PHASE_H
    pool_h = layout.pool_height
    height = layout.height
    shift = x0 - HEADER_W
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="flowchart" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="{FONT}" role="img" '
        f'aria-label="{escape(layout.title)}">',
    ]
    if title:
        out.append(f"<title>{escape(layout.title)} – {escape(label('flowchart', layout.language))}</title>")
    clip = f"flowchart-clip-{layout.process}-{first}-{last}"
    out.append(f'<defs><clipPath id="{escape(clip)}"><rect x="{HEADER_W}" y="0" width="{content_w:.1f}" '
               f'height="{height:.1f}"/></clipPath></defs>')
    out.append(f'<rect x="0" y="0" width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>')
    # lanes
    for index, lane in enumerate(layout.lanes):
        out.append(f'<rect x="{POOL_LABEL_W}" y="{lane.y:.1f}" width="{width - POOL_LABEL_W - 10:.1f}" '
                   f'height="{lane.h:.1f}" fill="{LANE_FILLS[index % 2]}" stroke="#9aa5b1" stroke-width="0.8"/>')
        out.append(f'<rect x="{POOL_LABEL_W}" y="{lane.y:.1f}" width="{LANE_LABEL_W}" height="{lane.h:.1f}" '
                   f'fill="#e9eef4" stroke="#9aa5b1" stroke-width="0.8"/>')
        size, lines = _fitted(lane.title, LANE_LABEL_W - 12, 11)
        top = lane.y + lane.h / 2 - (len(lines) - 1) * (size + 2) / 2 + 4
        out.append(_text(POOL_LABEL_W + LANE_LABEL_W / 2, top, lines, size, weight="bold"))
    out.append(f'<rect x="0" y="{pool_top}" width="{POOL_LABEL_W}" height="{pool_h:.1f}" fill="#d3dce6" '
               f'stroke="#6b7785" stroke-width="1"/>')
    middle = pool_top + pool_h / 2
    out.append(f'<text x="{POOL_LABEL_W / 2 + 4:.1f}" y="{middle:.1f}" font-size="12" font-weight="bold" '
               f'text-anchor="middle" fill="{INK}" transform="rotate(-90 {POOL_LABEL_W / 2 + 4:.1f} {middle:.1f})">'
               f'{escape(layout.title)}</text>')
    out.append(f'<rect x="0" y="{pool_top}" width="{width - 10:.1f}" height="{pool_h:.1f}" fill="none" '
               f'stroke="#6b7785" stroke-width="1.2"/>')
    # content (phases, edges, nodes), shifted and clipped to the part
    out.append(f'<g clip-path="url(#{escape(clip)})"><g transform="translate({-shift:.1f},0)">')
    for phase in layout.phases:
        if phase.last_column < first or phase.first_column > last:
            continue
        fill = PHASE_FILL.get(phase.outcome, PHASE_FILL[""])
        out.append(f'<rect x="{phase.x + 1:.1f}" y="4" width="{phase.w - 2:.1f}" height="{PHASE_H - 8}" rx="4" '
                   f'fill="{fill}" stroke="#8fa1b3" stroke-width="0.8"/>')
        title_lines = wrap(phase.title, phase.w - 12, 11.5, 1)
        out.append(_text(phase.x + phase.w / 2, 22, title_lines, 11.5, weight="bold"))
        out.append(_text(phase.x + phase.w / 2, 38, [phase.caption], SMALL_FONT, fill="#35506e"))
        out.append(f'<line x1="{phase.x:.1f}" y1="{pool_top}" x2="{phase.x:.1f}" y2="{pool_top + pool_h:.1f}" '
                   f'stroke="#8fa1b3" stroke-width="1" stroke-dasharray="4 4"/>')
    for edge in layout.edges:
        xs = [x for x, _y in edge.points]
        if max(xs) >= x0 - 1 and min(xs) <= x1 + 1:
            out.append(_edge(edge))
    for node in layout.nodes:
        if first <= node.column <= last:
            out.append(_node(node))
    out.append("</g></g>")
    out.append(_legend(layout, height, width))
    out.append("</svg>")
    return "\n".join(out)


def _legend(layout: Layout, height: float, width: float) -> str:
    language = layout.language
    y = height - 14
    x = POOL_LABEL_W
    parts = ['<g class="legend" font-size="9.5">']
    parts.append(f'<rect x="{x}" y="{y - 10}" width="26" height="14" rx="3" fill="#fff" stroke="#2f4f7a" '
                 f'stroke-width="1.3"/>')
    parts.append(_text(x + 32, y + 1, [label("legend_required", language)], SMALL_FONT, anchor="start"))
    x += 40 + len(label("legend_required", language)) * 5.6
    parts.append(f'<rect x="{x}" y="{y - 10}" width="26" height="14" rx="3" fill="#fff" stroke="#2f4f7a" '
                 f'stroke-width="1.3" stroke-dasharray="4 2"/>')
    parts.append(_text(x + 32, y + 1, [label("legend_optional", language)], SMALL_FONT, anchor="start"))
    x += 40 + len(label("legend_optional", language)) * 5.6
    parts.append(_envelope(x, y - 8))
    parts.append(_text(x + 20, y + 1, [label("legend_customer", language)], SMALL_FONT, anchor="start"))
    parts.append("</g>")
    del width
    return "".join(parts)

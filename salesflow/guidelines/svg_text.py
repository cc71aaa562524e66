"""WeasyPrint's SVG text drawn one run at a time instead of one letter at a time.

WeasyPrint (70) lays out and draws every letter of an SVG ``<text>``/``<tspan>`` on its own, so that each can
carry its own x, y, dx, dy or rotation. The flowcharts and the process map only ever give one position per
run, and their ~8,000 letters made up half of a guideline PDF's rendering time. `install` replaces the text
drawer with one that lays out and draws such a run as a whole (same position, same bounding box for the
text-anchor shift, the text still selectable and searchable); any run that needs per-letter placement
(several positions, ``rotate``, ``letter-spacing``, ``textLength``) is drawn by WeasyPrint's own code.
Another WeasyPrint major version is left alone: its own drawer is used unchanged.
"""

from __future__ import annotations

from math import inf
from types import SimpleNamespace
from typing import Any

#: The WeasyPrint major version whose ``svg.text.text`` this module reproduces for the simple case.
SUPPORTED_MAJOR = "70"
#: Attributes that place letters one by one: a run with any of them goes to WeasyPrint's own drawer.
PER_LETTER = ("rotate", "letter-spacing", "textLength")

_installed: list[bool] = []
#: WeasyPrint's helpers, looked up once by `install` (an import statement per letter run costs as much as drawing it).
_wp = SimpleNamespace()


def _values(node: Any, name: str) -> list[str]:
    raw = node.attrib.get(name)
    return _wp.normalize(raw).strip().split(" ") if raw else []


def _one_run(node: Any) -> bool:
    """True when every letter of the node follows the previous one (one position at most, nothing per letter)."""
    if not node.text or any(node.get(name) for name in PER_LETTER):
        return False
    return all(len(_values(node, name)) <= 1 for name in ("x", "y", "dx", "dy"))


def _style(svg: Any, node: Any, font_size: float) -> Any:
    """The text style WeasyPrint's drawer builds for a node (font family, style, weight and size)."""
    style = _wp.Style()
    style.update(_wp.INITIAL_VALUES)
    style.font_config = svg.font_config
    style["font_family"] = [font.strip("\"'") for font in node.get("font-family", "sans-serif").split(",")]
    style["font_style"] = node.get("font-style", "normal")
    weight = node.get("font-weight", 400)
    if node.get("direction") in ("ltr", "rtl"):
        style["direction"] = node.get("direction")
    if weight == "normal":
        weight = 400
    elif weight == "bold":
        weight = 700
    else:
        try:
            weight = int(weight)
        except ValueError:
            weight = 400
    style["font_weight"] = weight
    style["font_size"] = font_size
    return style


def _baseline_shift(node: Any, font_size: float, height: float) -> float:
    """The vertical alignment WeasyPrint applies (display-anchor, dominant- or alignment-baseline)."""
    ascent, descent = font_size * .8, font_size * .2
    anchor = node.get("display-anchor")
    baseline = node.get("dominant-baseline", node.get("alignment-baseline"))
    if anchor == "middle":
        return -height / 2
    if anchor == "top":
        return 0
    if anchor == "bottom":
        return -height
    if baseline in ("central", "middle"):
        return (ascent + descent) / 2 - descent
    if baseline in ("text-before-edge", "before_edge", "top", "hanging", "text-top"):
        return ascent
    if baseline in ("text-after-edge", "after_edge", "bottom", "text-bottom"):
        return -descent
    return 0


def draw_run(svg: Any, node: Any, font_size: float, original: Any) -> None:
    """Draw an SVG text node as one run (``original``: WeasyPrint's drawer, for what needs it)."""
    if not _one_run(node):
        original(svg, node, font_size)
        return
    size = _wp.size
    style = _style(svg, node, font_size)
    layout, _, _, width, height, baseline = _wp.split_first_line(node.text, style, svg.context, inf, 0)
    x, y, dx, dy = ([size(value, font_size, extent) for value in _values(node, name)]
                    for name, extent in (("x", svg.inner_width), ("y", svg.inner_height),
                                         ("dx", svg.inner_width), ("dy", svg.inner_height)))
    x_value, y_value = (x[0] if x else None), (y[0] if y else None)
    if x_value:
        svg.cursor_d_position[0] = 0
    if y_value:
        svg.cursor_d_position[1] = 0
    svg.cursor_d_position[0] += dx[0] if dx else 0
    svg.cursor_d_position[1] += dy[0] if dy else 0
    x_value = svg.cursor_position[0] if x_value is None else x_value
    y_value = svg.cursor_position[1] if y_value is None else y_value
    svg.cursor_position = x_value + width, y_value
    x_position = x_value + svg.cursor_d_position[0]
    y_position = y_value + svg.cursor_d_position[1] + _baseline_shift(node, font_size, height)
    node.text_bounding_box = _wp.extend_bounding_box(node.text_bounding_box, (
        (x_position, y_position - baseline), (x_position + width, y_position - baseline + height)))

    svg.stream.push_state()
    fill, stroke = svg.set_graphical_state(node, font_size)
    svg.stream.begin_text()
    layout.reactivate(style)
    svg.fill_stroke(fill, stroke, text=True)
    text_box = _wp.TextBox(layout, style)
    text_box.baseline = baseline
    emojis = _wp.draw_first_line(svg.stream, text_box, "none", "none",
                                 _wp.Matrix(a=1, d=-1, e=x_position, f=y_position))
    svg.stream.end_text()
    svg.stream.pop_state()
    _wp.draw_emojis(svg.stream, style, x_value, y_value, emojis)


def _bind() -> None:
    from weasyprint.css.properties import INITIAL_VALUES
    from weasyprint.draw.text import draw_emojis, draw_first_line
    from weasyprint.matrix import Matrix
    from weasyprint.svg.bounding_box import extend_bounding_box
    from weasyprint.svg.text import Style, TextBox
    from weasyprint.svg.utils import normalize, size
    from weasyprint.text.line_break import split_first_line

    _wp.__dict__.update(INITIAL_VALUES=INITIAL_VALUES, draw_emojis=draw_emojis, draw_first_line=draw_first_line,
                        Matrix=Matrix, extend_bounding_box=extend_bounding_box, Style=Style, TextBox=TextBox,
                        normalize=normalize, size=size, split_first_line=split_first_line)


def install() -> bool:
    """Make WeasyPrint draw one-position SVG text runs whole (once per process; False: unsupported version)."""
    if _installed:
        return _installed[0]
    import importlib

    import weasyprint

    svg_module = importlib.import_module("weasyprint.svg")
    original = importlib.import_module("weasyprint.svg.text").text  # the module: the package's ``text`` is the function
    supported = weasyprint.__version__.split(".")[0] == SUPPORTED_MAJOR and svg_module.text is original
    if supported:
        _bind()

        def text(svg: Any, node: Any, font_size: float) -> None:
            draw_run(svg, node, font_size, original)

        svg_module.text = text  # draw_node compares TAGS entries with this name for the text-anchor shift
        for tag, drawer in list(svg_module.TAGS.items()):
            if drawer is original:
                svg_module.TAGS[tag] = text
    _installed.append(supported)
    return supported

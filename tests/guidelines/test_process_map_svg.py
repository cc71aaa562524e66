"""The process map as SVG: well-formed XML naming every process and hand-off, with tooltips, legend and highlight."""

from __future__ import annotations

from xml.etree import ElementTree

from salesflow.guidelines.process_map import build_process_map, render_map_svg
from salesflow.process.validate import parse_text
from tests.guidelines.process_map_cases import LEAD, definitions

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)


def _texts(root: ElementTree.Element) -> str:
    return " ".join(" ".join(element.itertext()) for element in root.iter(f"{SVG}text"))


def test_svg_parses_and_names_every_process_and_hand_off() -> None:
    process_map = build_process_map(definitions(), "en")
    root = _parse(render_map_svg(process_map))
    assert root.tag == f"{SVG}svg" and float(root.get("width")) >= process_map.width - 1
    words = " ".join(_texts(root).split())
    for title in ("Map leads", "Map opportunities", "Map RFPs", "Map orders", "Map contracts", "Map account plans",
                  "m-finance"):
        assert title in words
    for label in ("Create the opportunity (on Converted)", "Create the order (on Won)",
                  "Create the contract (on Won)", "Create the renewal opportunity (on Renewal due)",
                  "starts linked", "depends on"):
        assert label in words
    groups = {group.get("data-process") for group in root.iter(f"{SVG}g") if group.get("data-process")}
    assert groups == {box.key for box in process_map.boxes}
    handoffs = {group.get("data-handoff") for group in root.iter(f"{SVG}g") if group.get("data-handoff")}
    assert handoffs == {"create_opportunity", "create_order", "create_contract", "notify_finance", "create_renewal"}


def test_tooltips_legend_and_dash_styles() -> None:
    root = _parse(render_map_svg(build_process_map(definitions(), "en")))
    tooltips = [element.text for element in root.iter(f"{SVG}title")]
    assert "Map leads → Map opportunities: Create the opportunity, fired on entering “Converted”" in tooltips
    assert "Map account plans depends on Map opportunities" in tooltips
    assert "Records of Map opportunities may start a linked rfp in Map RFPs" in tooltips
    edges = {group.get("id"): group for group in root.iter(f"{SVG}g") if "edge " in (group.get("class") or "")}
    lines = {name: group.find(f"{SVG}polyline") for name, group in edges.items()}
    assert lines["map-handoff-m-lead-create_opportunity"].get("stroke-dasharray") is None
    assert any(name.startswith("map-depends-") and line.get("stroke-dasharray") == "7 4" for name, line in lines.items())
    assert any(name.startswith("map-linked-") and line.get("stroke-dasharray") == "2 3" for name, line in lines.items())
    legend = next(group for group in root.iter(f"{SVG}g") if group.get("class") == "legend")
    assert "hand-off" in " ".join(legend.itertext()) and "not in the library" in " ".join(legend.itertext())


def test_highlight_marks_one_process_and_german_texts() -> None:
    process_map = build_process_map(definitions(), "de")
    root = _parse(render_map_svg(process_map, highlight="m-opp"))
    highlighted = [group.get("data-process") for group in root.iter(f"{SVG}g")
                   if "highlight" in (group.get("class") or "").split()]
    assert highlighted == ["m-opp"]
    words = " ".join(_texts(root).split())
    assert "Prozesslandkarte" in words and "Auftrag anlegen (bei Gewonnen)" in words
    assert "dieser Prozess" in words and "Verantwortlich: Vertriebsleiter" in words
    assert "highlight" not in render_map_svg(process_map)


def test_texts_are_escaped_and_output_is_deterministic() -> None:
    tricky = LEAD.replace("title: {en: Map leads, de: Karten-Leads}", 'title: "Leads <&> \\"quoted\\""', 1)
    items = [parse_text(tricky, "lead.yaml").definition, *definitions("m-opp")]
    svg = render_map_svg(build_process_map(items, "en"))
    assert 'Leads <&> "quoted"' in _texts(_parse(svg))
    assert svg == render_map_svg(build_process_map(list(reversed(items)), "en"))

"""The swimlane flowchart: lanes per role, activities in their role's lane, gates as diamonds with their outcomes."""

from __future__ import annotations

import pytest
from lxml import etree

from salesflow.guidelines.layout import build_layout, column_slices
from salesflow.guidelines.svg import render_svg
from salesflow.process.validate import read_file
from tests.guidelines.conftest import LIBRARY_FILE


@pytest.fixture(scope="module")
def definition():
    return read_file(LIBRARY_FILE).definition


@pytest.fixture(scope="module")
def layout(definition):
    return build_layout(definition, "en")


def test_one_lane_per_role_and_activities_in_their_responsible_lane(definition, layout) -> None:
    assert [lane.role for lane in layout.lanes] == list(definition.roles)
    lanes = {lane.role: lane for lane in layout.lanes}
    for node in layout.nodes:
        if node.kind == "task":
            activity = definition.activity(node.ref)
            lane = lanes[activity.responsible]
            assert node.lane == activity.responsible
            assert lane.y <= node.y and node.bottom <= lane.y + lane.h


def test_phases_carry_their_probability(definition, layout) -> None:
    assert [(phase.stage, phase.probability) for phase in layout.phases] == \
        [(stage.id, stage.probability) for stage in [*definition.open_stages, *definition.outcome_stages]]
    for phase in layout.phases:
        assert phase.caption.startswith(f"{phase.probability} %")
        inside = [node for node in layout.nodes if node.phase == phase.stage and node.kind != "annotation"]
        assert all(phase.x <= node.x and node.right <= phase.x + phase.w for node in inside)


def test_each_decision_gate_has_yes_rework_and_exit_to_lost(definition, layout) -> None:
    lost_first = next(node for node in layout.nodes if node.phase == "lost" and node.kind == "task")
    assert lost_first.ref == "customer_informed"
    for stage in definition.open_stages:
        if not (stage.gate and stage.gate.decision):
            continue
        gateway = next(node for node in layout.nodes if node.kind == "gateway" and node.ref == stage.id)
        assert gateway.lane == stage.gate.decided_by
        outgoing = {edge.kind: edge for edge in layout.edges if edge.source == gateway.id}
        assert set(outgoing) == {"flow", "loop", "exit"}
        assert outgoing["flow"].label == "yes"
        assert layout.node(outgoing["loop"].target).ref == stage.activities[0].id
        assert outgoing["exit"].target == lost_first.id and "inform customer" in outgoing["exit"].label


def test_nodes_never_overlap(layout) -> None:
    boxes = [node for node in layout.nodes]
    for index, a in enumerate(boxes):
        for b in boxes[index + 1:]:
            apart = a.right <= b.x or b.right <= a.x or a.bottom <= b.y or b.bottom <= a.y
            assert apart, f"{a.id} overlaps {b.id}"


def test_edges_start_and_end_on_their_nodes(layout) -> None:
    for edge in layout.edges:
        source, target = layout.node(edge.source), layout.node(edge.target)
        (x1, y1), (x2, y2) = edge.points[0], edge.points[-1]
        assert source.x - 1 <= x1 <= source.right + 1 and source.y - 1 <= y1 <= source.bottom + 1, edge.id
        assert target.x - 1 <= x2 <= target.right + 1 and target.y - 1 <= y2 <= target.bottom + 1, edge.id
        for (ax, ay), (bx, by) in zip(edge.points, edge.points[1:], strict=False):
            assert ax == bx or ay == by or edge.kind == "association", f"{edge.id} has a slanted segment"


@pytest.mark.parametrize("language", ["en", "de"])
def test_svg_is_well_formed_and_names_every_activity(definition, language: str) -> None:
    layout = build_layout(definition, language)
    svg = render_svg(layout)
    root = etree.fromstring(svg.encode("utf-8"))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    text = " ".join(root.itertext())
    for lane in layout.lanes:
        assert lane.title.split()[0] in text
    for phase in layout.phases:
        assert f"{phase.probability} %" in text


def test_print_parts_cover_every_column_once(layout) -> None:
    parts = column_slices(layout, 1400)
    assert len(parts) > 1
    covered = [column for first, last in parts for column in range(first, last + 1)]
    assert covered == list(range(layout.columns))

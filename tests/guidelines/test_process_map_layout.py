"""The process map's layout: every process and every hand-off placed, in chain order, nothing overlapping."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import pytest

from salesflow.guidelines.process_map import ProcessMap, build_process_map
from salesflow.process.validate import validate_paths
from tests.guidelines.process_map_cases import HANDOFFS, definitions, numbered_chain

LIBRARY_DIR = Path(__file__).resolve().parents[2] / "salesflow" / "library"


def _library() -> list:
    valid, problems = validate_paths([LIBRARY_DIR])
    if problems:
        pytest.skip(f"the default library does not validate yet: {problems[0]}")
    return [parsed.definition for parsed in valid]


def _rects_overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def assert_nothing_overlaps(process_map: ProcessMap) -> None:
    """No two boxes share area, no two edge labels share area, no label lies on a box, all inside the picture."""
    for a, b in combinations(process_map.boxes, 2):
        assert not a.overlaps(b), (a.key, b.key)
    labels = [(edge.id, edge.label_box) for edge in process_map.edges if edge.label_box]
    for (name_a, a), (name_b, b) in combinations(labels, 2):
        assert not _rects_overlap(a, b), (name_a, name_b)
    for name, label in labels:
        for box in process_map.boxes:
            assert not _rects_overlap(label, (box.x, box.y, box.w, box.h)), (name, box.key)
    for box in process_map.boxes:
        assert 0 <= box.x and box.right <= process_map.width and 0 <= box.y and box.bottom <= process_map.height
    for edge in process_map.edges:
        assert len(edge.points) >= 2
        for x, y in edge.points:
            assert 0 <= x <= process_map.width and 0 <= y <= process_map.height, edge.id
        for (x1, y1), (x2, y2) in zip(edge.points, edge.points[1:], strict=False):
            assert x1 == x2 or y1 == y2, f"{edge.id} is not orthogonal"


def test_every_process_and_hand_off_of_the_test_set_is_placed() -> None:
    process_map = build_process_map(definitions(), "en")
    assert {box.key for box in process_map.boxes} == {"m-lead", "m-opp", "m-rfp", "m-order", "m-contract",
                                                      "m-account", "m-finance"}
    handoffs = {(edge.source, edge.handoff, edge.target) for edge in process_map.edges if edge.kind == "handoff"}
    assert handoffs == HANDOFFS
    assert {(row.source, row.handoff, row.target) for row in process_map.handoffs} == HANDOFFS
    linked = {(edge.source, edge.target) for edge in process_map.edges if edge.kind == "linked"}
    assert linked == {("m-opp", "m-rfp")}
    depends = {(edge.source, edge.target) for edge in process_map.edges if edge.kind == "depends"}
    # m-opp depends on m-lead and m-order on m-opp, but hand-offs already join them in that direction
    assert depends == {("m-opp", "m-account"), ("m-order", "m-account")}
    assert_nothing_overlaps(process_map)


def test_boxes_follow_the_chain_and_the_supporting_process_spans_underneath() -> None:
    process_map = build_process_map(definitions(), "en")
    box = process_map.box
    assert box("m-lead").column == 0 and box("m-opp").column == 1
    assert box("m-order").column == box("m-contract").column == box("m-rfp").column == 2
    assert box("m-lead").right < box("m-opp").x < box("m-opp").right < box("m-order").x
    # the renewal hand-off runs back from contracts to opportunities: the cycle does not reorder the chain
    assert process_map.order.index("m-opp") < process_map.order.index("m-contract")
    account = box("m-account")
    assert account.support and account.y > max(item.bottom for item in process_map.boxes if not item.support)
    assert account.x <= box("m-lead").x and account.right >= box("m-order").right
    assert box("m-finance").missing  # a hand-off target outside the set gets a placeholder


def test_box_texts_name_role_record_inputs_and_outputs() -> None:
    process_map = build_process_map(definitions(), "de")
    texts = [line.text for line in process_map.box("m-lead").texts]
    assert texts[0] == "Karten-Leads"
    assert "Verantwortlich: Key Account Manager" in texts and "Datensatz: lead" in texts
    assert "• Anfrage oder Messekontakt" in texts and "• Qualifizierter Lead" in texts
    assert [line.text for line in process_map.box("m-order").texts if line.tone == "muted"] == [
        "Verantwortlich: Vertriebsinnendienst", "Datensatz: order", "–"]


def test_hand_off_list_names_the_fields_passed() -> None:
    rows = {row.handoff: row for row in build_process_map(definitions(), "en").handoffs}
    lead = rows["create_opportunity"]
    assert lead.cells()[:4] == ["Map leads", "Converted", "Create the opportunity", "Map opportunities"]
    assert lead.fields == ["Title ← Title", "Amount ← Budget", "Type = new_business",
                           "customer account (Company, E-mail)", "contact (E-mail)"]
    assert rows["notify_finance"].target_title == "m-finance"
    german = {row.handoff: row for row in build_process_map(definitions(), "de").handoffs}
    assert german["create_opportunity"].fields[:3] == ["Titel ← Titel", "Betrag ← Budget", "Art = new_business"]
    assert german["create_renewal"].stage_title == "Verlängerung fällig"


def test_edge_labels_name_the_hand_off_and_its_stage() -> None:
    edges = {edge.handoff: edge for edge in build_process_map(definitions(), "de").edges if edge.handoff}
    renewal = edges["create_renewal"]
    assert renewal.label == "Verlängerungs-Opportunity anlegen (bei Verlängerung fällig)"
    assert renewal.route == "top"  # backwards in the chain: routed above the boxes
    assert " ".join(renewal.label_lines) == renewal.label


def test_a_long_chain_with_dependencies_has_no_overlaps() -> None:
    process_map = build_process_map(numbered_chain(12), "en")
    assert [box.column for box in process_map.boxes] == list(range(12))
    assert len([edge for edge in process_map.edges if edge.kind == "handoff"]) == 11
    assert len([edge for edge in process_map.edges if edge.kind == "depends"]) == 10
    assert_nothing_overlaps(process_map)


def test_single_and_unrelated_processes() -> None:
    alone = build_process_map(definitions("m-rfp"), "en")
    assert [box.key for box in alone.boxes] == ["m-opp", "m-rfp"]  # linked_from names a process outside the set
    assert alone.box("m-opp").missing and alone.edges[0].kind == "linked"
    empty = build_process_map([], "en")
    assert empty.boxes == [] and empty.edges == [] and empty.width > 0
    unrelated = build_process_map(definitions("m-order", "m-contract"), "en")
    assert_nothing_overlaps(unrelated)


def test_the_layout_is_deterministic_whatever_the_input_order() -> None:
    forward = build_process_map(definitions(), "en")
    backward = build_process_map(list(reversed(definitions())), "en")
    assert [(box.key, box.x, box.y, box.h) for box in forward.boxes] == \
        [(box.key, box.x, box.y, box.h) for box in backward.boxes]
    assert [(edge.id, edge.points) for edge in forward.edges] == [(edge.id, edge.points) for edge in backward.edges]


def test_default_library_every_process_and_every_hand_off() -> None:
    library = _library()
    for language in ("en", "de"):
        process_map = build_process_map(library, language)
        assert {box.key for box in process_map.boxes} == {definition.process for definition in library}
        expected = {(definition.process, handoff.id, handoff.process)
                    for definition in library for _stage, handoff in definition.handoffs()}
        assert expected, "the default library hands off between processes"
        assert {(edge.source, edge.handoff, edge.target) for edge in process_map.edges
                if edge.kind == "handoff"} == expected
        assert {(row.source, row.handoff, row.target) for row in process_map.handoffs} == expected
        linked = {(source, definition.process) for definition in library for source in definition.linked_from}
        assert {(edge.source, edge.target) for edge in process_map.edges if edge.kind == "linked"} == linked
        assert_nothing_overlaps(process_map)

"""The BPMN of every default process validates against the OMG BPMN 2.0 XSD and every element has its shape."""

from __future__ import annotations

import pytest
from lxml import etree

from salesflow.guidelines.bpmn import BPMNDI, DI, MODEL, render_bpmn
from salesflow.process.validate import validate_paths
from salesflow.records.library import LIBRARY_DIR
from tests.guidelines.conftest import SCHEMA_DIR

NS = {"bpmn": MODEL, "bpmndi": BPMNDI, "di": DI}
FLOW_NODES = ("startEvent", "userTask", "exclusiveGateway", "endEvent")


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / "BPMN20.xsd")))


def _library() -> list:
    valid, problems = validate_paths([LIBRARY_DIR])
    assert problems == []
    return [parsed.definition for parsed in valid]


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize("definition", _library(), ids=lambda d: d.process)
def test_default_library_bpmn_is_valid_and_fully_laid_out(definition, language: str, schema) -> None:
    document = etree.fromstring(render_bpmn(definition, language).encode("utf-8"))
    assert schema.validate(document), schema.error_log
    process = document.find("bpmn:process", NS)
    shapes = {shape.get("bpmnElement") for shape in document.iterfind(".//bpmndi:BPMNShape", NS)}
    edges = {edge.get("bpmnElement"): edge for edge in document.iterfind(".//bpmndi:BPMNEdge", NS)}
    nodes = [node for kind in FLOW_NODES for node in process.iterfind(f"bpmn:{kind}", NS)]
    lanes = list(process.iterfind("bpmn:laneSet/bpmn:lane", NS))
    shaped = [*nodes, *lanes, *process.iterfind("bpmn:textAnnotation", NS), *process.iterfind("bpmn:group", NS),
              *document.iterfind("bpmn:collaboration/bpmn:participant", NS)]
    assert [element.get("id") for element in shaped if element.get("id") not in shapes] == []
    flows = [*process.iterfind("bpmn:sequenceFlow", NS), *process.iterfind("bpmn:association", NS)]
    assert [flow.get("id") for flow in flows if flow.get("id") not in edges] == []
    assert all(len(edges[flow.get("id")].findall("di:waypoint", NS)) >= 2 for flow in flows)

    assert len(process.findall("bpmn:startEvent", NS)) == 1
    assert len(process.findall("bpmn:endEvent", NS)) == len(definition.outcome_stages)
    tasks = {task.get("id") for task in process.iterfind("bpmn:userTask", NS)}
    assert tasks == {f"Activity_{activity_id}" for activity_id in definition.activities()}
    decisions = [stage for stage in definition.open_stages if stage.gate and stage.gate.decision]
    gateways = process.findall("bpmn:exclusiveGateway", NS)
    assert len(gateways) >= len(decisions)
    assert {lane.get("id") for lane in lanes} == {f"Lane_{role}" for role in definition.roles}
    # every flow node sits in the lane of its role, and every node is in exactly one lane
    refs = [ref.text for lane in lanes for ref in lane.iterfind("bpmn:flowNodeRef", NS)]
    assert sorted(refs) == sorted(node.get("id") for node in nodes)
    lane_of = {ref.text: lane.get("id") for lane in lanes for ref in lane.iterfind("bpmn:flowNodeRef", NS)}
    for activity_id, (_stage, activity) in definition.activities().items():
        assert lane_of[f"Activity_{activity_id}"] == f"Lane_{activity.responsible}"
    # each sequence flow connects existing nodes, and every node but the ends has an outgoing flow
    ids = {node.get("id") for node in nodes}
    sequence = process.findall("bpmn:sequenceFlow", NS)
    assert all(flow.get("sourceRef") in ids and flow.get("targetRef") in ids for flow in sequence)
    sources = {flow.get("sourceRef") for flow in sequence}
    assert {node.get("id") for node in nodes if not node.tag.endswith("endEvent")} <= sources


def test_an_invalid_document_is_refused_by_the_schema(schema) -> None:
    """Guards the guard: the schema really rejects a broken BPMN file."""
    definition = _library()[0]
    document = etree.fromstring(render_bpmn(definition).encode("utf-8"))
    process = document.find("bpmn:process", NS)
    etree.SubElement(process, f"{{{MODEL}}}sequenceFlow", id="broken")  # sourceRef/targetRef missing
    assert not schema.validate(document)

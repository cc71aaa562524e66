"""BPMN 2.0 XML of a process: a collaboration with one participant, a lane per role, tasks, exclusive
gateways, sequence flows, start and end events, phases as groups, and BPMN DI shapes and edges laid
out from the same `Layout` as the SVG flowchart, so bpmn.io / Camunda Modeler open it laid out.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from salesflow import __version__ as salesflow_version
from salesflow.guidelines.layout import PHASE_H, POOL_LABEL_W, Layout, build_layout, safe_id
from salesflow.process.model import ProcessDefinition

MODEL = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
NAMESPACES = {"bpmn": MODEL, "bpmndi": BPMNDI, "dc": DC, "di": DI}
for _prefix, _uri in NAMESPACES.items():
    ET.register_namespace(_prefix, _uri)

#: BPMN element per layout node kind.
ELEMENT = {"start": "startEvent", "task": "userTask", "gateway": "exclusiveGateway", "end": "endEvent"}


def _q(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


def _bounds(parent: ET.Element, x: float, y: float, w: float, h: float) -> None:
    ET.SubElement(parent, _q(DC, "Bounds"), x=f"{x:.0f}", y=f"{y:.0f}", width=f"{w:.0f}", height=f"{h:.0f}")


def build_bpmn(definition: ProcessDefinition, language: str = "en", layout: Layout | None = None) -> ET.Element:
    """The ``bpmn:definitions`` element of a process."""
    layout = layout or build_layout(definition, language)
    process_id = safe_id(f"Process_{definition.process}")
    root = ET.Element(_q(MODEL, "definitions"), {
        "id": safe_id(f"Definitions_{definition.process}_v{definition.version}"),
        "targetNamespace": f"https://salesflow.dev/bpmn/{definition.process}",
        "exporter": "Salesflow", "exporterVersion": salesflow_version,
    })
    category = ET.SubElement(root, _q(MODEL, "category"), id="Category_phases")
    for phase in layout.phases:
        ET.SubElement(category, _q(MODEL, "categoryValue"), id=safe_id(f"Phase_{phase.stage}"),
                      value=f"{phase.title} ({phase.caption})")
    collaboration = ET.SubElement(root, _q(MODEL, "collaboration"), id="Collaboration_1")
    ET.SubElement(collaboration, _q(MODEL, "participant"), id="Participant_1", name=layout.title,
                  processRef=process_id)
    process = ET.SubElement(root, _q(MODEL, "process"), id=process_id, name=layout.title, isExecutable="false")
    if definition.description:
        ET.SubElement(process, _q(MODEL, "documentation")).text = definition.description.get_text(language)
    lane_set = ET.SubElement(process, _q(MODEL, "laneSet"), id="LaneSet_1")
    flow_nodes = [node for node in layout.nodes if node.kind in ELEMENT]
    for lane in layout.lanes:
        element = ET.SubElement(lane_set, _q(MODEL, "lane"), id=safe_id(f"Lane_{lane.role}"), name=lane.title)
        for node in flow_nodes:
            if node.lane == lane.role:
                ET.SubElement(element, _q(MODEL, "flowNodeRef")).text = node.id
    flows = [edge for edge in layout.edges if edge.kind != "association"]
    activities = definition.activities()
    for node in flow_nodes:
        element = ET.SubElement(process, _q(MODEL, ELEMENT[node.kind]), id=node.id, name=node.label)
        if node.kind == "task" and node.ref in activities and activities[node.ref][1].description:
            ET.SubElement(element, _q(MODEL, "documentation")).text = \
                activities[node.ref][1].description.get_text(language)
        for edge in flows:
            if edge.target == node.id:
                ET.SubElement(element, _q(MODEL, "incoming")).text = edge.id
        for edge in flows:
            if edge.source == node.id:
                ET.SubElement(element, _q(MODEL, "outgoing")).text = edge.id
    for edge in flows:
        attributes = {"id": edge.id, "sourceRef": edge.source, "targetRef": edge.target}
        if edge.label:
            attributes["name"] = edge.label
        ET.SubElement(process, _q(MODEL, "sequenceFlow"), attributes)
    for node in layout.nodes:
        if node.kind == "annotation":
            annotation = ET.SubElement(process, _q(MODEL, "textAnnotation"), id=node.id)
            ET.SubElement(annotation, _q(MODEL, "text")).text = node.label
    for edge in layout.edges:
        if edge.kind == "association":
            ET.SubElement(process, _q(MODEL, "association"), id=edge.id, sourceRef=edge.source,
                          targetRef=edge.target)
    for phase in layout.phases:
        ET.SubElement(process, _q(MODEL, "group"), id=safe_id(f"Group_{phase.stage}"),
                      categoryValueRef=safe_id(f"Phase_{phase.stage}"))
    _diagram(root, layout, process_id)
    return root


def _diagram(root: ET.Element, layout: Layout, process_id: str) -> None:
    diagram = ET.SubElement(root, _q(BPMNDI, "BPMNDiagram"), id="BPMNDiagram_1", name=layout.title)
    plane = ET.SubElement(diagram, _q(BPMNDI, "BPMNPlane"), id="BPMNPlane_1", bpmnElement="Collaboration_1")
    width = layout.width - 10
    shape = ET.SubElement(plane, _q(BPMNDI, "BPMNShape"), id="Participant_1_di", bpmnElement="Participant_1",
                          isHorizontal="true")
    _bounds(shape, 0, PHASE_H, width, layout.pool_height)
    for lane in layout.lanes:
        lane_id = safe_id(f"Lane_{lane.role}")
        shape = ET.SubElement(plane, _q(BPMNDI, "BPMNShape"), id=f"{lane_id}_di", bpmnElement=lane_id,
                              isHorizontal="true")
        _bounds(shape, POOL_LABEL_W, lane.y, width - POOL_LABEL_W, lane.h)
    for phase in layout.phases:
        group_id = safe_id(f"Group_{phase.stage}")
        shape = ET.SubElement(plane, _q(BPMNDI, "BPMNShape"), id=f"{group_id}_di", bpmnElement=group_id)
        _bounds(shape, phase.x + 2, 6, phase.w - 4, PHASE_H - 6 + layout.pool_height)
        label = ET.SubElement(shape, _q(BPMNDI, "BPMNLabel"))
        _bounds(label, phase.x + 8, 10, phase.w - 16, 30)
    for node in layout.nodes:
        attributes = {"id": f"{node.id}_di", "bpmnElement": node.id}
        if node.kind == "gateway":
            attributes["isMarkerVisible"] = "true"
        shape = ET.SubElement(plane, _q(BPMNDI, "BPMNShape"), attributes)
        _bounds(shape, node.x, node.y, node.w, node.h)
        if node.label_box:
            label = ET.SubElement(shape, _q(BPMNDI, "BPMNLabel"))
            _bounds(label, *node.label_box)
    for edge in layout.edges:
        element = ET.SubElement(plane, _q(BPMNDI, "BPMNEdge"), id=f"{edge.id}_di", bpmnElement=edge.id)
        for x, y in edge.points:
            ET.SubElement(element, _q(DI, "waypoint"), x=f"{x:.0f}", y=f"{y:.0f}")
        if edge.label and edge.label_box:
            label = ET.SubElement(element, _q(BPMNDI, "BPMNLabel"))
            _bounds(label, *edge.label_box)
    del process_id


def render_bpmn(definition: ProcessDefinition, language: str = "en", layout: Layout | None = None) -> str:
    """The BPMN 2.0 XML document of a process as text."""
    root = build_bpmn(definition, language, layout)
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

"""The swimlane layout of a process: one lane per role, phases as columns, every node and edge placed.

Pure Python. One layout feeds both the SVG flowchart (`svg`) and the BPMN diagram interchange
coordinates (`bpmn`). Activities sit in the lane of their responsible role; each stage's decision
gate is a diamond with its outcomes (yes to the next phase, a loop back to rework, an exit to the
negative outcome where the customer is informed); approvals are diamonds placed before the
activity that needs them, with the competence catalog as an annotation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from salesflow.guidelines.texts import amount_text, label
from salesflow.process.model import Approval, Outcome, ProcessDefinition, Stage

# --- geometry (pixels) -----------------------------------------------------------------------------
POOL_LABEL_W = 30      # the participant's label band (process title, rotated)
LANE_LABEL_W = 112     # the lane's label band (role title)
HEADER_W = POOL_LABEL_W + LANE_LABEL_W
PHASE_H = 50           # phase header band above the lanes
COL_W = 146
LANE_H = 128
CENTER_Y = 64          # node centre below the lane top
CHANNEL_Y = LANE_H - 8  # routing channel below the nodes
TASK_W, TASK_H = 124, 64
GATEWAY = 46
EVENT = 36
ANNOTATION_W, ANNOTATION_H = 140, 62
LEGEND_H = 34
TASK_FONT = 10.5
SMALL_FONT = 9.5
BOLD = 1.12            # bold text is about this much wider


@dataclass
class Node:
    """A shape of the chart: start, task, gateway, end or annotation."""

    id: str
    kind: str  # start | task | gateway | end | annotation
    label: str
    lane: str
    column: int
    phase: str
    ref: str = ""  # activity, stage or approval id
    required: bool = False
    customer_contact: bool = False
    outcome: str = ""  # for end events: won | lost
    gateway_kind: str = ""  # decision | approval
    x: float = 0.0
    y: float = 0.0
    w: float = 0.0
    h: float = 0.0
    lines: list[str] = field(default_factory=list)
    label_box: tuple[float, float, float, float] | None = None  # x, y, w, h of an outside label

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h


@dataclass
class Edge:
    """A connection: a sequence flow (flow, loop, exit) or an annotation's association."""

    id: str
    kind: str  # flow | loop | exit | association
    source: str
    target: str
    label: str = ""
    points: list[tuple[float, float]] = field(default_factory=list)
    label_box: tuple[float, float, float, float] | None = None
    label_anchor: str = "start"
    lines: list[str] = field(default_factory=list)


@dataclass
class Lane:
    """A role's lane."""

    role: str
    title: str
    y: float
    h: float


@dataclass
class Phase:
    """A stage drawn as a column band with its probability."""

    stage: str
    title: str
    probability: int
    max_days: int | None
    outcome: str
    first_column: int
    last_column: int
    x: float = 0.0
    w: float = 0.0
    caption: str = ""


@dataclass
class Layout:
    """Everything placed: lanes, phases, nodes and edges, with the overall size."""

    process: str
    title: str
    language: str
    lanes: list[Lane]
    phases: list[Phase]
    nodes: list[Node]
    edges: list[Edge]
    columns: int
    width: float
    height: float

    @property
    def pool_top(self) -> float:
        return PHASE_H

    @property
    def pool_height(self) -> float:
        return sum(lane.h for lane in self.lanes)

    def node(self, node_id: str) -> Node:
        """A node by id."""
        return next(node for node in self.nodes if node.id == node_id)

    def column_x(self, column: int) -> float:
        """Left edge of a column."""
        return HEADER_W + column * COL_W


# --- text measurement --------------------------------------------------------------------------------
_NARROW = set("iljtfrI.,:;!|'()[]/ ")
_WIDE = set("mwMWÄÖÜQGOD@%")


def text_width(text: str, size: float) -> float:
    """An estimate of the rendered width of ``text`` in DejaVu Sans at ``size`` pixels."""
    width = 0.0
    for char in text:
        if char in _NARROW:
            width += 0.34
        elif char in _WIDE:
            width += 0.86
        elif char.isupper():
            width += 0.70
        else:
            width += 0.60
    return width * size


def wrap(text: str, width: float, size: float, max_lines: int = 6) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` (long words are split at hyphens or hard)."""
    words = re.split(r"\s+", text.strip())
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if text_width(candidate, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        while text_width(current, size) > width:
            cut = max(1, int(len(current) * width / text_width(current, size)) - 1)
            lines.append(current[:cut] + "-")
            current = current[cut:]
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1].rstrip(".,;:") + "…"
    return lines


def safe_id(text: str) -> str:
    """An XML id (NCName) from an identifier."""
    cleaned = re.sub(r"[^A-Za-z0-9_.-]", "_", text)
    return cleaned if re.match(r"[A-Za-z_]", cleaned) else f"_{cleaned}"


# --- building -----------------------------------------------------------------------------------------

@dataclass
class _Step:
    node: Node
    stage: Stage


def _approval_lane(definition: ProcessDefinition, approval_id: str) -> str:
    approval = definition.approvals[approval_id]
    if approval.role:
        return approval.role
    roles = [band.role for band in approval.by_amount]
    return definition.guideline.responsible if definition.guideline.responsible in roles else roles[0]


def catalog_band_lines(definition: ProcessDefinition, approval: Approval, language: str,
                       name_open_band: bool = True) -> list[str]:
    """The competence catalog's bands in words, one line per band ("up to 50 000: Key Account Manager")."""
    lines = []
    previous = None
    unit = f" {approval.currency}" if approval.currency else ""
    for band in approval.by_amount:
        role = definition.role_title(band.role, language)
        if band.up_to is not None:
            lines.append(f"{label('up_to', language, amount=amount_text(band.up_to, language) + unit)}: {role}")
            previous = band.up_to
        elif previous is not None:
            lines.append(f"{label('above', language, amount=amount_text(previous, language) + unit)}: {role}")
        else:
            lines.append(f"{label('any_amount', language)}: {role}" if name_open_band else role)
    previous = None
    for band in approval.by_discount:
        role = definition.role_title(band.role, language)
        if band.up_to is not None:
            lines.append(f"{label('discount_up_to', language, percent=_percent(band.up_to, language))}: {role}")
            previous = band.up_to
        elif previous is not None:
            lines.append(f"{label('discount_above', language, percent=_percent(previous, language))}: {role}")
    return lines


def _percent(value: float, language: str) -> str:
    text = f"{value:g}"
    return text.replace(".", ",") if language == "de" else text


def _catalog_text(definition: ProcessDefinition, approval_id: str, language: str) -> str:
    lines = catalog_band_lines(definition, definition.approvals[approval_id], language)
    return f"{label('competence_catalog', language)}:\n" + "\n".join(lines)


def _stage_steps(definition: ProcessDefinition, stage: Stage, language: str) -> list[_Step]:
    steps: list[_Step] = []
    placed: set[str] = set()

    def approval_step(approval_id: str) -> None:
        placed.add(approval_id)
        title = definition.approvals[approval_id].title.get_text(language)
        steps.append(_Step(Node(safe_id(f"Gateway_approval_{stage.id}_{approval_id}"), "gateway", title,
                                _approval_lane(definition, approval_id), 0, stage.id, ref=approval_id,
                                gateway_kind="approval"), stage))

    gate_approvals = definition.gate_requirements(stage).approvals if not stage.is_outcome else []
    if stage.is_outcome:
        needed = set(stage.requires.activities if stage.requires else []) | {
            activity.id for activity in stage.activities if activity.required}
    else:
        needed = set(definition.gate_requirements(stage).activities)
    for activity in stage.activities:
        for approval_id in (activity.requires.approvals if activity.requires else []):
            if approval_id not in placed:
                approval_step(approval_id)
        steps.append(_Step(Node(safe_id(f"Activity_{activity.id}"), "task", activity.title.get_text(language),
                                activity.responsible, 0, stage.id, ref=activity.id,
                                required=activity.id in needed, customer_contact=activity.customer_contact), stage))
    for approval_id in gate_approvals:
        if approval_id not in placed:
            approval_step(approval_id)
    if stage.gate and stage.gate.decision and not stage.is_outcome:
        steps.append(_Step(Node(safe_id(f"Gateway_{stage.id}"), "gateway", stage.gate.decision.get_text(language),
                                stage.gate.decided_by or definition.guideline.responsible, 0, stage.id, ref=stage.id,
                                gateway_kind="decision"), stage))
    return steps


def build_layout(definition: ProcessDefinition, language: str = "en") -> Layout:
    """Place every lane, phase, node and edge of the process's swimlane flowchart."""
    lane_order = list(definition.roles)
    open_stages = definition.open_stages
    won = [stage for stage in definition.outcome_stages if stage.outcome == Outcome.won]
    main_outcome = won[0] if won else None
    stage_steps: dict[str, list[_Step]] = {}
    for stage in definition.stages:
        steps = _stage_steps(definition, stage, language)
        if stage.is_outcome:
            lane = steps[-1].node.lane if steps else _end_lane(definition, stage, lane_order)
            steps.append(_Step(Node(safe_id(f"End_{stage.id}"), "end", stage.display_title(language), lane, 0,
                                    stage.id, ref=stage.id, outcome=stage.outcome.value), stage))
        stage_steps[stage.id] = steps
    first_steps = stage_steps[definition.first_stage.id]
    start_lane = first_steps[0].node.lane if first_steps else definition.guideline.responsible
    start_label = definition.guideline.inputs[0].get_text(language) if definition.guideline.inputs \
        else label("start", language)
    start = Node("StartEvent", "start", start_label, start_lane, 0, definition.first_stage.id)
    stage_steps[definition.first_stage.id] = [_Step(start, definition.first_stage), *first_steps]

    ordered_stages = [*open_stages, *[stage for stage in definition.stages if stage.is_outcome]]
    nodes: list[Node] = []
    phases: list[Phase] = []
    column = -1
    column_lanes: list[int] = []
    previous: Node | None = None
    for stage in ordered_stages:
        steps = stage_steps[stage.id]
        first_column = column + 1
        for index, step in enumerate(steps):
            node = step.node
            lane_index = lane_order.index(node.lane)
            share = (index > 0 and previous is not None and node.kind == "task" and previous.kind == "task"
                     and _can_stack(column_lanes, lane_index))
            if share:
                column_lanes.append(lane_index)
            else:
                column += 1
                column_lanes = [lane_index]
            node.column = column
            nodes.append(node)
            previous = node
        if not steps:
            column += 1
        phases.append(Phase(stage.id, stage.display_title(language), stage.probability, stage.max_days,
                            stage.outcome.value if stage.outcome else "", first_column, max(column, first_column)))
        previous = None

    lanes: list[Lane] = []
    y = float(PHASE_H)
    for role in lane_order:
        lanes.append(Lane(role, definition.role_title(role, language), y, LANE_H))
        y += LANE_H
    lane_of = {lane.role: lane for lane in lanes}
    columns = column + 1

    annotations: list[Node] = []
    for node in nodes:
        if node.kind == "gateway" and node.gateway_kind == "approval" and definition.approvals[node.ref].by_amount:
            bands = [band.role for band in definition.approvals[node.ref].by_amount]
            lane = next((role for role in reversed(bands) if role != node.lane), None)
            if lane is not None:
                annotations.append(Node(safe_id(f"Annotation_{node.ref}_{node.phase}"), "annotation",
                                        _catalog_text(definition, node.ref, language), lane, node.column, node.phase,
                                        ref=node.id))
    nodes.extend(annotations)
    for node in nodes:
        _place(node, lane_of[node.lane])
    for phase in phases:
        phase.x = HEADER_W + phase.first_column * COL_W
        phase.w = (phase.last_column - phase.first_column + 1) * COL_W
        caption = f"{phase.probability} %"
        if phase.max_days:
            caption += " · " + label("max_days", language, n=phase.max_days)
        phase.caption = caption

    layout = Layout(definition.process, definition.title_text(language), language, lanes, phases, nodes, [],
                    columns, HEADER_W + columns * COL_W + 10, PHASE_H + len(lanes) * LANE_H + LEGEND_H)
    layout.edges = _edges(definition, layout, stage_steps, ordered_stages, main_outcome, language)
    return layout


def _end_lane(definition: ProcessDefinition, stage: Stage, lane_order: list[str]) -> str:
    return definition.guideline.responsible if definition.guideline.responsible in lane_order else lane_order[0]


def _can_stack(column_lanes: list[int], lane_index: int) -> bool:
    """A task may share its predecessor's column when it lies beyond the column's lanes in one direction."""
    if lane_index in column_lanes:
        return False
    if len(column_lanes) == 1:
        return True
    going_down = column_lanes[1] > column_lanes[0]
    return lane_index > max(column_lanes) if going_down else lane_index < min(column_lanes)


def _place(node: Node, lane: Lane) -> None:
    center_x = HEADER_W + node.column * COL_W + COL_W / 2
    center_y = lane.y + CENTER_Y
    if node.kind == "task":
        node.w, node.h = TASK_W, TASK_H
        node.lines = wrap(node.label, TASK_W - 14, TASK_FONT, 5)
    elif node.kind == "gateway":
        node.w = node.h = GATEWAY
        node.lines = wrap(node.label, (COL_W - 8) / BOLD, SMALL_FONT, 3)
        height = len(node.lines) * (SMALL_FONT + 2) + 2
        node.label_box = (center_x - (COL_W - 8) / 2, center_y - GATEWAY / 2 - height - 2, COL_W - 8, height)
    elif node.kind in ("start", "end"):
        node.w = node.h = EVENT
        node.lines = wrap(node.label, (COL_W - 30) / BOLD, SMALL_FONT, 2)
        height = len(node.lines) * (SMALL_FONT + 2) + 2
        node.label_box = (center_x - (COL_W - 30) / 2, center_y + EVENT / 2 + 4, COL_W - 30, height)
    else:  # annotation
        node.w, node.h = ANNOTATION_W, ANNOTATION_H
        node.lines = []
        for part in node.label.split("\n"):
            pieces = wrap(part, ANNOTATION_W - 12, SMALL_FONT, 3)
            node.lines.extend([pieces[0], *[f"\u00a0\u00a0\u00a0{piece}" for piece in pieces[1:]]])
        node.lines = node.lines[:9]
        node.h = max(ANNOTATION_H, len(node.lines) * (SMALL_FONT + 2) + 10)
        center_x += 6
    node.x = center_x - node.w / 2
    node.y = center_y - node.h / 2


# --- edges -------------------------------------------------------------------------------------------

def _edges(definition: ProcessDefinition, layout: Layout, stage_steps: dict[str, list[_Step]],
           ordered_stages: list[Stage], main_outcome: Stage | None, language: str) -> list[Edge]:
    lane_of = {lane.role: lane for lane in layout.lanes}
    lane_index = {lane.role: index for index, lane in enumerate(layout.lanes)}
    bottom_channel = layout.lanes[-1].y + CHANNEL_Y
    edges: list[Edge] = []
    counter = [0]

    def add(kind: str, source: Node, target: Node, text: str = "") -> Edge:
        counter[0] += 1
        edge = Edge(safe_id(f"Flow_{counter[0]}_{source.id}_{target.id}")[:120], kind, source.id, target.id, text)
        edges.append(edge)
        return edge

    def forward(source: Node, target: Node, text: str = "") -> None:
        edge = add("flow", source, target, text)
        if source.column == target.column:
            if lane_index[target.lane] > lane_index[source.lane]:
                edge.points = [(source.cx, source.bottom), (target.cx, target.y)]
            else:
                edge.points = [(source.cx, source.y), (target.cx, target.bottom)]
        elif abs(source.cy - target.cy) < 0.5:
            edge.points = [(source.right, source.cy), (target.x, target.cy)]
        else:
            middle = layout.column_x(target.column) + (COL_W - TASK_W) / 4
            edge.points = [(source.right, source.cy), (middle, source.cy), (middle, target.cy), (target.x, target.cy)]
        if text:
            edge.label_box = (source.right + 3, source.cy - SMALL_FONT - 4, 60, SMALL_FONT + 2)

    def loop(source: Node, target: Node, text: str) -> None:
        edge = add("loop", source, target, text)
        channel = lane_of[source.lane].y + CHANNEL_Y
        start = [(source.cx, source.bottom), (source.cx, channel)]
        if lane_index[target.lane] > lane_index[source.lane]:
            x = target.cx - 34
            edge.points = [*start, (x, channel), (x, target.y)]
        elif lane_index[target.lane] == lane_index[source.lane]:
            x = target.cx - 34
            edge.points = [*start, (x, channel), (x, target.bottom)]
        else:
            x = layout.column_x(target.column) + 4
            edge.points = [*start, (x, channel), (x, target.cy), (target.x, target.cy)]
        edge.lines = wrap(text, COL_W - 46, SMALL_FONT, 3)
        edge.label_box = (x + 5, channel + 4, COL_W - 46, len(edge.lines) * (SMALL_FONT + 2))

    def exit_(source: Node, target: Node, text: str) -> None:
        edge = add("exit", source, target, text)
        x = target.cx + 34
        edge.points = [(source.cx, source.bottom), (source.cx, bottom_channel), (x, bottom_channel),
                       (x, target.bottom)]
        edge.lines = wrap(text, COL_W / 2 - 10, SMALL_FONT, 3)
        edge.label_box = (source.cx + 5, lane_of[source.lane].y + CHANNEL_Y + 6, COL_W / 2 - 10,
                          len(edge.lines) * (SMALL_FONT + 2))

    lost_targets = [stage for stage in ordered_stages if stage.is_outcome and stage is not main_outcome]
    open_ids = [stage.id for stage in definition.open_stages]
    for stage in ordered_stages:
        steps = [step.node for step in stage_steps[stage.id]]
        tasks = [node for node in steps if node.kind == "task"]
        for index, node in enumerate(steps[:-1]):
            following = steps[index + 1]
            forward(node, following, _exit_label(node, language))
            if node.kind == "gateway" and node.gateway_kind == "approval" and tasks and tasks[0].column < node.column:
                loop(node, tasks[0], label("not_approved_revise", language))
        if not steps:
            continue
        last = steps[-1]
        next_stage = None
        if stage.id in open_ids:
            index = open_ids.index(stage.id)
            next_stage = definition.stage(open_ids[index + 1]) if index + 1 < len(open_ids) else main_outcome
        if next_stage is not None and stage_steps[next_stage.id]:
            forward(last, stage_steps[next_stage.id][0].node, _exit_label(last, language))
        if last.kind == "gateway" and last.gateway_kind == "approval" and tasks and tasks[0].column < last.column:
            loop(last, tasks[0], label("not_approved_revise", language))
        if last.kind == "gateway" and last.gateway_kind == "decision":
            if tasks:
                loop(last, tasks[0], label("no_rework", language))
            for outcome in lost_targets:
                if stage_steps[outcome.id]:
                    exit_(last, stage_steps[outcome.id][0].node, label("no_inform", language))
    for outcome in lost_targets:
        targets = stage_steps[outcome.id]
        if targets and not any(edge.target == targets[0].node.id for edge in edges):
            last_open = stage_steps[open_ids[-1]][-1].node if open_ids else None
            if last_open is not None:
                exit_(last_open, targets[0].node, label("no_inform", language))
    for transition in definition.transitions:
        source_steps, target_steps = stage_steps[transition.from_], stage_steps[transition.to]
        if not source_steps or not target_steps:
            continue
        source, target = source_steps[-1].node, target_steps[0].node
        if target.column > source.column:
            forward(source, target, "")
        else:
            loop(source, target, "")
    for node in layout.nodes:
        if node.kind == "annotation":
            gateway = layout.node(node.ref)
            counter[0] += 1
            x = gateway.cx + 12
            edge = Edge(safe_id(f"Association_{node.id}"), "association", node.id, gateway.id)
            gateway_y = gateway.cy + GATEWAY / 2 - 12
            if node.y > gateway.y:
                edge.points = [(x, node.y), (x, gateway_y)]
            else:
                edge.points = [(x, node.bottom), (x, gateway.cy - GATEWAY / 2 + 12)]
            edges.append(edge)
    return edges


def _exit_label(node: Node, language: str) -> str:
    if node.kind != "gateway":
        return ""
    return label("yes", language) if node.gateway_kind == "decision" else label("approved", language)


def column_slices(layout: Layout, max_width: float) -> list[tuple[int, int]]:
    """Whole phases grouped into as few parts as fit ``max_width`` pixels, balanced in width (for printing)."""
    spans = [(phase.first_column, phase.last_column) for phase in layout.phases]
    if not spans:
        return [(0, max(layout.columns - 1, 0))]

    def width(group: list[tuple[int, int]]) -> float:
        return HEADER_W + (group[-1][1] - group[0][0] + 1) * COL_W

    for parts in range(1, len(spans) + 1):
        best = _balanced(spans, parts, width)
        if best is not None and max(width(group) for group in best) <= max_width:
            return [(group[0][0], group[-1][1]) for group in best]
    return [(first, last) for first, last in spans]


def _balanced(spans: list[tuple[int, int]], parts: int, width: object) -> list[list[tuple[int, int]]] | None:
    """Split ``spans`` into ``parts`` contiguous groups minimising the widest group (small exhaustive search)."""
    from itertools import combinations

    best: list[list[tuple[int, int]]] | None = None
    best_width = float("inf")
    for cuts in combinations(range(1, len(spans)), parts - 1):
        bounds = [0, *cuts, len(spans)]
        groups = [spans[bounds[index]:bounds[index + 1]] for index in range(parts)]
        widest = max(width(group) for group in groups)  # type: ignore[operator]
        if widest < best_width:
            best, best_width = groups, widest
    return best

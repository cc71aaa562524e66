"""The process map: every process of the library as a box and their hand-offs as arrows, in chain order.

Pure Python (no Django): `build_process_map` takes process definitions and a language and places
everything; `render_map_svg` draws it (plain SVG text, escaped, deterministic); `handoff_rows` is the
tabular hand-off list of the guideline document.

What is drawn:

- a box per process with its title, the responsible role, the record kind, inputs and outputs;
- hand-offs (solid, labelled with the hand-off's title and the stage that fires it), ``depends_on``
  (dashed, from the process depended on to the dependent one; left out where a hand-off already
  joins the pair in that direction) and ``linked_from`` (dotted, "starts linked");
- chain order: processes are ranked left to right by a topological order of hand-offs,
  ``linked_from`` and ``depends_on`` (a cycle, such as a renewal handing back to opportunities, is
  broken at the edge that closes it); processes of one rank stack in a column;
- supporting processes — started by no hand-off or link, yet depending on a process inside the
  chain (account management relies on the opportunities and orders) — span the width underneath;
- a hand-off to a process that is not among the definitions gets a dashed placeholder box.

Edges are routed orthogonally through the gaps between columns (each edge its own channel), a band
above the boxes (edges that skip a column or run backwards) and a band below (edges to and from the
supporting processes), each edge on its own track there, so labels never share a place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from salesflow.guidelines.layout import safe_id, text_width, wrap
from salesflow.guidelines.texts import BUILTIN_FIELD_TITLES, localized
from salesflow.process.model import Handoff, ProcessDefinition, Stage

# --- wording -------------------------------------------------------------------------------------------
MAP_LABELS: dict[str, dict[str, str]] = {
    "process_map": {"en": "Process map", "de": "Prozesslandkarte"},
    "map_caption": {"en": "All processes of the library with their hand-offs, dependencies and links",
                    "de": "Alle Prozesse der Bibliothek mit Übergaben, Abhängigkeiten und Verknüpfungen"},
    "responsible": {"en": "Responsible", "de": "Verantwortlich"},
    "record": {"en": "Record", "de": "Datensatz"},
    "inputs": {"en": "Inputs", "de": "Eingaben"},
    "outputs": {"en": "Outputs", "de": "Ergebnisse"},
    "none": {"en": "none", "de": "keine"},
    "depends_on": {"en": "depends on", "de": "abhängig von"},
    "starts_linked": {"en": "starts linked", "de": "startet verknüpft"},
    "handoff_on": {"en": "{handoff} (on {stage})", "de": "{handoff} (bei {stage})"},
    "legend_handoff": {"en": "hand-off: a record is created in the next process",
                       "de": "Übergabe: ein Datensatz wird im nächsten Prozess angelegt"},
    "legend_depends": {"en": "depends on", "de": "abhängig von"},
    "legend_linked": {"en": "starts a linked record", "de": "startet einen verknüpften Datensatz"},
    "legend_this": {"en": "this process", "de": "dieser Prozess"},
    "legend_missing": {"en": "not in the library", "de": "nicht in der Bibliothek"},
    "missing": {"en": "not in the library", "de": "nicht in der Bibliothek"},
    "handoff_list": {"en": "Hand-offs between processes", "de": "Übergaben zwischen Prozessen"},
    "from_process": {"en": "From process", "de": "Von Prozess"},
    "stage": {"en": "Stage", "de": "Phase"},
    "handoff": {"en": "Hand-off", "de": "Übergabe"},
    "to_process": {"en": "To process", "de": "An Prozess"},
    "fields_passed": {"en": "Fields passed", "de": "Übergebene Felder"},
    "account": {"en": "customer account ({fields})", "de": "Kundenkonto ({fields})"},
    "contact": {"en": "contact ({fields})", "de": "Kontakt ({fields})"},
    "no_handoffs": {"en": "No process hands off to another.", "de": "Kein Prozess übergibt an einen anderen."},
    "tip_handoff": {"en": "{source} → {target}: {handoff}, fired on entering “{stage}”",
                    "de": "{source} → {target}: {handoff}, ausgelöst beim Eintritt in „{stage}“"},
    "tip_depends": {"en": "{target} depends on {source}", "de": "{target} ist abhängig von {source}"},
    "tip_linked": {"en": "Records of {source} may start a linked {record} in {target}",
                   "de": "Datensätze aus {source} können einen verknüpften Datensatz ({record}) in {target} starten"},
}


def map_label(key: str, language: str = "en", **values: object) -> str:
    """A fixed text of the process map in a language (English when unknown), with ``{name}`` values filled in."""
    return localized(MAP_LABELS[key], language, **values)


# --- geometry (pixels) ---------------------------------------------------------------------------------
MARGIN = 16
HEADER_H = 40          # the map's title and caption
BOX_W = 236
PAD = 10
TITLE_FONT = 12.5
TEXT_FONT = 10.0
LABEL_FONT = 9.5
LINE = 2.0             # extra space between lines
LABEL_W = 150          # width of an edge label in a gap between columns
CHANNEL = 10           # distance of parallel vertical edge segments
PORT_LABELLED = 34     # distance of ports whose edge is labelled beside the box (two label lines fit)
PORT_PLAIN = 14
ROW_GAP = 30           # between boxes of a column
TRACK_H = 32           # one routing track (a line with its label above) in the bands above and below
LEGEND_H = 44
MIN_GAP = 44
HANDOFF, DEPENDS, LINKED = "handoff", "depends", "linked"


@dataclass
class TextLine:
    """A line of text inside a box, relative to the box's top left corner."""

    dx: float
    dy: float  # baseline
    text: str
    size: float
    weight: str = "normal"
    tone: str = "ink"  # ink | muted | heading


@dataclass
class MapBox:
    """A process as a box (``support``: a band spanning underneath; ``missing``: a target not in the library)."""

    key: str
    title: str
    responsible: str
    record: str
    inputs: list[str]
    outputs: list[str]
    column: int = 0
    row: int = 0
    support: bool = False
    missing: bool = False
    x: float = 0.0
    y: float = 0.0
    w: float = BOX_W
    h: float = 0.0
    texts: list[TextLine] = field(default_factory=list)

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def overlaps(self, other: MapBox) -> bool:
        """True when the two boxes share any area."""
        return (self.x < other.right and other.x < self.right and self.y < other.bottom and other.y < self.bottom)


@dataclass
class MapEdge:
    """A hand-off, dependency or link between two processes, routed as an orthogonal polyline."""

    id: str
    kind: str  # handoff | depends | linked
    source: str
    target: str
    label: str
    tooltip: str
    handoff: str = ""  # hand-off id
    stage: str = ""  # id of the stage that fires the hand-off
    route: str = ""  # direct | top | up | down | across
    points: list[tuple[float, float]] = field(default_factory=list)
    label_lines: list[str] = field(default_factory=list)
    label_box: tuple[float, float, float, float] | None = None  # x, y, w, h


@dataclass
class HandoffRow:
    """One line of the hand-off list: which stage of which process hands what to which process."""

    source: str
    source_title: str
    stage: str
    stage_title: str
    handoff: str
    handoff_title: str
    target: str
    target_title: str
    fields: list[str]
    link: str

    def cells(self) -> list[str]:
        """The row as table cells: from process, stage, hand-off, to process, fields passed."""
        return [self.source_title, self.stage_title, self.handoff_title, self.target_title, "; ".join(self.fields)]


@dataclass
class ProcessMap:
    """Everything placed: boxes, edges, the hand-off list and the overall size."""

    language: str
    title: str
    order: list[str]
    boxes: list[MapBox]
    edges: list[MapEdge]
    handoffs: list[HandoffRow]
    columns: int
    width: float
    height: float

    def box(self, key: str) -> MapBox:
        """A box by process key (KeyError if absent)."""
        for box in self.boxes:
            if box.key == key:
                return box
        raise KeyError(key)


# --- the graph -----------------------------------------------------------------------------------------

@dataclass
class _Relation:
    kind: str
    source: str
    target: str
    stage: Stage | None = None
    handoff: Handoff | None = None


def _relations(definitions: dict[str, ProcessDefinition]) -> list[_Relation]:
    """Hand-offs, links and (not already implied by a hand-off) dependencies, in a stable order."""
    relations: list[_Relation] = []
    for key, definition in definitions.items():
        for stage, handoff in definition.handoffs():
            relations.append(_Relation(HANDOFF, key, handoff.process, stage, handoff))
    for key, definition in definitions.items():
        for source in definition.linked_from:
            if source != key:
                relations.append(_Relation(LINKED, source, key))
    joined = {(item.source, item.target) for item in relations if item.kind == HANDOFF}
    for key, definition in definitions.items():
        for source in definition.guideline.depends_on:
            if source != key and (source, key) not in joined and source in definitions:
                relations.append(_Relation(DEPENDS, source, key))
    return relations


def chain_order(keys: list[str], relations: list[_Relation]) -> list[str]:
    """A topological order of the processes; a cycle is broken at the process most fed by those already placed."""
    remaining = list(keys)
    placed: list[str] = []
    edges = {(item.source, item.target) for item in relations if item.source != item.target}
    while remaining:
        def rank(key: str) -> tuple[int, int, int]:
            incoming = sum(1 for source, target in edges if target == key and source in remaining)
            fed = sum(1 for source, target in edges if target == key and source in placed)
            return (incoming, -fed, keys.index(key))

        chosen = min(remaining, key=rank)
        placed.append(chosen)
        remaining.remove(chosen)
    return placed


def _support_processes(keys: list[str], relations: list[_Relation]) -> set[str]:
    """Processes no hand-off or link starts that depend on a process inside the chain (drawn underneath)."""
    started = {item.target for item in relations if item.kind in (HANDOFF, LINKED)}
    support = set()
    for key in keys:
        if key in started:
            continue
        depends = {item.source for item in relations if item.kind == DEPENDS and item.target == key}
        if depends & started:
            support.add(key)
    if support == set(keys):  # nothing would be left for the chain
        return set()
    return support


def _columns(order: list[str], relations: list[_Relation], chain: set[str]) -> dict[str, int]:
    """Longest-path ranks along the chain order (edges running backwards in the order are ignored)."""
    position = {key: index for index, key in enumerate(order)}
    column: dict[str, int] = {}
    for key in order:
        if key not in chain:
            continue
        sources = [item.source for item in relations if item.target == key and item.source in chain
                   and position[item.source] < position[key]]
        column[key] = max((column[source] + 1 for source in sources), default=0)
    return column


# --- boxes -----------------------------------------------------------------------------------------------

def _lines(text: str, width: float, size: float, max_lines: int) -> list[str]:
    return wrap(text, width, size, max_lines) if text.strip() else []


def _list_block(heading: str, items: list[str], width: float, dy: float, dx: float) -> tuple[list[TextLine], float]:
    texts = [TextLine(dx, dy + TEXT_FONT, heading, TEXT_FONT, "bold", "heading")]
    dy += TEXT_FONT + LINE + 2
    if not items:
        texts.append(TextLine(dx + 10, dy + LABEL_FONT, "–", LABEL_FONT, tone="muted"))
        return texts, dy + LABEL_FONT + LINE
    for item in items:
        for index, line in enumerate(_lines(item, width - 12, LABEL_FONT, 3)):
            texts.append(TextLine(dx + (2 if index == 0 else 10), dy + LABEL_FONT,
                                  ("• " if index == 0 else "") + line, LABEL_FONT))
            dy += LABEL_FONT + LINE
    return texts, dy


def _head_block(box: MapBox, width: float, language: str, dx: float) -> tuple[list[TextLine], float]:
    texts: list[TextLine] = []
    dy = PAD
    for line in _lines(box.title, width / 1.12, TITLE_FONT, 3):
        texts.append(TextLine(dx, dy + TITLE_FONT, line, TITLE_FONT, "bold"))
        dy += TITLE_FONT + LINE
    dy += 3
    if box.missing:
        texts.append(TextLine(dx, dy + LABEL_FONT, map_label("missing", language), LABEL_FONT, tone="muted"))
        return texts, dy + LABEL_FONT + LINE
    for key, value in (("responsible", box.responsible), ("record", box.record)):
        for line in _lines(f"{map_label(key, language)}: {value}", width, LABEL_FONT, 2):
            texts.append(TextLine(dx, dy + LABEL_FONT, line, LABEL_FONT, tone="muted"))
            dy += LABEL_FONT + LINE
    return texts, dy


def _fill_box(box: MapBox, language: str) -> float:
    """Lay out a chain box's text; returns the height the text needs."""
    width = box.w - 2 * PAD
    texts, dy = _head_block(box, width, language, PAD)
    if not box.missing:
        for key, items in (("inputs", box.inputs), ("outputs", box.outputs)):
            block, dy = _list_block(map_label(key, language), items, width, dy + 4, PAD)
            texts += block
    box.texts = texts
    return dy + PAD


def _fill_band(box: MapBox, language: str) -> float:
    """Lay out a supporting process's band: head, inputs and outputs side by side; returns the height."""
    inner = box.w - 2 * PAD
    part = (inner - 2 * PAD) / 3
    head, head_h = _head_block(box, part, language, PAD)
    inputs, inputs_h = _list_block(map_label("inputs", language), box.inputs, part, PAD, PAD * 2 + part)
    outputs, outputs_h = _list_block(map_label("outputs", language), box.outputs, part, PAD, PAD * 3 + 2 * part)
    box.texts = head + inputs + outputs
    return max(head_h, inputs_h, outputs_h) + PAD


def _box_of(definition: ProcessDefinition, language: str) -> MapBox:
    g = definition.guideline
    return MapBox(definition.process, definition.title_text(language), definition.role_title(g.responsible, language),
                  definition.record.replace("_", " "), [item.get_text(language) for item in g.inputs],
                  [item.get_text(language) for item in g.outputs])


# --- building ----------------------------------------------------------------------------------------------

def _edge_of(relation: _Relation, index: int, definitions: dict[str, ProcessDefinition],
             titles: dict[str, str], language: str) -> MapEdge:
    source, target = titles[relation.source], titles[relation.target]
    if relation.kind == HANDOFF:
        assert relation.stage is not None and relation.handoff is not None
        stage = relation.stage.display_title(language)
        title = relation.handoff.title.get_text(language)
        return MapEdge(safe_id(f"handoff-{relation.source}-{relation.handoff.id}"), HANDOFF, relation.source,
                       relation.target, map_label("handoff_on", language, handoff=title, stage=stage),
                       map_label("tip_handoff", language, source=source, target=target, handoff=title, stage=stage),
                       handoff=relation.handoff.id, stage=relation.stage.id)
    if relation.kind == LINKED:
        record = definitions[relation.target].record.replace("_", " ")
        return MapEdge(safe_id(f"linked-{relation.source}-{relation.target}-{index}"), LINKED, relation.source,
                       relation.target, map_label("starts_linked", language),
                       map_label("tip_linked", language, source=source, target=target, record=record))
    return MapEdge(safe_id(f"depends-{relation.source}-{relation.target}-{index}"), DEPENDS, relation.source,
                   relation.target, map_label("depends_on", language),
                   map_label("tip_depends", language, source=source, target=target))


def build_process_map(definitions: list[ProcessDefinition], language: str = "en") -> ProcessMap:
    """Place every process and every hand-off, dependency and link of ``definitions`` (any number of them)."""
    lang = language if language in ("en", "de") else "en"
    by_key = {definition.process: definition for definition in sorted(definitions, key=lambda item: item.process)}
    relations = _relations(by_key)
    boxes = {key: _box_of(definition, lang) for key, definition in by_key.items()}
    for relation in relations:  # hand-offs (and links) to processes that are not among the definitions
        for key in (relation.source, relation.target):
            if key not in boxes:
                boxes[key] = MapBox(key, key, "", "", [], [], missing=True)
    keys = list(boxes)
    titles = {key: box.title for key, box in boxes.items()}
    support = _support_processes(keys, relations)
    chain = chain_order([key for key in keys if key not in support],
                        [item for item in relations if item.source not in support and item.target not in support])
    order = [*chain, *chain_order([key for key in keys if key in support], relations)]
    column = _columns(order, relations, set(chain))
    columns = max(column.values(), default=-1) + 1
    stacks: list[list[str]] = [[] for _ in range(columns)]
    for key in chain:
        stacks[column[key]].append(key)
    for index, stack in enumerate(stacks):  # within a column: near the processes that feed them
        if index == 0:
            continue
        previous = {key: row for row, key in enumerate(stacks[index - 1])}

        def barycentre(key: str, previous: dict[str, int] = previous) -> tuple[float, int]:
            rows = [previous[item.source] for item in relations if item.target == key and item.source in previous]
            return (sum(rows) / len(rows) if rows else float(len(previous)), order.index(key))

        stack.sort(key=barycentre)
    for index, stack in enumerate(stacks):
        for row, key in enumerate(stack):
            boxes[key].column, boxes[key].row = index, row
    bands = [key for key in order if key in support]
    for key in bands:
        boxes[key].support, boxes[key].column = True, -1

    edges = [_edge_of(relation, index, by_key, titles, lang) for index, relation in enumerate(relations)]
    result = ProcessMap(lang, map_label("process_map", lang), order, [boxes[key] for key in [*chain, *bands]], edges,
                        handoff_rows(list(by_key.values()), lang), columns, 0, 0)
    _place(result, stacks, bands, boxes)
    return result


def _route_kind(source: MapBox, target: MapBox) -> str:
    if source.support and target.support:
        return "across"
    if source.support:
        return "up"
    if target.support:
        return "down"
    return "direct" if target.column == source.column + 1 else "top"


def _place(result: ProcessMap, stacks: list[list[str]], bands: list[str], boxes: dict[str, MapBox]) -> None:
    """Size boxes and gaps, pack the routing tracks, stack the boxes, then route every edge."""
    for edge in result.edges:
        edge.route = _route_kind(boxes[edge.source], boxes[edge.target])
    ports = _Ports(result.edges, boxes)
    gaps = _Gaps(result.edges, boxes, result.columns)
    top_edges = [edge for edge in result.edges if edge.route == "top"]
    bottom_edges = [edge for edge in result.edges if edge.route in ("up", "down", "across")]

    # bands of supporting processes: side by side under the chain, over its whole width
    width = max(gaps.right, MARGIN * 2 + BOX_W * 2) if bands else gaps.right
    share = (width - 2 * MARGIN - (len(bands) - 1) * ROW_GAP) / len(bands) if bands else 0.0
    for index, key in enumerate(bands):
        boxes[key].x, boxes[key].w = MARGIN + index * (share + ROW_GAP), share
    band_ports = {key: sorted((edge for edge in bottom_edges if key in (edge.source, edge.target)),
                              key=lambda edge, key=key: (gaps.of_other_end(edge, key), edge.id)) for key in bands}

    def band_x(key: str, edge: MapEdge) -> float:
        box, items = boxes[key], band_ports[key]
        return box.x + box.w * (items.index(edge) + 1) / (len(items) + 1)

    # tracks: an edge's horizontal run (and its label) above or below the boxes; runs that share no x share a track
    spans: dict[str, tuple[float, float]] = {}
    ends: dict[str, list[tuple[float, bool]]] = {}
    for edge in top_edges:
        exit_gap, entry_gap = gaps.bounds(boxes[edge.source].column + 1), gaps.bounds(boxes[edge.target].column)
        spans[edge.id] = _span(*exit_gap, *entry_gap)
        ends[edge.id] = [(exit_gap[1] - 10, True), (entry_gap[1] - 10, True)]
    for edge in bottom_edges:
        source, target = boxes[edge.source], boxes[edge.target]
        left = (band_x(source.key, edge),) * 2 if source.support else gaps.bounds(source.column + 1)
        right = (band_x(target.key, edge),) * 2 if target.support else gaps.bounds(target.column)
        spans[edge.id] = _span(*left, *right)
        ends[edge.id] = [(left[1] - (0 if source.support else 10), not source.support),
                         (right[1] - (0 if target.support else 10), not target.support)]
    top_track = _pack_tracks(top_edges, spans, ends)
    bottom_track = _pack_tracks(bottom_edges, spans, ends)
    top_count = max(top_track.values(), default=-1) + 1
    bottom_count = max(bottom_track.values(), default=-1) + 1

    chain_top = HEADER_H + top_count * TRACK_H + (10 if top_count else 4)
    chain_bottom = chain_top
    for column, stack in enumerate(stacks):
        y = chain_top
        for key in stack:
            box = boxes[key]
            box.x, box.y, box.w = gaps.column_x[column], y, BOX_W
            needed = _fill_box(box, result.language)
            box.h = max(needed, sum(_port_steps(ports.right[key])) + PORT_PLAIN,
                        (len(ports.left[key]) + 1) * PORT_PLAIN)
            y = box.bottom + ROW_GAP
            chain_bottom = max(chain_bottom, box.bottom)
    band_top = chain_bottom + (bottom_count * TRACK_H + 14 if bottom_count else (ROW_GAP if bands else 0))
    band_height = 0.0
    for key in bands:
        box = boxes[key]
        box.y = band_top
        band_height = max(band_height, _fill_band(box, result.language) if box.w >= 1.5 * BOX_W
                          else _fill_box(box, result.language))
    for key in bands:
        boxes[key].h = max(band_height, PORT_PLAIN * 2)
    content_bottom = band_top + band_height if bands else chain_bottom

    def track_y(edge: MapEdge) -> float:
        if edge.route == "top":
            return chain_top - 8 - top_track[edge.id] * TRACK_H
        return chain_bottom + 14 + (bottom_track[edge.id] + 1) * TRACK_H - 8

    # the vertical run of every edge in every gap, as (edge, end, y from, y to), then the channels
    runs: list[list[tuple[MapEdge, str, float, float]]] = [[] for _ in gaps.users]
    for edge in result.edges:
        source, target = boxes[edge.source], boxes[edge.target]
        y1 = ports.exit_y(source, edge) if edge.route in ("direct", "top", "down") else 0.0
        y2 = ports.entry_y(target, edge) if edge.route in ("direct", "top", "up") else 0.0
        if edge.route == "direct":
            runs[source.column + 1].append((edge, "out", y1, y2))
        elif edge.route in ("top", "down"):
            runs[source.column + 1].append((edge, "out", y1, track_y(edge)))
        if edge.route in ("top", "up"):
            runs[target.column].append((edge, "in", track_y(edge), y2))
    channel_x: dict[tuple[str, str], float] = {}
    for gap, items in enumerate(runs):
        gap_right = gaps.bounds(gap)[1] - 10
        for index, (edge, end, _y1, _y2) in enumerate(_channel_order(items)):
            channel_x[(edge.id, end)] = gap_right - index * CHANNEL

    for edge in result.edges:
        source, target = boxes[edge.source], boxes[edge.target]
        if edge.route == "direct":
            y1, y2 = ports.exit_y(source, edge), ports.entry_y(target, edge)
            x1 = channel_x[(edge.id, "out")]
            edge.points = [(source.right, y1), (x1, y1), (x1, y2), (target.x, y2)]
            lines = wrap(edge.label, LABEL_W, LABEL_FONT, 2)
            height = len(lines) * (LABEL_FONT + LINE)
            edge.label_lines, edge.label_box = lines, (source.right + 6, y1 - 3 - height, LABEL_W, height)
            continue
        y_track = track_y(edge)
        if edge.route == "top":
            y1, y2 = ports.exit_y(source, edge), ports.entry_y(target, edge)
            x1, x2 = channel_x[(edge.id, "out")], channel_x[(edge.id, "in")]
            edge.points = [(source.right, y1), (x1, y1), (x1, y_track), (x2, y_track), (x2, y2), (target.x, y2)]
        elif edge.route == "up":
            x1, x2 = band_x(source.key, edge), channel_x[(edge.id, "in")]
            y2 = ports.entry_y(target, edge)
            edge.points = [(x1, source.y), (x1, y_track), (x2, y_track), (x2, y2), (target.x, y2)]
        elif edge.route == "down":
            x1, x2 = channel_x[(edge.id, "out")], band_x(target.key, edge)
            y1 = ports.exit_y(source, edge)
            edge.points = [(source.right, y1), (x1, y1), (x1, y_track), (x2, y_track), (x2, target.y)]
        else:
            x1, x2 = band_x(source.key, edge), band_x(target.key, edge)
            edge.points = [(x1, source.y), (x1, y_track), (x2, y_track), (x2, target.y)]
        _label_on_track(edge, min(x1, x2), spans[edge.id], y_track)

    result.width = max([width, *[edge.label_box[0] + edge.label_box[2] + MARGIN for edge in result.edges
                                 if edge.label_box]])
    result.height = content_bottom + 14 + LEGEND_H


class _Ports:
    """Where edges leave a box (right side: first up, then labelled, then down) and enter it (left side)."""

    RANK = {"top": 0, "direct": 1, "up": 2, "down": 2}

    def __init__(self, edges: list[MapEdge], boxes: dict[str, MapBox]) -> None:
        self.right: dict[str, list[MapEdge]] = {key: [] for key in boxes}
        self.left: dict[str, list[MapEdge]] = {key: [] for key in boxes}
        for edge in edges:
            if edge.route in ("direct", "top", "down"):
                self.right[edge.source].append(edge)
            if edge.route in ("direct", "top", "up"):
                self.left[edge.target].append(edge)
        for items in self.right.values():
            items.sort(key=lambda edge: (self.RANK[edge.route], boxes[edge.target].row, boxes[edge.target].column))
        for items in self.left.values():
            items.sort(key=lambda edge: (self.RANK[edge.route], boxes[edge.source].row, boxes[edge.source].column))

    def exit_y(self, box: MapBox, edge: MapEdge) -> float:
        """A labelled exit keeps room for its label above it."""
        items = self.right[box.key]
        steps = _port_steps(items)
        scale = box.h / (sum(steps) + PORT_PLAIN)
        return box.y + sum(steps[:items.index(edge) + 1]) * scale

    def entry_y(self, box: MapBox, edge: MapEdge) -> float:
        """Entries are spread evenly."""
        items = self.left[box.key]
        return box.y + box.h * (items.index(edge) + 1) / (len(items) + 1)


class _Gaps:
    """The gaps between columns (gap g lies left of column g; gap ``columns`` after the last), sized for their
    edges: a label area on the left when edges leave labelled from the column before, then one channel per edge."""

    def __init__(self, edges: list[MapEdge], boxes: dict[str, MapBox], columns: int) -> None:
        self.users = [0] * (columns + 1)
        labelled = [False] * (columns + 1)
        self.boxes = boxes
        for edge in edges:
            source, target = boxes[edge.source], boxes[edge.target]
            if edge.route in ("direct", "top", "down"):
                self.users[source.column + 1] += 1
                labelled[source.column + 1] |= edge.route == "direct"
            if edge.route in ("top", "up"):
                self.users[target.column] += 1
        widths = [max(MIN_GAP, (LABEL_W + 16 if labelled[gap] else 16) + self.users[gap] * CHANNEL + 12)
                  for gap in range(columns + 1)]
        self.left_x: list[float] = []
        self.column_x: list[float] = []
        x = float(MARGIN)
        for gap in range(columns + 1):
            self.left_x.append(x)
            x += widths[gap]
            if gap < columns:
                self.column_x.append(x)
                x += BOX_W
        self.widths = widths
        self.right = x if columns else x + MIN_GAP

    def bounds(self, gap: int) -> tuple[float, float]:
        """Left and right x of a gap."""
        return self.left_x[gap], self.left_x[gap] + self.widths[gap]

    def of_other_end(self, edge: MapEdge, band: str) -> float:
        """For ordering a band's ports: where the edge's other end is."""
        other = self.boxes[edge.target if edge.source == band else edge.source]
        return other.x if other.support else self.bounds(other.column + (1 if edge.target == band else 0))[0]


def _span(*xs: float) -> tuple[float, float]:
    return min(xs), max(xs)


def _label_width(left: float, right: float) -> float:
    return min(max(right - left - 12, 140.0), 320.0)


def _pack_tracks(edges: list[MapEdge], spans: dict[str, tuple[float, float]],
                 ends: dict[str, list[tuple[float, bool]]]) -> dict[str, int]:
    """Give each edge the track nearest the boxes whose run and label its own does not overlap.

    ``ends`` are the edge's vertical ends (x, True when it runs towards the boxes). Edges that would cross fewer
    others when nearer the boxes are placed first (a run nested in another's span goes inside it)."""

    def cost(near: MapEdge, far: MapEdge) -> int:
        (near_left, near_right), (far_left, far_right) = spans[near.id], spans[far.id]
        return (sum(1 for x, inward in ends[far.id] if inward and near_left < x < near_right)
                + sum(1 for x, inward in ends[near.id] if not inward and far_left < x < far_right))

    def preference(edge: MapEdge) -> tuple[int, float, float, str]:
        score = sum(cost(edge, other) - cost(other, edge) for other in edges if other is not edge)
        left, right = spans[edge.id]
        return (score, right - left, left, edge.id)

    taken: list[list[tuple[float, float]]] = []
    tracks: dict[str, int] = {}
    for edge in sorted(edges, key=preference):
        left, right = spans[edge.id]
        reach = (left - 8, right + 6 + _label_width(left, right) + 8)  # the label starts somewhere in the span
        for index, intervals in enumerate(taken):
            if all(reach[1] <= start or end <= reach[0] for start, end in intervals):
                intervals.append(reach)
                tracks[edge.id] = index
                break
        else:
            taken.append([reach])
            tracks[edge.id] = len(taken) - 1
    return tracks


def _crossings(runs: list[tuple[MapEdge, str, float, float]]) -> int:
    """Crossings in a gap whose channels are ordered right to left: a run's exit stub (from the gap's left side to
    its channel) crosses the vertical runs left of it, its entry stub (channel to the right side) those right of it."""
    count = 0
    for i, (edge_a, end_a, a1, a2) in enumerate(runs):
        for j, (_edge_b, _end_b, b1, b2) in enumerate(runs):
            if i == j:
                continue
            low, high = min(b1, b2), max(b1, b2)
            if end_a == "out" and j > i and low < a1 < high:
                count += 1
            if (end_a == "in" or edge_a.route == "direct") and j < i and low < a2 < high:
                count += 1
    return count


def _channel_order(runs: list[tuple[MapEdge, str, float, float]]) -> list[tuple[MapEdge, str, float, float]]:
    """The runs of a gap ordered right to left with few crossings (exhaustively for up to seven runs)."""
    from itertools import permutations

    base = sorted(runs, key=lambda item: (item[2], item[3], item[0].id))
    if len(base) <= 1:
        return base
    if len(base) > 7:
        downwards = [item for item in base if item[3] >= item[2]]
        upwards = [item for item in base if item[3] < item[2]]
        return upwards[::-1] + downwards
    best, best_count = base, _crossings(base)
    for candidate in permutations(base):
        count = _crossings(list(candidate))
        if count < best_count:
            best, best_count = list(candidate), count
    return best


def _port_steps(ports: list[MapEdge]) -> list[float]:
    """Distance of each exit on a box's right side from the one before (labelled exits need more)."""
    return [PORT_LABELLED if edge.route == "direct" else PORT_PLAIN for edge in ports]


def _label_on_track(edge: MapEdge, left: float, span: tuple[float, float], y_track: float) -> None:
    """A label above a horizontal track segment (as wide as its track's reservation allows)."""
    width = _label_width(*span)
    lines = wrap(edge.label, width, LABEL_FONT, 2)
    height = len(lines) * (LABEL_FONT + LINE)
    edge.label_lines = lines
    edge.label_box = (left + 6, y_track - 3 - height, width, height)


# --- the hand-off list ---------------------------------------------------------------------------------------

def _field_title(definition: ProcessDefinition | None, name: str, language: str) -> str:
    declared = definition.fields.get(name) if definition is not None else None
    if declared is not None and declared.title:
        return declared.title.get_text(language)
    if declared is None and name in BUILTIN_FIELD_TITLES:
        return localized(BUILTIN_FIELD_TITLES[name], language)
    return name.replace("_", " ").capitalize()


def handoff_rows(definitions: list[ProcessDefinition], language: str = "en") -> list[HandoffRow]:
    """Every hand-off of ``definitions`` with the fields it passes (target ← source, or target = literal)."""
    by_key = {definition.process: definition for definition in definitions}
    rows = []
    for definition in sorted(definitions, key=lambda item: item.process):
        for stage, handoff in definition.handoffs():
            target = by_key.get(handoff.process)
            passed = []
            for name, source in handoff.fields.items():
                target_title = _field_title(target, name, language)
                if source.startswith("="):
                    passed.append(f"{target_title} = {source[1:]}")
                else:
                    passed.append(f"{target_title} ← {_field_title(definition, source, language)}")
            if handoff.account is not None:
                names = [handoff.account.name, *([handoff.account.domain] if handoff.account.domain else [])]
                passed.append(map_label("account", language, fields=", ".join(
                    _field_title(definition, name, language) for name in names)))
            if handoff.contact is not None:
                names = [value for value in handoff.contact.model_dump().values() if value]
                passed.append(map_label("contact", language, fields=", ".join(
                    _field_title(definition, name, language) for name in names)))
            rows.append(HandoffRow(definition.process, definition.title_text(language), stage.id,
                                   stage.display_title(language), handoff.id, handoff.title.get_text(language),
                                   handoff.process, target.title_text(language) if target else handoff.process,
                                   passed, handoff.link_kind))
    return rows


# --- SVG -------------------------------------------------------------------------------------------------------

FONT = "DejaVu Sans, Verdana, Helvetica, Arial, sans-serif"
INK = "#1f2d3d"
MUTED = "#4f5d6b"
HEADING = "#35506e"
EDGE_STYLE = {
    HANDOFF: ("#2f4f7a", "1.6", ""),
    DEPENDS: ("#7a5a2f", "1.3", ' stroke-dasharray="7 4"'),
    LINKED: ("#3f7a4f", "1.4", ' stroke-dasharray="2 3"'),
}
TONES = {"ink": INK, "muted": MUTED, "heading": HEADING}


def _points(points: list[tuple[float, float]]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


def _arrowhead(points: list[tuple[float, float]], colour: str, size: float = 8.0) -> str:
    (x1, y1), (x2, y2) = points[-2], points[-1]
    length = ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5 or 1.0
    ux, uy = (x2 - x1) / length, (y2 - y1) / length
    bx, by = x2 - ux * size, y2 - uy * size
    left = (bx - uy * size * 0.45, by + ux * size * 0.45)
    right = (bx + uy * size * 0.45, by - ux * size * 0.45)
    return f'<polygon points="{_points([(x2, y2), left, right])}" fill="{colour}"/>'


def _text_lines(x: float, y: float, lines: list[str], size: float, fill: str, weight: str = "normal",
                style: str = "normal") -> str:
    spans = "".join(f'<tspan x="{x:.1f}" dy="{0 if index == 0 else size + LINE:.1f}">{escape(line)}</tspan>'
                    for index, line in enumerate(lines))
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" font-weight="{weight}" font-style="{style}" '
            f'fill="{fill}">{spans}</text>')


def _box_svg(box: MapBox, highlight: bool) -> str:
    classes = "process" + (" support" if box.support else "") + (" missing" if box.missing else "") + \
        (" highlight" if highlight else "")
    fill, stroke, width = ("#fff7e0", "#b07d1a", "3") if highlight else (
        ("#f7f9fb", "#8a96a3", "1.2") if box.missing else (("#eef4ea", "#4f7f2f", "1.4") if box.support
                                                           else ("#ffffff", "#2f4f7a", "1.4")))
    dash = ' stroke-dasharray="6 4"' if box.missing else ""
    tip = box.title if box.missing else f"{box.title} — {box.responsible}, {box.record}"
    parts = [f'<g class="{classes}" id="map-{escape(safe_id(box.key))}" data-process={quoteattr(box.key)}>',
             f"<title>{escape(tip)}</title>",
             f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.w:.1f}" height="{box.h:.1f}" rx="8" fill="{fill}" '
             f'stroke="{stroke}" stroke-width="{width}"{dash}/>']
    for line in box.texts:
        parts.append(f'<text x="{box.x + line.dx:.1f}" y="{box.y + line.dy:.1f}" font-size="{line.size}" '
                     f'font-weight="{line.weight}" fill="{TONES[line.tone]}">{escape(line.text)}</text>')
    parts.append("</g>")
    return "".join(parts)


def _edge_svg(edge: MapEdge) -> str:
    colour, width, dash = EDGE_STYLE[edge.kind]
    data = f' data-handoff={quoteattr(edge.handoff)} data-stage={quoteattr(edge.stage)}' if edge.handoff else ""
    parts = [f'<g class="edge {edge.kind}" id="map-{escape(edge.id)}" data-source={quoteattr(edge.source)} '
             f'data-target={quoteattr(edge.target)}{data}>', f"<title>{escape(edge.tooltip)}</title>",
             f'<polyline points="{_points(edge.points)}" fill="none" stroke="{colour}" stroke-width="{width}"{dash}/>',
             _arrowhead(edge.points, colour)]
    parts.append("</g>")
    return "".join(parts)


def _label_svg(edge: MapEdge) -> str:
    if not edge.label_box or not edge.label_lines:
        return ""
    colour = EDGE_STYLE[edge.kind][0]
    x, y, _w, h = edge.label_box
    width = max(text_width(line, LABEL_FONT) for line in edge.label_lines)
    style = "normal" if edge.kind == HANDOFF else "italic"
    return (f'<g class="edge-label {edge.kind}"><title>{escape(edge.tooltip)}</title>'
            f'<rect x="{x - 2:.1f}" y="{y - 1:.1f}" width="{width + 4:.1f}" height="{h + 2:.1f}" fill="#ffffff" '
            f'fill-opacity="0.88"/>' + _text_lines(x, y + LABEL_FONT - 1, edge.label_lines, LABEL_FONT, colour,
                                                   style=style) + "</g>")


def _legend(process_map: ProcessMap, highlight: str | None) -> str:
    language = process_map.language
    y = process_map.height - LEGEND_H / 2
    x = float(MARGIN)
    parts = ['<g class="legend">']
    for kind, key in ((HANDOFF, "legend_handoff"), (DEPENDS, "legend_depends"), (LINKED, "legend_linked")):
        colour, width, dash = EDGE_STYLE[kind]
        points = [(x, y), (x + 34, y)]
        parts.append(f'<polyline points="{_points(points)}" fill="none" stroke="{colour}" stroke-width="{width}"'
                     f"{dash}/>" + _arrowhead(points, colour, 7))
        text = map_label(key, language)
        parts.append(_text_lines(x + 40, y + 3.5, [text], LABEL_FONT, INK))
        x += 52 + text_width(text, LABEL_FONT)
    if highlight:
        parts.append(f'<rect x="{x:.1f}" y="{y - 8:.1f}" width="26" height="16" rx="4" fill="#fff7e0" '
                     f'stroke="#b07d1a" stroke-width="3"/>')
        text = map_label("legend_this", language)
        parts.append(_text_lines(x + 32, y + 3.5, [text], LABEL_FONT, INK))
        x += 44 + text_width(text, LABEL_FONT)
    if any(box.missing for box in process_map.boxes):
        parts.append(f'<rect x="{x:.1f}" y="{y - 8:.1f}" width="26" height="16" rx="4" fill="#f7f9fb" '
                     f'stroke="#8a96a3" stroke-width="1.2" stroke-dasharray="6 4"/>')
        parts.append(_text_lines(x + 32, y + 3.5, [map_label("legend_missing", language)], LABEL_FONT, INK))
    parts.append("</g>")
    return "".join(parts)


def legend_width(process_map: ProcessMap, highlight: str | None = None) -> float:
    """The width the legend needs (the SVG is at least this wide)."""
    language = process_map.language
    keys = ["legend_handoff", "legend_depends", "legend_linked"]
    width = MARGIN + sum(52 + text_width(map_label(key, language), LABEL_FONT) for key in keys)
    if highlight:
        width += 44 + text_width(map_label("legend_this", language), LABEL_FONT)
    if any(box.missing for box in process_map.boxes):
        width += 32 + text_width(map_label("legend_missing", language), LABEL_FONT)
    return width + MARGIN


def render_map_svg(process_map: ProcessMap, highlight: str | None = None, title: bool = True) -> str:
    """The process map as a standalone SVG document; ``highlight`` marks one process (e.g. in its guideline)."""
    width = max(process_map.width, legend_width(process_map, highlight))
    height = process_map.height
    language = process_map.language
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="process-map" width="{width:.0f}" height="{height:.0f}" '
           f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="{FONT}" role="img" '
           f'aria-label={quoteattr(process_map.title)}>']
    if title:
        out.append(f"<title>{escape(process_map.title)}</title>")
    out.append(f'<rect x="0" y="0" width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>')
    out.append(_text_lines(MARGIN, 20, [process_map.title], 14, INK, "bold"))
    out.append(_text_lines(MARGIN, 34, [map_label("map_caption", language)], LABEL_FONT, MUTED))
    for box in process_map.boxes:
        out.append(_box_svg(box, box.key == highlight))
    for edge in process_map.edges:
        out.append(_edge_svg(edge))
    for edge in process_map.edges:
        out.append(_label_svg(edge))
    out.append(_legend(process_map, highlight))
    out.append("</svg>")
    return "\n".join(out) + "\n"

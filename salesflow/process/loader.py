"""Read process YAML into plain data while remembering the line of every key and item.

`load_yaml` returns the data and a `LineMap` so that every problem found later (by the schema or
by the cross-reference checks) can be reported as ``file:line: message``.

Untrusted text is read within bounds (see `YamlLimits`): PyYAML's own composer builds the node
graph, and `BoundedLoader` counts, while it composes, what the document would be with every alias
expanded. A "billion laughs" (aliases of aliases), a recursive alias, a document nested too deep or
simply too large is refused with its line before anything is expanded: in milliseconds and a few
megabytes, never minutes and gigabytes.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.events import AliasEvent, CollectionStartEvent, NodeEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

Path = tuple[str | int, ...]

_SCALARS = yaml.SafeLoader("")


class YamlProblem(Exception):
    """The YAML text cannot be read (syntax error, duplicate key, unsupported construct)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class YamlLimits:
    """How much YAML one document may hold. The default library is far inside every bound."""

    #: characters of the text itself
    max_chars: int = 1024 * 1024
    #: values (mappings, lists, keys, scalars) once every alias is expanded
    max_nodes: int = 100_000
    #: characters of all scalars once every alias is expanded
    max_scalar_chars: int = 4 * 1024 * 1024
    #: aliases (``*name``) in the text
    max_aliases: int = 1_000
    #: nesting of mappings and lists
    max_depth: int = 64


LIMITS = YamlLimits()


class _BeyondLimits(ComposerError):
    """The document passes a bound of `YamlLimits` (raised while composing, so it has a mark)."""


class BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader whose composer refuses documents that expand beyond `YamlLimits`.

    The composer keeps one node per anchor and returns it again for each alias, so composing is
    cheap; what explodes is walking the result. Each composed node therefore carries its expanded
    size (nodes and scalar characters, memoised per node), and the composer stops at the first
    node whose expansion passes a bound, at a recursive alias (an alias of a node still being
    composed) and at nesting deeper than the bound.
    """

    def __init__(self, stream: str, limits: YamlLimits = LIMITS) -> None:
        super().__init__(stream)
        self.limits = limits
        self._sizes: dict[int, tuple[int, int]] = {}
        self._open: set[str] = set()
        self._aliases = 0
        self._depth = 0

    def _refuse(self, message: str, mark: Any) -> None:
        raise _BeyondLimits(None, None, message, mark)

    def compose_node(self, parent: Node | None, index: Any) -> Node:  # type: ignore[override]
        """Compose one node, counting its expanded size."""
        limits = self.limits
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            self._aliases += 1
            if self._aliases > limits.max_aliases:
                self._refuse(f"too many aliases (more than {limits.max_aliases})", event.start_mark)
            if event.anchor in self._open:
                self._refuse(f"recursive alias *{event.anchor} (an alias inside its own anchor)", event.start_mark)
            return super().compose_node(parent, index)
        anchor = event.anchor if isinstance(event, NodeEvent) else None
        if isinstance(event, CollectionStartEvent):
            self._depth += 1
            if self._depth > limits.max_depth:
                self._refuse(f"nested too deep (more than {limits.max_depth} levels)", event.start_mark)
        if anchor is not None:
            self._open.add(anchor)
        try:
            node = super().compose_node(parent, index)
        finally:
            if anchor is not None:
                self._open.discard(anchor)
            if isinstance(event, CollectionStartEvent):
                self._depth -= 1
        self._measure(node)
        return node

    def _measure(self, node: Node) -> None:
        if isinstance(node, ScalarNode):
            size = (1, len(node.value))
        else:
            children = (
                [part for pair in node.value for part in pair] if isinstance(node, MappingNode) else node.value
            )
            nodes, chars = 1, 0
            for child in children:
                child_nodes, child_chars = self._sizes.get(id(child), (1, 0))
                nodes += child_nodes
                chars += child_chars
            size = (nodes, chars)
        if size[0] > self.limits.max_nodes:
            self._refuse(
                f"the document expands to more than {self.limits.max_nodes:,} values"
                " (aliases of aliases, a 'billion laughs'?)", node.start_mark,
            )
        if size[1] > self.limits.max_scalar_chars:
            self._refuse(
                f"the document expands to more than {self.limits.max_scalar_chars:,} characters of text",
                node.start_mark,
            )
        self._sizes[id(node)] = size


@dataclass
class LineMap:
    """Line numbers (1-based) of the values in a YAML document, by their path."""

    lines: dict[Path, int] = field(default_factory=dict)

    def line_of(self, path: Path) -> int:
        """The line of ``path``, or of its nearest ancestor that has one (1 if none)."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


def _to_data(node: Node, path: Path, lines: LineMap) -> Any:
    """Convert a composed YAML node into Python data, recording lines."""
    lines.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlProblem(key_node.start_mark.line + 1, "merge keys (<<) are not supported")
            key = _to_data(key_node, (*path, "<key>"), LineMap())
            if isinstance(key, (list, dict)):
                raise YamlProblem(key_node.start_mark.line + 1, "a key must be a plain value")
            if key in result:
                raise YamlProblem(key_node.start_mark.line + 1, f"duplicate key {key!r}")
            lines.lines[(*path, key)] = key_node.start_mark.line + 1
            result[key] = _to_data(value_node, (*path, key), lines)
        return result
    if isinstance(node, SequenceNode):
        return [_to_data(item, (*path, index), lines) for index, item in enumerate(node.value)]
    if isinstance(node, ScalarNode):
        value = _SCALARS.construct_object(node)
        if isinstance(value, (datetime.date, datetime.datetime)):
            return value.isoformat()
        return value
    raise YamlProblem(node.start_mark.line + 1, "unsupported YAML construct")


def load_yaml(text: str, limits: YamlLimits = LIMITS) -> tuple[Any, LineMap]:
    """Parse one YAML document; returns its data and the lines of every value.

    Raises `YamlProblem` with a line number for syntax errors, duplicate keys and documents beyond
    `limits` (too large, nested too deep, expanding too far through aliases, recursive aliases).
    """
    lines = LineMap()
    if len(text) > limits.max_chars:
        raise YamlProblem(1, f"the text is too large ({len(text):,} characters; at most {limits.max_chars:,})")
    try:
        loader = BoundedLoader(text, limits)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except _BeyondLimits as error:
        mark = error.problem_mark
        raise YamlProblem(mark.line + 1 if mark else 1, f"YAML refused: {error.problem}") from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlProblem(line, f"YAML syntax error: {error.problem or error}") from None
    except yaml.YAMLError as error:
        raise YamlProblem(1, f"YAML error: {error}") from None
    except RecursionError:
        raise YamlProblem(1, "YAML error: nested too deep") from None
    if node is None:
        return None, lines
    try:
        data = _to_data(node, (), lines)
    except yaml.constructor.ConstructorError as error:
        mark = error.problem_mark
        raise YamlProblem(mark.line + 1 if mark else 1, f"YAML error: {error.problem}") from None
    return data, lines


def load_yaml_file(path: str | os.PathLike[str], limits: YamlLimits = LIMITS) -> Any:
    """The data of a YAML file read within `limits` (import mappings and other small files).

    Raises ``OSError`` (e.g. ``FileNotFoundError``), ``UnicodeDecodeError`` and `YamlProblem`
    (with the line) like `load_yaml`; a file too large is refused before it is read whole.
    """
    most = limits.max_chars * 4  # UTF-8 needs at most four bytes a character
    with open(path, "rb") as stream:
        raw = stream.read(most + 1)
    if len(raw) > most:
        raise YamlProblem(1, f"the file is too large (more than {most:,} bytes)")
    return load_yaml(raw.decode("utf-8-sig"), limits)[0]

"""Read process YAML into plain data while remembering the line of every key and item.

`load_yaml` returns the data and a `LineMap` so that every problem found later (by the schema or
by the cross-reference checks) can be reported as ``file:line: message``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

Path = tuple[str | int, ...]

_SCALARS = yaml.SafeLoader("")


class YamlProblem(Exception):
    """The YAML text cannot be read (syntax error, duplicate key, unsupported construct)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


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


def load_yaml(text: str) -> tuple[Any, LineMap]:
    """Parse one YAML document; returns its data and the lines of every value.

    Raises `YamlProblem` with a line number for syntax errors and duplicate keys.
    """
    lines = LineMap()
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlProblem(line, f"YAML syntax error: {error.problem or error}") from None
    except yaml.YAMLError as error:
        raise YamlProblem(1, f"YAML error: {error}") from None
    if node is None:
        return None, lines
    try:
        data = _to_data(node, (), lines)
    except yaml.constructor.ConstructorError as error:
        mark = error.problem_mark
        raise YamlProblem(mark.line + 1 if mark else 1, f"YAML error: {error.problem}") from None
    return data, lines

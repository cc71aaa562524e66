"""A process file with new stage probabilities (framework-free): the calibration report's suggestions written
into the YAML text as a person would — only the ``probability:`` line of each stage and the top-level
``version:`` change; comments, order and every other line stay as they are."""

from __future__ import annotations

import re

from salesflow.engine.errors import BadInput

_STAGE = re.compile(r"^(?P<indent>\s*)- id:\s*(?P<id>[\w-]+)\s*$")
_PROBABILITY = re.compile(r"^(?P<indent>\s+)probability:\s*\d+\s*(#.*)?$")
_VERSION = re.compile(r"^version:\s*\d+\s*$")


def with_probabilities(source: str, probabilities: dict[str, int], version: int) -> str:
    """``source`` with each named stage's probability and the version number replaced.

    Raises `BadInput` when a named stage or the version line is not found (a file laid out unlike the library).
    """
    lines = source.split("\n")
    in_stages, stage, stage_indent, done = False, None, -1, set()
    version_found = False
    for index, line in enumerate(lines):
        if _VERSION.match(line):
            lines[index] = f"version: {version}"
            version_found = True
            continue
        if re.match(r"^stages:\s*$", line):
            in_stages = True
            continue
        if in_stages and re.match(r"^\S", line):
            in_stages = False
        if not in_stages:
            continue
        found = _STAGE.match(line)
        if found and (stage_indent < 0 or len(found.group("indent")) == stage_indent):
            stage, stage_indent = found.group("id"), len(found.group("indent"))
            continue
        probability = _PROBABILITY.match(line)
        if probability and stage in probabilities and stage not in done \
                and len(probability.group("indent")) == stage_indent + 2:
            lines[index] = f"{probability.group('indent')}probability: {probabilities[stage]}"
            done.add(stage)
    missing = sorted(set(probabilities) - done)
    if missing or not version_found:
        raise BadInput(f"the process file has no probability line for the stages {', '.join(missing)}" if missing
                       else "the process file has no top-level version line")
    return "\n".join(lines)

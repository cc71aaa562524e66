"""The published JSON Schema of the process file format."""

from __future__ import annotations

import json
from typing import Any

from salesflow.process.library_settings import settings_json_schema
from salesflow.process.model import ProcessDefinition


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a process YAML file."""
    schema = ProcessDefinition.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://salesflow.dev/schema/process.json"
    schema["title"] = "Salesflow process definition"
    return schema


def json_schema_text() -> str:
    """The JSON Schema as indented JSON text."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False)


def settings_schema_text() -> str:
    """The JSON Schema of the library settings file as indented JSON text."""
    return json.dumps(settings_json_schema(), indent=2, ensure_ascii=False)


def checklist_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a checklist YAML file."""
    from salesflow.process.checklist import ChecklistDefinition

    schema = ChecklistDefinition.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://salesflow.dev/schema/checklist.json"
    schema["title"] = "Salesflow checklist definition"
    return schema


def checklist_json_schema_text() -> str:
    """The checklist JSON Schema as indented JSON text."""
    return json.dumps(checklist_json_schema(), indent=2, ensure_ascii=False)

"""The process definition model, its YAML loader and validation. Framework-free (no Django)."""

from salesflow.process.model import ProcessDefinition
from salesflow.process.validate import Problem, ProcessInvalid, parse_text, parse_valid, validate_paths

__all__ = ["ProcessDefinition", "ProcessInvalid", "Problem", "parse_text", "parse_valid", "validate_paths"]

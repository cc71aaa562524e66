"""Salesflow: sales process management as code (process library, stage-gate engine, event log)."""

__version__ = "0.1.0"

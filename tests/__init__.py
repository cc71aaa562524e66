"""Salesflow test suite."""

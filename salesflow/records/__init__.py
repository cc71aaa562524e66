"""Processes, their versions, records and the event log."""

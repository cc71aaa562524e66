"""Login throttling for the sign-in page: the shared, database-backed counts of `salesflow.people.throttle`."""

from __future__ import annotations

from salesflow.people.throttle import locked_for, record_failure, record_success

__all__ = ["locked_for", "record_failure", "record_success"]

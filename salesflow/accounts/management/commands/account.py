"""``salesflow account …``: the same command as ``salesflow accounts …`` (both names work)."""

from salesflow.accounts.management.commands.accounts import Command

__all__ = ["Command"]

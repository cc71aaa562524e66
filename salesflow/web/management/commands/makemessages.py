"""``makemessages`` that also extracts the core's marked sentences (``N_(...)``, `salesflow.engine.texts`)."""

from __future__ import annotations

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    """Django's makemessages with ``N_`` as an extra gettext keyword."""

    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=N_"]

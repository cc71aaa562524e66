"""Sentences of the framework-free core that an interface can say in the reader's language.

The core imports no framework, so it cannot translate. It marks its sentences instead:
``N_("the note is longer than %(limit)s characters", limit=500)`` returns a `Text`, an ordinary
``str`` holding the English sentence (so logs, the CLI, JSON and existing code keep working) that
also remembers its template and parameters. ``N_`` is the GNU gettext marker for "translate later":
``salesflow makemessages`` extracts it into the catalogue (``--keyword=N_``), and the interface layer
(`salesflow.web.i18n.localize`) looks the template up in the active language and fills in the
parameters, themselves localized (ids → titles, numbers and dates → the locale's format).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class Text(str):
    """An English sentence with its template and parameters (``template % params == str(self)``)."""

    template: str
    params: Mapping[str, Any]

    def __new__(cls, template: str, params: Mapping[str, Any] | None = None) -> Text:
        """Format ``template`` with ``params`` (%-style, named) and keep both."""
        params = dict(params or {})
        text = super().__new__(cls, template % {key: _english(value) for key, value in params.items()}
                               if params else template)
        text.template = template
        text.params = params
        return text

    def __reduce__(self) -> tuple[Any, ...]:
        return (Text, (self.template, dict(self.params)))


def _english(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return value


def N_(template: str, **params: Any) -> Text:  # noqa: N802 - the conventional gettext marker name
    """Mark ``template`` for translation and fill in ``params``: the English `Text`."""
    return Text(template, params)

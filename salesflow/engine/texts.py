"""Sentences of the framework-free core that an interface can say in the reader's language.

The core imports no framework, so it cannot translate. It marks its sentences instead:
``N_("the note is longer than %(limit)s characters", limit=500)`` returns a `Sentence`, an ordinary
``str`` holding the English sentence (so logs, the CLI, JSON and existing code keep working) that
also remembers its template and parameters. ``N_`` is the GNU gettext marker for "translate later":
``salesflow makemessages`` extracts it into the catalogue (``--keyword=N_``), and the interface layer
(`salesflow.web.i18n.localize`) looks the template up in the active language and fills in the
parameters, themselves localized (ids → titles, numbers and dates → the locale's format).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class Sentence(str):
    """An English sentence with its template and parameters (``template % params == str(self)``)."""

    template: str
    params: Mapping[str, Any]

    def __new__(cls, template: str, params: Mapping[str, Any] | None = None) -> Sentence:
        """Format ``template`` with ``params`` (%-style, named) and keep both."""
        params = dict(params or {})
        text = super().__new__(cls, template % {key: _english(value) for key, value in params.items()}
                               if params else template)
        text.template = template
        text.params = params
        return text

    def __reduce__(self) -> tuple[Any, ...]:
        return (Sentence, (self.template, dict(self.params)))


def _english(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return value


def N_(template: str, **params: Any) -> Sentence:  # noqa: N802 - the conventional gettext marker name
    """Mark ``template`` for translation and fill in ``params``: the English `Sentence`."""
    return Sentence(template, params)


class Names(str):
    """Ids of one kind (``roles``, ``stages``, ``activities`` …) in a sentence, shown in English as ``english``.

    An interface that knows the process names them in its language (`salesflow.web.i18n.Namer`).
    """

    kind: str
    ids: tuple[str, ...]

    def __new__(cls, kind: str, ids: list[str] | tuple[str, ...], english: str) -> Names:
        """``english``: the ids as the English sentence shows them (e.g. role titles joined by "or")."""
        names = super().__new__(cls, english)
        names.kind = kind
        names.ids = tuple(ids)
        return names

    def __reduce__(self) -> tuple[Any, ...]:
        return (Names, (self.kind, self.ids, str(self)))


class Translated(str):
    """A text of the process library (a stage title …) that is English as a ``str`` and knows its other languages."""

    texts: Mapping[str, str]

    def __new__(cls, english: str, texts: Mapping[str, str] | None = None) -> Translated:
        """``texts``: language → text (English is ``english``)."""
        value = super().__new__(cls, english)
        value.texts = dict(texts or {})
        return value

    def in_language(self, language: str) -> str:
        """The text in ``language`` (English when it has none)."""
        return self.texts.get(language) or str(self)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Translated, (str(self), dict(self.texts)))

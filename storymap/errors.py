"""Errors storymap raises on purpose; each carries a message a person can act on, in the
language of the interface that shows it.

A message is an English template with named fields (``InputError("The file '{name}' is
empty.", name=shown)``), not a finished string, so that the app can look the template up in
its gettext catalog and fill in the same fields (`StorymapError.translated`). ``str(error)``
is the English sentence, for the CLI, logs and tests. Babel extracts the templates from the
calls (see ``tests/test_messages.py``), so a literal template is a translatable one.
"""

from __future__ import annotations

from collections.abc import Callable

Gettext = Callable[[str], str]


class Message:
    """A sentence or phrase for a person: an English template and its fields. A field that is
    itself a Message (a phrase such as "a PNG image") is translated with the sentence."""

    __slots__ = ("fields", "template")

    def __init__(self, template: str, /, **fields: object) -> None:
        self.template = template
        self.fields = fields

    def translated(self, gettext: Gettext) -> str:
        """The message in the language of `gettext` (English when the catalog lacks it)."""
        values = {k: v.translated(gettext) if isinstance(v, Message) else v
                  for k, v in self.fields.items()}
        if not self.fields:
            return gettext(self.template)
        try:
            return gettext(self.template).format(**values)
        except (KeyError, IndexError, ValueError):  # a catalog entry with broken fields
            return self.template.format(**values)

    def __str__(self) -> str:
        return self.translated(str)

    def __repr__(self) -> str:
        return f"Message({str(self)!r})"


class StorymapError(Exception):
    """Base class: the CLI and the app print these without a traceback."""

    def __init__(self, message: str | Message = "", /, **fields: object) -> None:
        self.message = message if isinstance(message, Message) else Message(message, **fields)
        super().__init__(str(self.message))

    def translated(self, gettext: Gettext) -> str:
        """The message in the language of `gettext` (e.g. ``i18n.translations("de").gettext``)."""
        return self.message.translated(gettext)


class InputError(StorymapError, ValueError):
    """The article (text, bytes or file) cannot be read as an article."""


class GazetteerError(StorymapError):
    """The embedded gazetteer cannot be built or loaded."""


class GeocodingError(StorymapError):
    """An online geocoder failed in a way the story cannot recover from."""


class ExportError(StorymapError):
    """A story cannot be written or read in the requested format."""

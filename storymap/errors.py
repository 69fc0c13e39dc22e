"""Errors storymap raises on purpose; each carries a message a person can act on."""


class StorymapError(Exception):
    """Base class: the CLI and the app print these without a traceback."""


class InputError(StorymapError, ValueError):
    """The article (text, bytes or file) cannot be read as an article."""


class GazetteerError(StorymapError):
    """The embedded gazetteer cannot be built or loaded."""


class GeocodingError(StorymapError):
    """An online geocoder failed in a way the story cannot recover from."""


class ExportError(StorymapError):
    """A story cannot be written or read in the requested format."""

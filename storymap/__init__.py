"""storymap: turn a news article into an interactive geospatial story map, offline."""

from .errors import ExportError, GazetteerError, GeocodingError, InputError, StorymapError
from .model import Candidate, Mention, Passage, Place, Story
from .pipeline import run

__all__ = [
    "Candidate",
    "ExportError",
    "GazetteerError",
    "GeocodingError",
    "InputError",
    "Mention",
    "Passage",
    "Place",
    "Story",
    "StorymapError",
    "run",
]
__version__ = "0.1.0"

"""The `storymap` command, one module per command group: `story` (places, build), `corpus`
(annotate, corpus-map), `evaluate` (eval), `network` (cache, geocoder options, URLs); `main`
wires them and turns every StorymapError into a one-line message."""

from .evaluate import annotate_document
from .main import main, run_console

__all__ = ["annotate_document", "main", "run_console"]

"""`python -m storymap.cli …` runs the command."""

from .main import run_console

run_console()

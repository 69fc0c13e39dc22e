"""Facts about ordinary words, read from wordfreq and gender_guesser when the index is built:
which names are also common words, function words, and given names."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

from .files import site_file
from .records import F_FEATURE, F_POP, KINDS


def common_words(names: Iterable[str]) -> dict[str, tuple[float, float]]:
    """Zipf frequency (wordfreq) in German and English of one-word names that are also
    ordinary words ("Sommer", "Rede", "Mobile"), so the recognizer can demand context."""
    from wordfreq import zipf_frequency

    out: dict[str, tuple[float, float]] = {}
    for key in names:
        if " " in key or not key.isalpha():
            continue
        de, en = zipf_frequency(key, "de"), zipf_frequency(key, "en")
        if max(de, en) >= 2.0:
            out[key] = (de, en)
    return out


STOP_ZIPF = 5.0
STOP_POPULATION = 200_000


def stop_keys(
    names: dict[str, Any], places: list[tuple[Any, ...]], common: dict[str, tuple[float, float]]
) -> dict[str, frozenset[str]]:
    """Per language, very frequent words ("Die", "The", "Man") whose only readings are
    towns below 200,000 people: the recognizer skips them unless a place cue precedes them,
    which saves scoring dozens of hopeless spans per article."""
    out: dict[str, set[str]] = {"de": set(), "en": set()}
    for key, (de, en) in common.items():
        codes = names.get(key)
        if codes is None:
            continue
        hits = (codes,) if isinstance(codes, int) else codes
        minor = all(
            KINDS[c & 3] == "name"
            and places[c >> 2][F_FEATURE] == "city"
            and int(places[c >> 2][F_POP]) < STOP_POPULATION
            for c in hits
        )
        if minor:
            for lang, z in (("de", de), ("en", en)):
                if z >= STOP_ZIPF:
                    out[lang].add(key)
    return {lang: frozenset(keys) for lang, keys in out.items()}


COMMON_VOCABULARY = 50_000


def common_vocabulary() -> dict[str, frozenset[str]]:
    """The 50,000 most frequent words of German and English (wordfreq): a capitalised word
    after "in" that is none of these ("in Laafeld") may be a place the gazetteer lacks."""
    from wordfreq import top_n_list

    return {lang: frozenset(top_n_list(lang, COMMON_VOCABULARY)) for lang in ("de", "en")}


@cache
def function_words(languages: tuple[str, ...] = ("de", "en")) -> frozenset[str]:
    """The few hundred most frequent words of `languages` ("in", "am", "will", "may", "en"):
    some are also given names, but at the start of a sentence they are just words."""
    from wordfreq import available_languages, top_n_list

    known = available_languages()
    return frozenset(
        w for lang in languages if lang in known for w in top_n_list(lang, FUNCTION_WORDS)
    )


FUNCTION_WORDS = 300
FUNCTION_WORD_LANGUAGES = ("de", "en", "fr", "es", "it", "pt", "nl")
"""Latin-script news languages whose short words look like given names at a sentence start
("En", "A", "Il"). Each list wordfreq loads costs ~30 MB while the index is built."""


@cache
def first_names() -> frozenset[str]:
    """Given names (gender-guesser's list of ~48,000), to tell "Kim" or "Mary Adams" from
    places; read once at build time."""
    path = site_file("gender_guesser", "data", "nam_dict.txt")
    out: set[str] = set()
    with path.open(encoding="iso-8859-1") as f:
        for line in f:
            if line[:1] in "MF?1" and not line.startswith("#"):
                name = line[3:29].strip()
                if name and "+" not in name:
                    out.add(name.casefold())
    return frozenset(out)


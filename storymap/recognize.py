"""Find place mentions: names, inflected forms, adjectives/demonyms and metonyms.

A word scanner looks up every token n-gram that starts a gazetteer name (longest match wins),
then cheap, explainable filters drop what is not a place: lowercase words where a name needs a
capital, ordinary words that happen to be some village's name ("Sommer", "Rede") unless the
context says place, and people ("Wladimir Putin", "Kim Jong Un", "Mary Adams"). Deciding
*which* place a span means is resolve.py's job; this module only says *that* it may be one.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

from .gazetteer import F_FEATURE, F_POP, Gazetteer, Hit, normalize, read_table
from .model import MentionKind, Passage

TOKEN_RE = re.compile(r"\w+")
MAX_TOKENS = 6
# Characters allowed between the words of one name: "New York", "Baden-Württemberg",
# "St. Louis", "Côte d'Ivoire", "U.S.".
JOINERS = frozenset({" ", "-", ". ", ".", "'", "\u2019", "-\n"})
SENTENCE_END = frozenset('.!?:;"\u201e\u201c\u00ab\u00bb()[]')

LOCATIVE = {
    "de": frozenset(
        "in im nach aus bei beim von vom nahe zwischen durch über richtung gen ins nördlich "
        "südlich östlich westlich nordöstlich nordwestlich südöstlich südwestlich unweit "
        "außerhalb innerhalb bis".split()
    ),
    "en": frozenset(
        "in at from to near across outside around into throughout via towards toward inside "
        "within north south east west northeast northwest southeast southwest between through "
        "visit visited".split()
    ),
}
CALENDAR_WORDS = {
    "en": frozenset("january february march april may june july august september october "
                    "november december monday tuesday wednesday thursday friday saturday "
                    "sunday".split()),
    "de": frozenset("januar februar märz april mai juni juli august september oktober "
                    "november dezember montag dienstag mittwoch donnerstag freitag samstag "
                    "sonntag".split()),
}
DETERMINERS = {
    "de": frozenset("der die das den dem des ein eine einer einem eines im am beim vom zum zur "
                    "ins unser unsere sein seine ihr ihre dieser diese dieses jeder jede".split()),
    "en": frozenset("the a an this that these those its his her their our my".split()),
}
ABBREVIATED_TITLE = re.compile(r"\b(\w+)\.[ \t]+$")
NAME_PARTICLES = frozenset("der van von de del della di da le la bin ben al el".split())
ARTICLES = frozenset("der die das den dem des the".split())
TITLES = frozenset(
    "mr mrs ms dr prof sir lady lord herr frau präsident präsidentin minister ministerin "
    "kanzler kanzlerin senator sen rep gov governor president king queen prince pope general "
    "gen col capt sgt coach judge justice bishop father".split()
)


@dataclass(slots=True)
class Span:
    """A stretch of text that may name a place, with everything the resolver weighs."""

    start: int
    end: int
    text: str
    passage: int
    kind: MentionKind
    places: tuple[int, ...]
    """Gazetteer record indices this span can mean (name hits, or the adjective's place)."""
    cues: frozenset[str] = field(default_factory=frozenset)
    """Context evidence: "locative" (after "in", "nach"…), "region-word" ("Gebiet Kursk"),
    "common-word" (also an ordinary word), "sentence-start", "first-name"."""
    key: str = ""


@cache
def region_words() -> dict[str, frozenset[str]]:
    """Words that mark a neighbouring name as a place ("Gebiet Kursk", "Orange County")."""
    sets: dict[str, set[str]] = {"before": set(), "after": set(), "city": set()}
    for row in read_table("region_words.tsv"):
        word = normalize(row.get("word", ""))
        sets["before" if row.get("position") == "before" else "after"].add(word)
        if row.get("implies") == "city":
            sets["city"].add(word)
    return {name: frozenset(words) for name, words in sets.items()}


def find_spans(
    text: str, passages: Sequence[Passage], language: str, gazetteer: Gazetteer
) -> list[Span]:
    """Every span that looks like a place mention, in text order, without overlaps."""
    other_scripts = bool(NON_LATIN.search(text))
    if other_scripts:
        gazetteer.use_other_scripts()
    tokens = [(m.start(), m.end()) for m in TOKEN_RE.finditer(text)]
    starts = [p.start for p in passages]
    words = region_words()
    spans: list[Span] = []
    names, prefixes, adjectives = gazetteer.names, gazetteer.prefixes, gazetteer.adjective_keys
    german = language == "de"
    stop = gazetteer.stop_keys.get(language, frozenset())
    locatives = LOCATIVE.get(language, frozenset())
    i, n = 0, len(tokens)
    while i < n:
        s, e = tokens[i]
        key = text[s:e].casefold()
        # Fast path: most words start no name. Lowercase words matter only as adjectives
        # (in scripts without case, such as Arabic, every word is looked up).
        if text[s].islower():
            if key not in adjectives:
                i += 1
                continue
        elif key not in names and key not in prefixes and key + "." not in names and not (
            german and key[-1:] == "s" and key[:-1] in names
        ) and not (other_scripts and (key in gazetteer or gazetteer.is_prefix(key))):
            unknown = _unknown_place(text, tokens, i, key, language, gazetteer)
            if unknown is not None:
                passage = max(0, bisect.bisect_right(starts, s) - 1)
                spans.append(_with_passage(unknown, passage))
            i += 1
            continue
        if key in stop and key not in prefixes and not (
            i > 0 and text[tokens[i - 1][0] : tokens[i - 1][1]].casefold() in locatives
        ):
            i += 1  # "Die", "The", "Man": only small towns bear these names
            continue
        match = _longest_match(text, tokens, i, language, gazetteer)
        if match is None:
            i += 1
            continue
        j, end, key, hits = match
        start = tokens[i][0]
        span = _classify(text, tokens, i, j, start, end, key, hits, language, gazetteer, words)
        if span is not None:
            passage = max(0, bisect.bisect_right(starts, start) - 1)
            spans.append(_with_passage(span, passage))
            i = j + 1
        else:
            i += 1
    return spans


NON_LATIN = re.compile(r"[^\W\d_a-zA-Z\u00c0-\u024f\u1e00-\u1eff]")
UNKNOWN_TRIGGERS = {
    "de": frozenset("in nach aus bei nahe".split()),
    "en": frozenset("in near".split()),
}


def _unknown_place(
    text: str, tokens: list[tuple[int, int]], i: int, key: str, language: str, gaz: Gazetteer
) -> Span | None:
    """A capitalised word the gazetteer does not know, right after "in"/"nach"/"near", that
    is no ordinary word or given name ("in Laafeld"): a place an online geocoder may find."""
    s, e = tokens[i]
    triggers = UNKNOWN_TRIGGERS.get(language)
    if not triggers or i == 0:
        return None
    ps, pe = tokens[i - 1]
    if text[ps:pe].casefold() not in triggers or text[pe:s] != " ":
        return None  # cheapest test first: most capitalised words follow no "in"/"nach"
    word = text[s:e]
    common = gaz.common_words.get(language)
    if common is None or len(word) < 4 or not word.isalpha() or word.isupper():
        return None
    if key in common or key in gaz.first_names or _at_sentence_start(text, s):
        return None
    if text[e : e + 1] in ("'", "\u2019", "-"):
        return None  # "in Smith's house", "in Wien-Hietzing" (handled as a name)
    nxt = _word_after(text, tokens, i)
    if nxt is not None and nxt[:1].isupper() and language != "de":
        return None  # "in Schneiderman Street": part of a longer name we cannot judge
    return Span(s, e, word, 0, "name", (), frozenset({"unknown", "locative"}), key)


def _with_passage(span: Span, passage: int) -> Span:
    span.passage = passage
    return span


def _longest_match(
    text: str, tokens: list[tuple[int, int]], i: int, language: str, gaz: Gazetteer
) -> tuple[int, int, str, tuple[Hit, ...]] | None:
    """The longest name starting at token i: (last token, end offset, key, hits)."""
    start = tokens[i][0]
    lead_article = text[start : tokens[i][1]].casefold() in ARTICLES
    best: tuple[int, int, str, tuple[Hit, ...]] | None = None
    for j in range(i, min(i + MAX_TOKENS, len(tokens))):
        if j > i and text[tokens[j - 1][1] : tokens[j][0]] not in JOINERS:
            break
        if j > i and lead_article and text[tokens[j][0]].islower():
            break  # "The river": a name that starts with an article keeps its words capitalised
        end = tokens[j][1]
        key = text[start:end].casefold() if j == i else normalize(text[start:end])
        hits = gaz.hits(key)
        if end < len(text) and text[end] == ".":  # "U.S.", "Ky.", "St."
            dotted = gaz.hits(key + ".")
            if dotted:
                hits, end, key = dotted, end + 1, key + "."
        if not hits and language == "de" and key.endswith("s") and len(key) > 4:
            # German genitive: "Russlands", "Nordkoreas", "des Kremls"
            hits = tuple(h for h in gaz.hits(key[:-1]) if h.kind in ("name", "metonym"))
            if hits:
                key = key[:-1]
        if hits:
            best = (j, end, key, hits)
        if not gaz.is_prefix(key.rstrip(".")):
            break
    return best


def _classify(
    text: str,
    tokens: list[tuple[int, int]],
    i: int,
    j: int,
    start: int,
    end: int,
    key: str,
    hits: tuple[Hit, ...],
    language: str,
    gaz: Gazetteer,
    words: dict[str, frozenset[str]],
) -> Span | None:
    """Apply the form filters and collect context cues; None when this is no place."""
    surface = text[start:end]
    capital = surface[:1].isupper()
    names = [h.place for h in hits if h.kind == "name" and capital]
    metonyms = [h.place for h in hits if h.kind == "metonym" and capital]
    adjectives = [
        h.place
        for h in hits
        if h.kind in ("adjective", "demonym") and (capital or (language == "de" and h.kind ==
                                                              "adjective"))
    ]
    if surface.isupper() and len(surface) <= 5:
        # "AP", "CEO", "NATO": short capitals are places only as curated abbreviations
        names = [p for p in names if gaz.record(p)[F_FEATURE] != "city"
                 or p in gaz.acronyms.get(key, ())]
    elif not surface.isupper() and key in gaz.acronyms:
        names = [p for p in names if p not in gaz.acronyms[key]]  # "Act" is not "ACT"
    if adjectives and language == "de" and capital and key.endswith("isch"):
        adjectives = []  # "Türkisch", "Englisch": capitalised bare -isch is a language
    if adjectives and names and not any(_is_major_place(gaz, p, by_index=True) for p in names):
        names = []  # "Canadian", "English": the demonym, not a hamlet of that name
    kind: MentionKind
    if metonyms:
        kind, places = "metonym", metonyms
    elif names:
        kind, places = "name", names
    elif adjectives:
        kind, places = "adjective", adjectives
    else:
        return None

    cues: set[str] = set()
    prev_word = _word_before(text, tokens, i)
    next_word = _word_after(text, tokens, j)
    locatives = LOCATIVE.get(language, frozenset())
    if prev_word is not None and prev_word.casefold() in locatives:
        cues.add("locative")
    elif prev_word is not None and prev_word.casefold() in ARTICLES and i > 1:
        before_article = _word_before(text, tokens, i - 1)  # "in der Ukraine", "in the US"
        if before_article is not None and before_article.casefold() in locatives:
            cues.add("locative")
    own_words = key.split()
    marker = None
    if prev_word is not None and normalize(prev_word) in words["before"]:
        marker = normalize(prev_word)
    elif next_word is not None and normalize(next_word) in words["after"]:
        marker = normalize(next_word)
    elif len(own_words) > 1 and own_words[-1] in words["after"]:
        marker = own_words[-1]
    elif len(own_words) > 1 and own_words[0] in words["before"]:
        marker = own_words[0]
    if marker is not None:
        cues.add("region-word")  # "Gebiet Kursk", "Kursk region", "Orange County"
        if marker in words["city"]:
            cues.add("city-word")  # "Stadt Kursk", "Hafenstadt Wonsan", "city of Aleppo"
    if _at_sentence_start(text, start):
        cues.add("sentence-start")
    if prev_word is not None and prev_word.casefold() in DETERMINERS.get(language, ()):
        cues.add("determiner")  # "die Basis", "im Lauf", "the Mission": nouns, not towns
    if next_word is not None and next_word[:1].isupper() and language != "de":
        cues.add("before-name")  # "the Washington Post", "a New York court"
    if kind == "name" and key in CALENDAR_WORDS.get(language, ()):
        cues.add("calendar")
    if kind == "name" and j == i and not (surface.isupper() and len(surface) > 1):
        zipf = gaz.common.get(key.rstrip("s") if key not in gaz.common else key)
        if zipf is not None:
            de_zipf, en_zipf = zipf
            z = de_zipf if language == "de" else en_zipf if language == "en" else max(zipf)
            if z >= COMMON_ZIPF:
                cues.add("common-word")
        if key in gaz.first_names:
            cues.add("first-name")
    if kind == "name" and _looks_like_person(text, tokens, i, j, prev_word, next_word, language,
                                             gaz):
        cues.add("person")
    return Span(start, end, surface, 0, kind, tuple(dict.fromkeys(places)), frozenset(cues), key)


COMMON_ZIPF = 3.3


def _word_before(text: str, tokens: list[tuple[int, int]], i: int) -> str | None:
    if i == 0:
        return None
    s, e = tokens[i - 1]
    gap = text[e : tokens[i][0]]
    return text[s:e] if gap.strip() == "" and "\n" not in gap else None


def _word_after(text: str, tokens: list[tuple[int, int]], j: int) -> str | None:
    if j + 1 >= len(tokens):
        return None
    s, e = tokens[j + 1]
    gap = text[tokens[j][1] : s]
    return text[s:e] if gap.strip() == "" and "\n" not in gap else None


def _at_sentence_start(text: str, start: int) -> bool:
    k = start - 1
    while k >= 0 and text[k] in " \t":
        k -= 1
    return k < 0 or text[k] == "\n" or text[k] in SENTENCE_END


def _looks_like_person(
    text: str,
    tokens: list[tuple[int, int]],
    i: int,
    j: int,
    prev_word: str | None,
    next_word: str | None,
    language: str,
    gaz: Gazetteer,
) -> bool:
    """A name inside a person's name: "Wladimir Putin", "Kim Jong Un", "Andreas Vana",
    "President Lincoln", "Fiston Mwanza Mujila". Decided from the neighbouring words only."""
    if prev_word is None and "." in text[max(0, tokens[i][0] - 3) : tokens[i][0]]:
        abbreviated = ABBREVIATED_TITLE.search(text, max(0, tokens[i][0] - 12), tokens[i][0])
        if abbreviated and abbreviated.group(1).casefold() in TITLES:
            return True  # "Gov. Mary Fallin", "Dr. Sydney Brenner"
    prev_cap = prev_word is not None and prev_word[:1].isupper()
    next_cap = next_word is not None and next_word[:1].isupper()
    if prev_word is not None:
        p = prev_word.casefold().rstrip(".")
        if p in TITLES:
            return True
        if prev_cap and p in gaz.first_names and not _at_sentence_start(text, tokens[i - 1][0]):
            return not _is_major_place(gaz, p)  # "Mary Adams", but not "Georgia Tech"
    if next_word is not None and next_word.casefold() in NAME_PARTICLES and j + 2 < len(tokens):
        s2, e2 = tokens[j + 2]
        if text[s2:e2][:1].isupper() and text[tokens[j + 1][1] : s2] == " ":
            return True  # "Van der Bellen", "Costa de la Cruz": a surname
    if next_cap and j == i and next_word is not None:
        nxt = next_word.casefold()
        first = text[tokens[i][0] : tokens[i][1]].casefold()
        if (
            first in gaz.first_names
            and not _is_major_place(gaz, nxt)
            and not _is_major_place(gaz, first)
        ):
            return True  # "Wladimir Putin", "Kim Jong", "Mary Adams": a first name, a surname
        if prev_cap and not gaz.hits(nxt) and not _at_sentence_start(text, tokens[i - 1][0]):
            p = (prev_word or "").casefold()
            return not gaz.hits(p) and p not in ARTICLES  # "Fiston Mwanza Mujila"
    return False


def _is_major_place(gaz: Gazetteer, key: str | int, *, by_index: bool = False) -> bool:
    """Countries, continents, capitals and cities of 1M+: a first name like "Georgia",
    "Paris" or "Washington" that is far more often the place ("Victoria" or "Mary", regions
    too, are not). `key` is a name key, or a record index with `by_index`."""
    if by_index:
        places = [int(key)]
    else:
        places = [h.place for h in gaz.hits(str(key)) if h.kind == "name"]
    for idx in places:
        r = gaz.record(idx)
        if (
            r[F_FEATURE] in ("country", "continent")
            or int(r[F_POP]) >= 1_000_000
            or idx in gaz.seat_places
        ):
            return True
    return False

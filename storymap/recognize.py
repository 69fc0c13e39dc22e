"""Find place mentions: names, inflected forms, adjectives/demonyms and metonyms.

The article is split into words once; neighbours are read by index. One automaton pass
(matcher.py) finds the multi-word names, a dict lookup the one-word ones (longest match wins),
then cheap, explainable filters drop what is not a place: lowercase words where a name needs a
capital, ordinary words that happen to be some village's name ("Sommer", "Rede") unless the
context says place, and people ("Wladimir Putin", "Kim Jong Un", "Mary Adams"). Deciding
*which* place a span means is resolve.py's job; this module only says *that* it may be one.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import NamedTuple

from .evaluation import haversine_km
from .gazetteer import (
    F_FEATURE,
    F_LAT,
    F_LON,
    F_POP,
    TOKEN_RE,
    Gazetteer,
    Hit,
    normalize,
    read_table,
)
from .matcher import Match
from .model import MentionKind, Passage

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
    # Other languages: their plainest locatives only ("de", "di", "da" also start surnames).
    "fr": frozenset("à au aux en vers depuis".split()),
    "es": frozenset("en desde hacia".split()),
    "it": frozenset("a in verso".split()),
    "pt": frozenset("em para".split()),
    "nl": frozenset("in naar uit bij".split()),
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
FOREIGN_ARTICLES = frozenset("el la le los las les il lo".split())
"""Romance articles, capitalised before a single name in a German or English text, begin the
title of a newspaper, ship or work ("Le Monde", "El Faro", "La Stampa"): names such as "Los
Angeles" or "La Paz", which include the article, are found whole before this is asked."""
TITLES = frozenset(
    "mr mrs ms dr prof sir lady lord herr frau präsident präsidentin minister ministerin "
    "kanzler kanzlerin senator sen rep gov governor president king queen prince pope general "
    "gen col capt sgt coach judge justice bishop father".split()
)


_NO_CUES: frozenset[str] = frozenset()


class RecognitionLimits(NamedTuple):
    """The numbers that decide what `find_spans` sees as a name, in one table."""

    common_zipf: float = 3.3
    """A name this common as a word (wordfreq's zipf) carries the ``common-word`` cue."""
    genitive_min_chars: int = 5
    """A German word this long ending in -s may be a genitive ("Russlands"; not "Ems")."""
    unknown_min_chars: int = 4
    """A capitalised unknown after "in"/"nach" this long may be a place for a geocoder."""
    acronym_max_chars: int = 5
    """Capitals this short ("AP", "NATO") are places only as curated abbreviations."""
    surname_town_max_people: int = 100_000
    """After a given name that is also a major place ("Paris", "Sydney"), a word that is
    only the name of towns smaller than this ("Hilton", "Sweeny") reads as a surname."""
    surname_town_min_km: float = 100.0
    """…unless one of those towns lies this close to the major place: "Paris Orly", "London
    Stansted" name an airport or district, not a person."""
    name_zipf_gap: float = 1.0
    """A surname is about as frequent a word in German as in English (wordfreq's zipf); a
    word this much more frequent in one of them is an ordinary word there ("Victory")."""


LIMITS = RecognitionLimits()


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of text that may name a place, with everything the resolver weighs."""

    start: int
    end: int
    text: str
    passage: int
    kind: MentionKind
    places: tuple[int, ...]
    """Gazetteer record indices this span can mean (name hits, or the adjective's place)."""
    cues: frozenset[str] = _NO_CUES
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


class ContextWords(NamedTuple):
    """The words around a name that `_classify` looks for, for one language."""

    before: frozenset[str]
    """Region words before a name ("Gebiet Kursk")."""
    after: frozenset[str]
    """Region words after a name ("Kursk region", "Orange County")."""
    city: frozenset[str]
    """Region words that say city ("Hafenstadt Wonsan")."""
    locatives: frozenset[str]
    determiners: frozenset[str]


@cache
def context_words(language: str) -> ContextWords:
    words = region_words()
    return ContextWords(words["before"], words["after"], words["city"],
                        LOCATIVE.get(language, frozenset()),
                        DETERMINERS.get(language, frozenset()))


@cache
def organisation_words() -> frozenset[str]:
    """Words that make "<name> <word>" an institution ("Aurora Fire Department"), not a
    person, even when the name is also a given name."""
    return frozenset(normalize(row.get("word", "")) for row in read_table("organisation_words.tsv"))



ADJECTIVE_ENDINGS_DE = ("sch", "sche", "schem", "schen", "scher", "sches")
"""German adjectives are lowercase ("russische", "westrussischen"): all of them end in -sch
plus an ending, which a test checks against the adjective table."""


@dataclass(frozen=True, slots=True)
class Article:
    """An article's words, split once: offsets and casefolded keys, read by index."""

    text: str
    words: list[tuple[int, int]]
    """Each word's (start, end): a run of regex word characters (\\w+)."""
    keys: list[str]
    """Each word casefolded."""
    language: str
    gaz: Gazetteer
    context: ContextWords

    @classmethod
    def split(cls, text: str, language: str, gaz: Gazetteer) -> Article:
        words = [m.span() for m in TOKEN_RE.finditer(text)]
        folded = text.casefold()
        if len(folded) == len(text):  # casefolding kept every offset: slice it once
            keys = [folded[s:e] for s, e in words]
        else:
            keys = [text[s:e].casefold() for s, e in words]
        return cls(text, words, keys, language, gaz, context_words(language))

    def word(self, i: int) -> str:
        s, e = self.words[i]
        return self.text[s:e]

    def adjacent(self, i: int) -> bool:
        """Whether word i follows word i-1 with only spaces on one line between them."""
        if i <= 0 or i >= len(self.words):
            return False
        gap = self.text[self.words[i - 1][1] : self.words[i][0]]
        return gap.isspace() and "\n" not in gap

    def gap_before(self, i: int) -> str:
        start = self.words[i - 1][1] if i > 0 else 0
        return self.text[start : self.words[i][0]]

    def sentence_start(self, i: int) -> bool:
        return _at_sentence_start(self.text, self.words[i][0])


def find_spans(
    text: str, passages: Sequence[Passage], language: str, gazetteer: Gazetteer
) -> list[Span]:
    """Every span that looks like a place mention, in text order, without overlaps."""
    art = Article.split(text, language, gazetteer)
    candidates = _candidates(art)
    other_scripts = _other_script_names(art, candidates)
    if other_scripts:
        gazetteer.use_other_scripts()
    multi: dict[int, list[Match]] = {}
    for matcher in gazetteer.matchers if other_scripts else gazetteer.matchers[:1]:
        for i, found in matcher.matches(text, art.words, art.keys,
                                        genitive=language == "de").items():
            multi[i] = sorted([*multi.get(i, ()), *found], key=lambda m: m.end)
    starts = [p.start for p in passages]
    spans: list[Span] = []
    resume = 0  # the end of the last span: candidates inside it are skipped
    names, german = gazetteer.names, language == "de"
    for i in candidates:
        if art.words[i][0] < resume:
            continue
        key = art.keys[i]
        if i not in multi and key not in names and not other_scripts and not (
            german and key[-1:] == "s" and key[:-1] in names
        ) and (i == 0 or art.keys[i - 1] not in UNKNOWN_TRIGGERS.get(language, ())):
            continue  # the common case: a capitalised word that is no name and follows no "in"
        span = _span_at(art, i, multi.get(i, ()), other_scripts)
        if span is not None:
            passage = max(0, bisect.bisect_right(starts, span.start) - 1)
            spans.append(Span(span.start, span.end, span.text, passage, span.kind,
                              span.places, span.cues, span.key))
            resume = span.end
    return _people_named_again(spans, gazetteer)


PLACE_CUES = frozenset({"locative", "region-word", "dateline"})
"""Cues that tie a name to a place whatever else the article says: "in Georgia", "Gebiet
Kursk", a dateline."""


def _people_named_again(spans: list[Span], gaz: Gazetteer) -> list[Span]:
    """A given name the article has already used in a person's name ("Georgia Stevens",
    "Paris Hilton") means that person again where it stands alone with no place word around
    it ("Georgia began skating", "said Georgia"): news repeats a person's given name, and
    rarely means a namesake place in the same breath. "in Georgia" stays the place."""
    people: set[str] = set()
    out = []
    for span in spans:
        if "person" in span.cues:
            if span.key in gaz.first_names and " " not in span.key and not shouted(span.text):
                people.add(span.key)
        elif span.key in people and span.kind == "name" and not span.cues & PLACE_CUES:
            span = replace(span, cues=span.cues | PERSON)
        out.append(span)
    return out


def _candidates(art: Article) -> list[int]:
    """The words that may start a place mention: those whose first letter is no lowercase
    letter (capitals, and scripts without case); in German also lowercase adjectives."""
    text = art.text
    firsts = [text[s] for s, _ in art.words]
    if text.isascii():
        out = [i for i, c in enumerate(firsts) if c.isupper()]
    else:
        out = [i for i, c in enumerate(firsts)  # capitals, then letters of caseless scripts
               if c.isupper() or (c > "\u02ff" and c.isalnum() and not c.isdecimal()
                                  and not c.islower())]
    if art.language == "de":
        keys = art.keys
        adjectives = [i for i, c in enumerate(firsts)
                      if c.islower() and keys[i].endswith(ADJECTIVE_ENDINGS_DE)]
        if adjectives:
            out = sorted(out + adjectives)
    return out


NON_LATIN = re.compile(r"[^\W\d\u0000-\u024f\u1e00-\u1eff]")
"""A letter outside the Latin script (Cyrillic, Arabic, Han…): a word character that is
no digit, no underscore and not in Basic Latin, Latin-1, Latin Extended or Latin Additional."""


def _other_script_names(art: Article, candidates: list[int]) -> bool:
    """Whether a word that may start a name has a letter outside Latin: only then are the
    names in those scripts worth loading."""
    if art.text.isascii() or NON_LATIN.search(art.text) is None:
        return False
    text, words = art.text, art.words
    return any(NON_LATIN.search(text, *words[i]) is not None for i in candidates)


class _Found(NamedTuple):
    """A name found at a word: its last word, end offset, key and index entries."""

    last: int
    end: int
    key: str
    hits: tuple[Hit, ...]


def _span_at(art: Article, i: int, multi: Sequence[Match], other_scripts: bool) -> Span | None:
    """The place mention starting at word i, if any (with passage 0: the caller sets it)."""
    gaz, key = art.gaz, art.keys[i]
    if art.text[art.words[i][0]].islower():
        if key not in gaz.adjective_keys:
            return None
        found: _Found | None = _Found(i, art.words[i][1], key, gaz.hits(key))
    else:
        found = _longest(art, i, multi, other_scripts)
    if found is None:
        return _unknown_place(art, i)  # a capitalised word no known name starts
    stop = gaz.stop_keys.get(art.language, frozenset())
    if found.last == i and key in stop and not _after_locative(art, i):
        return None  # "Die", "The", "Man": only small towns bear these names
    if art.text.startswith(" (", found.end):
        found = _qualified(art, i, found)
    return _classify(art, i, found)


def _longest(art: Article, i: int, multi: Sequence[Match], other_scripts: bool
             ) -> _Found | None:
    """The longest name starting at word i: a multi-word one from the automaton, else the
    word itself, else (German) its genitive where the base is the better reading."""
    gaz, text, start = art.gaz, art.text, art.words[i][0]
    lead_article = art.keys[i] in ARTICLES
    for m in reversed(multi):
        if lead_article and any(text[art.words[j][0]].islower() for j in range(i + 1, m.last + 1)):
            continue  # "The river": a name that starts with an article keeps its capitals
        key = _key_of(text[start : m.end])
        if m.genitive:
            key = key[:-1]
        hits = _genitive_hits(gaz, key) if m.genitive else gaz.hits(key)
        if hits:
            return _Found(m.last, m.end, key, hits)
    key = art.keys[i]
    hits = gaz.hits(key)
    if hits:
        return _Found(i, art.words[i][1], key, hits)
    if art.language == "de" and len(key) >= LIMITS.genitive_min_chars and key.endswith("s") and (
        key not in gaz.not_genitive
    ):
        hits = _genitive_hits(gaz, key[:-1])  # "Russlands", "Nordkoreas", "des Kremls"
        if hits:
            return _Found(i, art.words[i][1], key[:-1], hits)
    return None


def _genitive_hits(gaz: Gazetteer, base: str) -> tuple[Hit, ...]:
    return tuple(h for h in gaz.hits(base) if h.kind in ("name", "metonym"))


def _after_locative(art: Article, i: int) -> bool:
    return i > 0 and art.keys[i - 1] in art.context.locatives


UNKNOWN_TRIGGERS = {
    "de": frozenset({"in", "nach", "aus", "bei", "nahe"}),
    "en": frozenset({"in", "near"}),
}
"""The words (with one space after them) that make an unknown capitalised word worth a look
("in Laafeld")."""


def _unknown_place(art: Article, i: int) -> Span | None:
    """A capitalised word the gazetteer does not know, right after "in"/"nach"/"near", that
    is no ordinary word or given name ("in Laafeld"): a place an online geocoder may find."""
    triggers = UNKNOWN_TRIGGERS.get(art.language)
    if triggers is None or i == 0 or art.keys[i - 1] not in triggers or art.gap_before(i) != " ":
        return None  # most capitalised words follow no "in"/"nach": not even unknown
    gaz, text, (s, e), key = art.gaz, art.text, art.words[i], art.keys[i]
    word = text[s:e]
    common = gaz.common_words.get(art.language)
    if (common is None or len(word) < LIMITS.unknown_min_chars or not word.isalpha()
            or word.isupper()):
        return None
    if key in common or key in gaz.first_names or art.sentence_start(i) or gaz.is_prefix(key):
        return None
    if text[e : e + 1] in ("'", "\u2019", "-"):
        return None  # "in Smith's house", "in Wien-Hietzing" (handled as a name)
    if art.language != "de" and art.adjacent(i + 1) and art.word(i + 1)[:1].isupper():
        return None  # "in Schneiderman Street": part of a longer name we cannot judge
    return Span(s, e, word, 0, "name", (), frozenset({"unknown", "locative"}), key)


def _key_of(surface: str) -> str:
    """`normalize` for a stretch of article text, which is NFC already: only typographic
    apostrophes and line breaks (the joiners U+2019 and "-\\n") need the full treatment."""
    if "\u2019" in surface or "\n" in surface:
        return normalize(surface)
    return surface.casefold()


QUALIFIER = re.compile(r" \((\w[\w .\-]{0,30})\)")
"""A qualifier in brackets right after a name: "Frankfurt (Oder)", "Halle (Saale)"."""


def _qualified(art: Article, i: int, found: _Found) -> _Found:
    """The name with its bracketed qualifier when the gazetteer knows them together
    ("Frankfurt (Oder)" is not Frankfurt am Main); else the name as matched."""
    m = QUALIFIER.match(art.text, found.end)
    if m is not None:
        qualified_key = _key_of(art.text[art.words[i][0] : m.end()])
        qualified = art.gaz.hits(qualified_key)
        if qualified:
            last = bisect.bisect_left(art.words, (m.start(1), 0))
            return _Found(last, m.end(), qualified_key, qualified)
    return found


@dataclass(frozen=True, slots=True)
class _Reading:
    """What a name says on its own, before any context: its kind, places, and the cues
    that come from the word itself (a month, an ordinary word, a first name)."""

    kind: MentionKind
    places: tuple[int, ...]
    cues: frozenset[str]


ONE_WORD = re.compile(r"\w+\.?")


def _read_name(surface: str, key: str, hits: tuple[Hit, ...], language: str, gaz: Gazetteer
               ) -> _Reading | None:
    """Apply the form filters; None when this form is no place whatever its context."""
    capital = surface[:1].isupper()
    names = [h.place for h in hits if h.kind == "name" and capital]
    metonyms = [h.place for h in hits if h.kind == "metonym" and capital]
    adjectives = [
        h.place for h in hits
        if h.kind in ("adjective", "demonym")
        and (capital or (language == "de" and h.kind == "adjective"))
    ]
    if surface.isupper() and len(surface) <= LIMITS.acronym_max_chars:
        # "AP", "CEO", "NATO": short capitals are places only as curated abbreviations
        names = [p for p in names if gaz.record(p)[F_FEATURE] != "city"
                 or p in gaz.acronyms.get(key, ())]
    elif not surface.isupper() and key in gaz.acronyms:
        names = [p for p in names if p not in gaz.acronyms[key]]  # "Act" is not "ACT"
    if adjectives and language == "de" and capital and key.endswith("isch"):
        adjectives = []  # "Türkisch", "Englisch": capitalised bare -isch is a language
    if adjectives and names and not any(p in gaz.major_places for p in names):
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
    cues = _word_cues(surface, key, language, gaz) if kind == "name" else _NO_CUES
    return _Reading(kind, tuple(dict.fromkeys(places)), cues)


def _word_cues(surface: str, key: str, language: str, gaz: Gazetteer) -> frozenset[str]:
    """What the name's own word says: a month or weekday, an ordinary word, a given name."""
    cues: set[str] = set()
    if key in CALENDAR_WORDS.get(language, ()):
        cues.add("calendar")
    if ONE_WORD.fullmatch(surface) is not None and not shouted(surface):
        if gaz.zipf(key if key in gaz.common else key.rstrip("s"), language) >= LIMITS.common_zipf:
            cues.add("common-word")
        if key in gaz.first_names:
            cues.add("first-name")
    return frozenset(cues) if cues else _NO_CUES


class _Neighbours(NamedTuple):
    """The words right before and after a name (only spaces on one line between), by index;
    None where punctuation or a line break stands between."""

    prev: int | None
    next: int | None


def _neighbours(art: Article, i: int, last: int, end: int) -> _Neighbours:
    prev = i - 1 if art.adjacent(i) else None
    after = last + 1
    if art.text[end - 1] == "." or after >= len(art.words):
        return _Neighbours(prev, None)  # after "U.S." the dot ends the name ("the D.C. Court")
    gap = art.text[end : art.words[after][0]]
    return _Neighbours(prev, after if gap.isspace() and "\n" not in gap else None)


def _classify(art: Article, i: int, found: _Found) -> Span | None:
    """The name's reading plus the cues of its context; None when no place."""
    text, start, end = art.text, art.words[i][0], found.end
    surface = text[start:end]
    # A dateline in capitals ("PARIS, Texas —", "ROME (Reuters) —") names a place, not an
    # acronym: it is read as the name it spells.
    as_read = surface.title() if surface.isupper() and _is_dateline(text, start, end) else surface
    reading = _read_name(as_read, found.key, found.hits, art.language, art.gaz)
    if reading is None:
        return None
    if reading.kind != "name":
        # Adjectives and metonyms mean their place whatever surrounds them: no context cues.
        return Span(start, end, surface, 0, reading.kind, reading.places, reading.cues,
                    found.key)
    near = _neighbours(art, i, found.last, end)
    if _looks_like_person(art, i, found.last == i, near):
        # Part of a person's name is no place whatever else is around it (resolve.py drops
        # it first thing): no other cue is worth reading.
        return Span(start, end, surface, 0, "name", reading.places, reading.cues | PERSON,
                    found.key)
    cues = _context_cues(art, i, found.key, near)
    if _is_dateline(text, start, end, DATELINE_DASH):
        cues.add("dateline")  # "Wels - Keine Sozialleistungen", "ROME (Reuters) -"
    return Span(start, end, surface, 0, "name", reading.places,
                reading.cues | cues if cues else reading.cues, found.key)


def _context_cues(art: Article, i: int, key: str, near: _Neighbours) -> set[str]:
    """What the words around a name say: "in Kursk", "Gebiet Kursk", "Kursk region", a
    sentence start, "die Basis", "the Washington Post"."""
    words = art.context
    prev_key = art.keys[near.prev] if near.prev is not None else None
    next_key = art.keys[near.next] if near.next is not None else None
    cues: set[str] = set()
    if prev_key in words.locatives:
        cues.add("locative")
    elif near.prev is not None and prev_key in ARTICLES and art.adjacent(near.prev) and (
        art.keys[near.prev - 1] in words.locatives
    ):
        cues.add("locative")  # "in der Ukraine", "in the US"
    marker = _region_marker(key.split(), prev_key, next_key, words)
    if marker is not None:
        cues.add("region-word")  # "Gebiet Kursk", "Kursk region", "Orange County"
        if marker in words.city:
            cues.add("city-word")  # "Stadt Kursk", "Hafenstadt Wonsan", "city of Aleppo"
    if art.sentence_start(i):
        cues.add("sentence-start")
    if prev_key in words.determiners:
        cues.add("determiner")  # "die Basis", "im Lauf", "the Mission": nouns, not towns
    if near.next is not None and art.word(near.next)[:1].isupper() and art.language != "de":
        cues.add("before-name")  # "the Washington Post", "a New York court"
    if (near.prev is not None and prev_key in FOREIGN_ARTICLES and art.language in ("de", "en")
            and art.word(near.prev)[:1].isupper()):
        cues.add("title")  # "Le Monde", "die El Faro"
    return cues


def _region_marker(own_words: list[str], prev_key: str | None, next_key: str | None,
                   words: ContextWords) -> str | None:
    if prev_key in words.before:
        return prev_key
    if next_key in words.after:
        return next_key
    if len(own_words) > 1 and own_words[-1] in words.after:
        return own_words[-1]
    if len(own_words) > 1 and own_words[0] in words.before:
        return own_words[0]
    return None


PERSON = frozenset({"person"})
DATELINE_AFTER = re.compile(r" ?[,(\u2014\u2013-]")
DATELINE_DASH = re.compile(r" ?[(\u2014\u2013-] ?\S")
"""After a name that opens a line, a dash or an agency in brackets: a dateline, which names
the place the story comes from ("Wels - ...", "BERLIN (dpa) -"). A comma may be a person's
("Merkel, die …"), so only capitals count for it (`DATELINE_AFTER`)."""


def _is_dateline(text: str, start: int, end: int, after: re.Pattern[str] = DATELINE_AFTER
                 ) -> bool:
    """The name opens a line and `after` follows: "BERLIN (dpa) -", "Wels - Keine …"."""
    return (start == 0 or text[start - 1] == "\n") and after.match(text, end) is not None


CLAUSE_OPENERS = SENTENCE_END | {"\u2013", "\u2014", "-"}
"""After these (or at a line start) a word is capitalised for where it stands: a sentence
end, a colon, a quote or bracket, a dash."""


def _at_sentence_start(text: str, start: int, openers: frozenset[str] = SENTENCE_END) -> bool:
    """Whether the word at `start` opens a line, or follows one of `openers` (a sentence end
    by default; `CLAUSE_OPENERS` for any clause)."""
    k = start - 1
    while k >= 0 and text[k] in " \t":
        k -= 1
    return k < 0 or text[k] == "\n" or text[k] in openers


def _is_major_name(gaz: Gazetteer, key: str) -> bool:
    """Whether a name key can mean a major place (see gazetteer.recognition_facts): a first
    name like "Georgia", "Paris" or "Washington" that is far more often the place."""
    return any(h.kind == "name" and h.place in gaz.major_places for h in gaz.hits(key))


def _after_title(art: Article, i: int) -> bool:
    """ "Gov. Mary Fallin", "Dr. Sydney Brenner": an abbreviated title, its dot, then spaces."""
    gap = art.gap_before(i)
    return (i > 0 and gap[:1] == "." and len(gap) > 1 and gap[1:].strip(" \t") == ""
            and art.keys[i - 1] in TITLES)


def _looks_like_person(art: Article, i: int, single: bool, near: _Neighbours) -> bool:
    """A name inside a person's name: "Wladimir Putin", "Kim Jong Un", "Andreas Vana",
    "President Lincoln", "Fiston Mwanza Mujila". Decided from the neighbouring words only."""
    gaz = art.gaz
    if near.prev is None and _after_title(art, i):
        return True
    prev_cap = near.prev is not None and art.word(near.prev)[:1].isupper()
    if near.prev is not None:
        prev_key = art.keys[near.prev]
        if prev_key in TITLES:
            return True
        if prev_cap and prev_key in gaz.first_names and prev_key not in ARTICLES and not (
            prev_key in gaz.function_words
            and _at_sentence_start(art.text, art.words[near.prev][0], CLAUSE_OPENERS)
        ):  # "Denzel Washington won", "Andre De Grasse", but not "The Washington Post", "In
            # Halle wurde", "May Britain leave" or "- Im US-Bundesstaat": an article, or a
            # function word opening a clause
            return not _is_major_name(gaz, prev_key)  # "Mary Adams", but not "Georgia Tech"
    if near.next is None:
        return False
    next_key = art.keys[near.next]
    if next_key in NAME_PARTICLES and _particle_surname(art, near.next):
        return True  # "Van der Bellen", "Costa de la Cruz": a surname
    if not (single and art.word(near.next)[:1].isupper()):
        return False
    first, next_word = art.keys[i], art.word(near.next)
    if shouted(next_word):
        return False  # "London EMS", "Paris AFP": an acronym, no surname
    if shouted(art.word(i)) or next_key in gaz.function_words:
        return False  # "UK Minister", "LONDON The Latest": no given name, no surname
    if (
        first in gaz.first_names
        and next_key not in organisation_words()  # "Aurora Fire Department"
        and not _is_major_name(gaz, next_key)
        and (not _is_major_name(gaz, first) or _surname_after_major(gaz, first, next_key))
    ):
        return True  # "Wladimir Putin", "Kim Jong", "Mary Adams": a first name, a surname
    if prev_cap and near.prev is not None and not gaz.hits(next_key) and not art.sentence_start(
        near.prev
    ):
        p = art.keys[near.prev]
        return not gaz.hits(p) and p not in ARTICLES  # "Fiston Mwanza Mujila"
    return False


def shouted(word: str) -> bool:
    """Written in capitals ("UK", "LONDON"): an abbreviation or a dateline, never a given
    name (even where the list of given names has the word), and no ordinary word."""
    return len(word) > 1 and word.isupper()


def _surname_after_major(gaz: Gazetteer, first: str, key: str) -> bool:
    """Whether `key` after a given name that is also a major place reads as a surname:
    "Paris Hilton", "Sydney Sweeney", "Paris Jackson" (a given name, or only some small
    towns' name), but not "Paris Texas", "Florence Italy", "Sydney Harbour" (a region, a
    country, an ordinary word) nor "Paris Orly" (a town next to the place: its airport)."""
    hits = [h.place for h in gaz.hits(key) if h.kind == "name"]
    if not hits and key not in gaz.first_names:
        return False  # "Harbour", "Morning", "Redskins": an ordinary word or a team
    if abs(gaz.zipf(key, "en") - gaz.zipf(key, "de")) >= LIMITS.name_zipf_gap:
        return False  # "Paris Victory Gardens": a town's name, but an English word
    records = [gaz.record(p) for p in hits]
    if any(r[F_FEATURE] != "city" for r in records):
        return False  # "Texas", "Virginia", "Heathrow" (the airport)
    if key not in gaz.first_names and any(
        int(r[F_POP]) >= LIMITS.surname_town_max_people for r in records
    ):
        return False  # "London Luton": a city of its own, not a surname
    majors = [gaz.record(h.place) for h in gaz.hits(first)
              if h.kind == "name" and h.place in gaz.major_places]
    return not any(
        haversine_km(m[F_LAT], m[F_LON], r[F_LAT], r[F_LON]) < LIMITS.surname_town_min_km
        for m in majors for r in records if r[F_FEATURE] == "city"
    )


def _particle_surname(art: Article, particle: int) -> bool:
    """A particle ("van", "de") with a capitalised word one space after it: "Ludwig van
    Beethoven", "Ursula von der Leyen"."""
    after = particle + 1
    return after < len(art.words) and art.word(after)[:1].isupper() and (
        art.gap_before(after) == " "
    )

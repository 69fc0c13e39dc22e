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
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import NamedTuple

from .charclass import char_class
from .gazetteer import F_FEATURE, F_POP, TOKEN_RE, Gazetteer, Hit, normalize, read_table
from .model import MentionKind, Passage

Token = tuple[int, int]
"""A word's (start, end) offsets: a run of regex word characters (\\w+)."""
MAX_TOKENS = 6
ADJACENT_WORD = re.compile(r"[^\S\n]*(\w+)")
"""A word (group 1) with only spaces on one line before it: a neighbour in the same phrase."""
JOINED_WORD = re.compile(r"(?:-\n|\. |[ \-.'\u2019])(\w+)")
"""What may stand between the words of one name, then the next word (group 1): "New York",
"Baden-Württemberg", "St. Louis", "Côte d'Ivoire", "U.S.", and a word broken across lines."""
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
TITLES = frozenset(
    "mr mrs ms dr prof sir lady lord herr frau präsident präsidentin minister ministerin "
    "kanzler kanzlerin senator sen rep gov governor president king queen prince pope general "
    "gen col capt sgt coach judge justice bishop father".split()
)


_NO_CUES: frozenset[str] = frozenset()


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
    cues: frozenset[str] = _NO_CUES
    """Context evidence: "locative" (after "in", "nach"…), "region-word" ("Gebiet Kursk"),
    "common-word" (also an ordinary word), "sentence-start", "first-name"."""
    key: str = ""

    # Written out, not generated: mypyc compiles this one, while a dataclass's generated
    # __init__ would run as interpreted Python (~50 spans per article).
    def __init__(self, start: int, end: int, text: str, passage: int, kind: MentionKind,
                 places: tuple[int, ...], cues: frozenset[str] = _NO_CUES, key: str = ""
                 ) -> None:
        self.start = start
        self.end = end
        self.text = text
        self.passage = passage
        self.kind = kind
        self.places = places
        self.cues = cues
        self.key = key


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


def _name_start(c: str) -> bool:
    return c.isalnum() and not c.isdecimal() and not c.islower()


def _non_latin(c: str) -> bool:
    return c.isalnum() and not c.isdecimal() and not (
        c.isascii() or "\u00c0" <= c <= "\u024f" or "\u1e00" <= c <= "\u1eff"
    )


@cache
def scanner() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(names, other scripts). Names: words whose first letter is no lowercase letter
    (capitals, and scripts without case). Other scripts: any letter outside Latin.
    Both start with a character class, which lets the regex engine skip ahead at C speed;
    a word boundary first would make it try every position. Built once (~20 ms)."""
    names = re.compile(char_class(_name_start, True, "name-start-1") + r"(?<!\w.)\w*")
    other = re.compile(char_class(_non_latin, False, "non-latin-1"))
    return names, other


ASCII_NAME = re.compile(r"[A-Z](?<!\w.)\w*")
"""The names scanner for ASCII text, where the only name-start characters are A-Z (a test
checks): a small class is checked faster."""

# German adjectives are lowercase ("russische", "westrussischen"): all of them end in -sch
# plus an ending, which a test checks against the adjective table. The regex finds the
# ending; the word's start is looked up backwards.
ADJECTIVE_END_DE = re.compile(r"sch(?:e[mnrs]?)?\b")


_span_of = re.Match.span


def candidate_words(text: str, backwards: str, language: str) -> list[Token]:
    """The words that may start a place mention, in text order (see `scanner`); in German
    also the lowercase words that may be adjectives."""
    names = ASCII_NAME if text.isascii() else scanner()[0]
    words = list(map(_span_of, names.finditer(text)))
    if language == "de":
        n = len(text)
        for m in ADJECTIVE_END_DE.finditer(text):
            word = TOKEN_RE.search(backwards, n - m.end())
            if word is not None and backwards[word.end() - 1].islower():
                bisect.insort(words, (n - word.end(), m.end()))  # a few into a sorted list
    return words


def find_spans(
    text: str, passages: Sequence[Passage], language: str, gazetteer: Gazetteer
) -> list[Span]:
    """Every span that looks like a place mention, in text order, without overlaps.

    Only the words that can start a name are visited (a regex finds them), and the words
    around them are read from the text when needed: most words of an article are never
    looked at, which keeps the scanner fast."""
    backwards = text[::-1]
    candidates = candidate_words(text, backwards, language)
    other_scripts = not text.isascii() and _other_script_names(text, candidates)
    if other_scripts:
        gazetteer.use_other_scripts()
    starts = [p.start for p in passages]
    words = context_words(language)
    spans: list[Span] = []
    names, prefixes, adjectives = gazetteer.names, gazetteer.prefixes, gazetteer.adjective_keys
    german = language == "de"
    stop = gazetteer.stop_keys.get(language, frozenset())
    locatives = words.locatives
    readings = _readings(gazetteer)
    trigger = UNKNOWN_TRIGGERS.get(language)
    resume = 0  # the end of the last span: candidates inside it are skipped
    for s, e in candidates:
        if s < resume:
            continue
        key = text[s:e].casefold()
        if text[s].islower():
            if key not in adjectives:
                continue
        elif key not in names and key not in prefixes and not (
            text[e : e + 1] == "." and key + "." in names  # "Ky." (only with its dot)
        ) and not (
            german and key[-1:] == "s" and key[:-1] in names
        ) and not (other_scripts and (key in gazetteer or gazetteer.is_prefix(key))):
            if trigger is None or not _after_trigger(text, s, trigger):
                continue  # most capitalised words follow no "in"/"nach": not even unknown
            unknown = _unknown_place(text, s, e, key, language, gazetteer)
            if unknown is not None:
                passage = max(0, bisect.bisect_right(starts, s) - 1)
                spans.append(_with_passage(unknown, passage))
            continue
        if key in stop and key not in prefixes and not _after_locative(text, backwards, s,
                                                                          locatives):
            continue  # "Die", "The", "Man": only small towns bear these names
        if key in names and key not in prefixes and text[e : e + 1] != ".":
            last, end, hits = s, e, gazetteer.hits(key)  # a one-word name that starts no other
        else:
            match = _longest_match(text, s, e, key, language, gazetteer)
            if match is None:
                continue
            last, end, key, hits = match
            if last == s and key in stop and not _after_locative(text, backwards, s, locatives):
                continue  # "Die Ministerin": a stop word that starts no longer name here
        if text.startswith(" (", end):
            last, end, key, hits = _qualified(text, s, last, end, key, hits, gazetteer)
        span = _classify(text, backwards, s, last, end, key, hits, language, gazetteer,
                         words, readings)
        if span is not None:
            passage = max(0, bisect.bisect_right(starts, s) - 1)
            spans.append(_with_passage(span, passage))
            resume = end
    return spans


def _other_script_names(text: str, candidates: list[Token]) -> bool:
    """Whether a word that may start a name has a letter outside Latin (Cyrillic, Arabic,
    Han…): only then are the names in those scripts worth a lookup. Checked on the
    candidates, not the whole text: far fewer characters for the regex engine to visit."""
    other = scanner()[1]
    return any(other.search(text, s, e) for s, e in candidates if not text[s:e].isascii())


def _token_before(text: str, backwards: str, pos: int) -> Token | None:
    """The word that ends before offset `pos` (skipping the characters between).
    `backwards` is text[::-1]: Python's regexes only search forwards, so the previous word
    is the next word of the reversed text."""
    n = len(text)
    m = TOKEN_RE.search(backwards, n - pos)
    return (n - m.end(), n - m.start()) if m is not None else None


def _token_after(text: str, pos: int) -> Token | None:
    """The word that starts at or after offset `pos`."""
    m = TOKEN_RE.search(text, pos)
    return m.span() if m is not None else None


def _after_locative(text: str, backwards: str, s: int, locatives: frozenset[str]) -> bool:
    before = _token_before(text, backwards, s)
    return before is not None and text[before[0] : before[1]].casefold() in locatives


UNKNOWN_TRIGGERS = {
    "de": ("in ", "nach ", "aus ", "bei ", "nahe "),
    "en": ("in ", "near "),
}
"""The words (with the one space after them) that make an unknown capitalised word worth
a look ("in Laafeld")."""


def _after_trigger(text: str, s: int, triggers: tuple[str, ...]) -> bool:
    """Whether one of `triggers`, a whole word in any case, ends right before offset `s`.
    This runs for most capitalised words of an article that name no known place: string
    methods, because a regex search costs several times as much for so short a look."""
    before = text[max(0, s - 6) : s].lower()
    for word in triggers:
        if before.endswith(word):
            k = s - len(word) - 1  # the character before the trigger word
            return k < 0 or not (text[k].isalnum() or text[k] == "_")
    return False


def _unknown_place(
    text: str, s: int, e: int, key: str, language: str, gaz: Gazetteer
) -> Span | None:
    """A capitalised word the gazetteer does not know, right after "in"/"nach"/"near" (the
    caller checks `UNKNOWN_TRIGGERS`), that is no ordinary word or given name ("in
    Laafeld"): a place an online geocoder may find."""
    word = text[s:e]
    common = gaz.common_words.get(language)
    if common is None or len(word) < 4 or not word.isalpha() or word.isupper():
        return None
    if key in common or key in gaz.first_names or _at_sentence_start(text, s):
        return None
    if text[e : e + 1] in ("'", "\u2019", "-"):
        return None  # "in Smith's house", "in Wien-Hietzing" (handled as a name)
    nxt = _adjacent_after(text, e)
    if nxt is not None and nxt[:1].isupper() and language != "de":
        return None  # "in Schneiderman Street": part of a longer name we cannot judge
    return Span(s, e, word, 0, "name", (), frozenset({"unknown", "locative"}), key)


def _key_of(surface: str) -> str:
    """`normalize` for a stretch of article text, which is NFC already: only typographic
    apostrophes and line breaks (the joiners U+2019 and "-\\n") need the full treatment."""
    if "\u2019" in surface or "\n" in surface:
        return normalize(surface)
    return surface.casefold()


def _with_passage(span: Span, passage: int) -> Span:
    span.passage = passage
    return span


QUALIFIER = re.compile(r" \((\w[\w .\-]{0,30})\)")
"""A qualifier in brackets right after a name: "Frankfurt (Oder)", "Halle (Saale)"."""


def _qualified(
    text: str, start: int, last: int, end: int, key: str, hits: tuple[Hit, ...], gaz: Gazetteer
) -> tuple[int, int, str, tuple[Hit, ...]]:
    """The name with its bracketed qualifier when the gazetteer knows them together
    ("Frankfurt (Oder)" is not Frankfurt am Main); else the name as matched."""
    m = QUALIFIER.match(text, end)
    if m is not None:
        qualified_key = _key_of(text[start : m.end()])
        qualified = gaz.hits(qualified_key)
        if qualified:
            return m.start(1), m.end(), qualified_key, qualified
    return last, end, key, hits


def _longest_match(
    text: str, start: int, first_end: int, first_key: str, language: str, gaz: Gazetteer
) -> tuple[int, int, str, tuple[Hit, ...]] | None:
    """The longest name of at most MAX_TOKENS words starting at `start`: (start of its last
    word, end offset, key, hits). `first_key` is the first word's casefolded text."""
    lead_article = first_key in ARTICLES
    best: tuple[int, int, str, tuple[Hit, ...]] | None = None
    s, end, key = start, first_end, first_key
    word_end = end  # `end` moves past a dot ("U.S."); the next word is read from here
    for n in range(MAX_TOKENS):
        if n > 0:
            if lead_article and text[s].islower():
                break  # "The river": a name that starts with an article keeps its words capitalised
            key = _key_of(text[start:end])
        hits = gaz.hits(key)
        if text[end : end + 1] == ".":  # "U.S.", "Ky.", "St."
            dotted = gaz.hits(key + ".")
            if dotted:
                hits, end, key = dotted, end + 1, key + "."
        if not hits and language == "de" and key.endswith("s") and len(key) > 4:
            # German genitive: "Russlands", "Nordkoreas", "des Kremls"
            hits = tuple(h for h in gaz.hits(key[:-1]) if h.kind in ("name", "metonym"))
            if hits:
                key = key[:-1]
        if hits:
            best = (s, end, key, hits)
        if not gaz.is_prefix(key.rstrip(".")):
            break
        joined = JOINED_WORD.match(text, word_end)  # the next word, if a joiner leads to it
        if joined is None:
            break
        s, word_end = joined.span(1)
        end = word_end
    return best


@dataclass(frozen=True, slots=True)
class _Reading:
    """What a name says on its own, before any context: its kind, places, and the cues
    that come from the word itself (a month, an ordinary word, a first name)."""

    kind: MentionKind
    places: tuple[int, ...]
    cues: frozenset[str]


ReadingCache = dict[tuple[str, str, str], "_Reading | None"]
_READINGS: weakref.WeakKeyDictionary[Gazetteer, ReadingCache] = weakref.WeakKeyDictionary()
READINGS_CACHE_SIZE = 50_000
ONE_WORD = re.compile(r"\w+\.?")


def _readings(gaz: Gazetteer) -> ReadingCache:
    """The per-gazetteer memo of `_read_name`: news repeats the same names."""
    cache = _READINGS.get(gaz)
    if cache is None or len(cache) > READINGS_CACHE_SIZE:
        cache = _READINGS[gaz] = {}
    return cache


def _read_name(
    surface: str, key: str, hits: tuple[Hit, ...], language: str, gaz: Gazetteer
) -> _Reading | None:
    """Apply the form filters; None when this form is no place whatever its context.
    Depends only on (surface, key, language): `hits` is the gazetteer's answer for them."""
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
    if kind == "name" and key in CALENDAR_WORDS.get(language, ()):
        cues.add("calendar")
    single = ONE_WORD.fullmatch(surface) is not None
    if kind == "name" and single and not (surface.isupper() and len(surface) > 1):
        zipf = gaz.common.get(key.rstrip("s") if key not in gaz.common else key)
        if zipf is not None:
            de_zipf, en_zipf = zipf
            z = de_zipf if language == "de" else en_zipf if language == "en" else max(zipf)
            if z >= COMMON_ZIPF:
                cues.add("common-word")
        if key in gaz.first_names:
            cues.add("first-name")
    return _Reading(kind, tuple(dict.fromkeys(places)), frozenset(cues))


def _classify(
    text: str,
    backwards: str,
    start: int,
    last: int,
    end: int,
    key: str,
    hits: tuple[Hit, ...],
    language: str,
    gaz: Gazetteer,
    words: ContextWords,
    readings: ReadingCache,
) -> Span | None:
    """The name's reading (memoised) plus the cues of its context; None when no place.
    `last` is the start of the span's last word (== start for a one-word name)."""
    surface = text[start:end]
    # A dateline in capitals ("PARIS, Texas —", "ROME (Reuters) —") names a place, not an
    # acronym: it is read as the name it spells.
    as_read = surface.title() if surface.isupper() and _is_dateline(text, start, end) else surface
    memo_key = (as_read, key, language)
    if memo_key in readings:
        reading = readings[memo_key]
    else:
        reading = readings[memo_key] = _read_name(as_read, key, hits, language, gaz)
    if reading is None:
        return None
    kind = reading.kind
    if kind != "name":
        # Adjectives and metonyms mean their place whatever surrounds them: no context cues.
        return Span(start, end, surface, 0, kind, reading.places, reading.cues, key)
    cues: set[str] = set()
    before = _adjacent_before(text, backwards, start)
    prev_word = text[before[0] : before[1]] if before is not None else None
    # After "U.S." or "D.C." the next word is read from the last letter, so ". " is a gap that
    # ends the name ("the D.C. Commission" is not "before-name").
    word_end = end - 1 if surface.endswith(".") else end
    next_word = _adjacent_after(text, word_end)
    prev_key = prev_word.casefold() if prev_word is not None else None  # one word: no spaces
    next_key = next_word.casefold() if next_word is not None else None
    if _looks_like_person(text, start, word_end, last == start, before, prev_word, prev_key,
                          next_word, next_key, gaz):
        # Part of a person's name is no place whatever else is around it (resolve.py drops
        # it first thing): no other cue is worth reading.
        return Span(start, end, surface, 0, kind, reading.places, reading.cues | PERSON, key)
    if prev_key is not None and prev_key in words.locatives:
        cues.add("locative")
    elif prev_key is not None and before is not None and prev_key in ARTICLES:
        # "in der Ukraine", "in the US"
        article = _adjacent_before(text, backwards, before[0])
        if article is not None and text[article[0] : article[1]].casefold() in words.locatives:
            cues.add("locative")
    own_words = key.split()
    marker = None
    if prev_key is not None and prev_key in words.before:
        marker = prev_key
    elif next_key is not None and next_key in words.after:
        marker = next_key
    elif len(own_words) > 1 and own_words[-1] in words.after:
        marker = own_words[-1]
    elif len(own_words) > 1 and own_words[0] in words.before:
        marker = own_words[0]
    if marker is not None:
        cues.add("region-word")  # "Gebiet Kursk", "Kursk region", "Orange County"
        if marker in words.city:
            cues.add("city-word")  # "Stadt Kursk", "Hafenstadt Wonsan", "city of Aleppo"
    if _at_sentence_start(text, start):
        cues.add("sentence-start")
    if prev_key is not None and prev_key in words.determiners:
        cues.add("determiner")  # "die Basis", "im Lauf", "the Mission": nouns, not towns
    if next_word is not None and next_word[:1].isupper() and language != "de":
        cues.add("before-name")  # "the Washington Post", "a New York court"
    return Span(start, end, surface, 0, kind, reading.places,
                reading.cues | cues if cues else reading.cues, key)


COMMON_ZIPF = 3.3
PERSON = frozenset({"person"})
DATELINE_AFTER = re.compile(r" ?[,(\u2014\u2013-]")


def _is_dateline(text: str, start: int, end: int) -> bool:
    """The name opens a line and a comma, bracket or dash follows: "BERLIN (dpa) -"."""
    return (start == 0 or text[start - 1] == "\n") and DATELINE_AFTER.match(text, end) is not None


def _adjacent_before(text: str, backwards: str, pos: int) -> Token | None:
    """The word right before offset `pos`, if only spaces on one line lie between (not a line
    break or punctuation). `backwards` is text[::-1]: the previous word is read forwards
    there."""
    n = len(text)
    m = ADJACENT_WORD.match(backwards, n - pos)
    return (n - m.end(1), n - m.start(1)) if m is not None else None


def _adjacent_after(text: str, pos: int) -> str | None:
    """The word right after offset `pos`, if only spaces on one line lie between."""
    m = ADJACENT_WORD.match(text, pos)
    return m.group(1) if m is not None else None


def _at_sentence_start(text: str, start: int) -> bool:
    k = start - 1
    while k >= 0 and text[k] in " \t":
        k -= 1
    return k < 0 or text[k] == "\n" or text[k] in SENTENCE_END


def _looks_like_person(
    text: str,
    start: int,
    end: int,
    single: bool,
    before: Token | None,
    prev_word: str | None,
    prev_key: str | None,
    next_word: str | None,
    next_key: str | None,
    gaz: Gazetteer,
) -> bool:
    """A name inside a person's name: "Wladimir Putin", "Kim Jong Un", "Andreas Vana",
    "President Lincoln", "Fiston Mwanza Mujila". Decided from the neighbouring words only.
    `before` is the word before the name, `prev_word`/`next_word` the adjacent words and
    `prev_key`/`next_key` the same casefolded."""
    if prev_word is None and "." in text[max(0, start - 3) : start]:
        abbreviated = ABBREVIATED_TITLE.search(text, max(0, start - 12), start)
        if abbreviated and abbreviated.group(1).casefold() in TITLES:
            return True  # "Gov. Mary Fallin", "Dr. Sydney Brenner"
    prev_cap = prev_word is not None and prev_word[:1].isupper()
    next_cap = next_word is not None and next_word[:1].isupper()
    if prev_key is not None and before is not None:
        if prev_key in TITLES:
            return True
        if prev_cap and prev_key in gaz.first_names and not (
            prev_key in gaz.function_words and _at_sentence_start(text, before[0])
        ):  # "Denzel Washington won", but not "In Halle wurde" or "May Britain leave"
            return not _is_major_place(gaz, prev_key)  # "Mary Adams", but not "Georgia Tech"
    if next_key is not None and next_key in NAME_PARTICLES:
        after = _token_after(text, end)
        third = _token_after(text, after[1]) if after is not None else None
        if after is not None and third is not None:
            s2, e2 = third
            if text[s2:e2][:1].isupper() and text[after[1] : s2] == " ":
                return True  # "Van der Bellen", "Costa de la Cruz": a surname
    if next_cap and single and next_key is not None:
        first = text[start:end].casefold()
        if (
            first in gaz.first_names
            and next_key not in organisation_words()  # "Aurora Fire Department"
            and not _is_major_place(gaz, next_key)
            and not _is_major_place(gaz, first)
        ):
            return True  # "Wladimir Putin", "Kim Jong", "Mary Adams": a first name, a surname
        if prev_cap and before is not None and not gaz.hits(next_key) and not _at_sentence_start(
            text, before[0]
        ):
            p = prev_key or ""
            return not gaz.hits(p) and p not in ARTICLES  # "Fiston Mwanza Mujila"
    return False


@lru_cache(maxsize=65_536)
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

"""Tests for storymap.recognize: candidate spans (offsets, passages, longest match, kinds) and
the context cues the resolver weighs. Which span survives is resolve.py's business; here a
span only has to be found, shaped right and carry the right evidence."""

from __future__ import annotations

import itertools

import pytest
from conftest import occurrence

from storymap import article
from storymap.gazetteer import Gazetteer
from storymap.recognize import Span, find_spans, region_words


def spans_of(gaz: Gazetteer, text: str, language: str | None = None) -> list[Span]:
    art = article.load(text, language=language)
    return find_spans(art.text, art.passages, art.language, gaz)


def span_at(spans: list[Span], text: str, word: str, nth: int = 0) -> Span:
    start, end = occurrence(text, word, nth)
    found = [s for s in spans if s.start < end and start < s.end]
    assert len(found) == 1, (word, [(s.text, s.start) for s in spans])
    return found[0]


def no_span(spans: list[Span], text: str, word: str) -> bool:
    start, end = occurrence(text, word)
    return not [s for s in spans if s.start < end and start < s.end]


DE = (
    "Russland schickt Truppen ins Gebiet Kursk\n"
    "Der Kreml bestätigte, dass nordkoreanische Soldaten nach Wonsan zurückkehren. "
    "Im Sommer hielt Präsident Lincoln eine Rede.\n"
    "Russlands Armee kämpft in der Ukraine und in Baden-Württemberg wird demonstriert."
)
EN = (
    "Storms hit New York and the Kursk region\n"
    "Officials in the U.S. met in March in Louisville, Ky., and in Downing Street. "
    "Reading the report, North Korean diplomats left."
)


@pytest.fixture(scope="module")
def de_spans(gaz: Gazetteer) -> list[Span]:
    return spans_of(gaz, DE, "de")


@pytest.fixture(scope="module")
def en_spans(gaz: Gazetteer) -> list[Span]:
    return spans_of(gaz, EN, "en")


@pytest.mark.parametrize(("text", "fixture"), [(DE, "de_spans"), (EN, "en_spans")])
def test_spans_are_sorted_disjoint_and_exact(
    request: pytest.FixtureRequest, text: str, fixture: str
) -> None:
    spans: list[Span] = request.getfixturevalue(fixture)
    passages = article.split_passages(text)
    assert spans
    for a, b in itertools.pairwise(spans):
        assert a.end <= b.start, (a.text, b.text)
    for s in spans:
        assert text[s.start : s.end] == s.text
        assert s.text == s.text.strip() and s.text
        p = passages[s.passage]
        assert p.start <= s.start < s.end <= p.end
        assert s.places, s.text
        assert len(set(s.places)) == len(s.places)
        assert s.kind in ("name", "adjective", "metonym")


def test_longest_match_wins(gaz: Gazetteer, de_spans: list[Span], en_spans: list[Span]) -> None:
    assert span_at(de_spans, DE, "Kursk").text == "Gebiet Kursk"
    assert span_at(de_spans, DE, "Baden-Württemberg").text == "Baden-Württemberg"
    assert span_at(en_spans, EN, "New York").text == "New York"
    assert span_at(en_spans, EN, "Downing Street").text == "Downing Street"
    assert span_at(en_spans, EN, "Kursk").text == "Kursk region"


def test_abbreviations_keep_their_dots(en_spans: list[Span]) -> None:
    assert span_at(en_spans, EN, "U.S.").text == "U.S."
    assert span_at(en_spans, EN, "Ky.").text == "Ky."


def test_kinds(de_spans: list[Span], en_spans: list[Span]) -> None:
    assert span_at(de_spans, DE, "Kreml").kind == "metonym"
    assert span_at(de_spans, DE, "nordkoreanische").kind == "adjective"
    assert span_at(de_spans, DE, "Russland").kind == "name"
    assert span_at(en_spans, EN, "North Korean").kind == "adjective"
    assert span_at(en_spans, EN, "Downing Street").kind == "metonym"


def test_german_genitive_maps_to_the_base_name(gaz: Gazetteer, de_spans: list[Span]) -> None:
    s = span_at(de_spans, DE, "Russlands")
    assert s.text == "Russlands"
    assert s.key == "russland"
    assert gaz.countries["RU"] in s.places


def test_passages(de_spans: list[Span]) -> None:
    assert span_at(de_spans, DE, "Russland").passage == 0
    assert span_at(de_spans, DE, "Wonsan").passage == 1
    assert span_at(de_spans, DE, "Ukraine").passage == 2


@pytest.mark.parametrize(
    ("word", "cue"),
    [
        ("Wonsan", "locative"),  # nach Wonsan
        ("Ukraine", "locative"),  # in der Ukraine: through the article
        ("Baden-Württemberg", "locative"),
        ("Kursk", "region-word"),  # Gebiet Kursk
        ("Kursk", "locative"),  # ins Gebiet Kursk
        ("Sommer", "determiner"),  # im Sommer
        ("Sommer", "common-word"),
        ("Lincoln", "person"),  # Präsident Lincoln
        ("Kreml", "sentence-start"),  # "Der Kreml" starts no sentence, "Der" does
    ],
)
def test_german_cues(de_spans: list[Span], word: str, cue: str) -> None:
    s = span_at(de_spans, DE, word)
    if cue == "sentence-start":
        assert cue not in s.cues
    else:
        assert cue in s.cues, (word, sorted(s.cues))


@pytest.mark.parametrize(
    ("word", "cue"),
    [
        ("March", "calendar"),
        ("March", "locative"),
        ("Kursk", "region-word"),
        ("Reading", "sentence-start"),
        ("Louisville", "locative"),
    ],
)
def test_english_cues(en_spans: list[Span], word: str, cue: str) -> None:
    s = span_at(en_spans, EN, word)
    assert cue in s.cues, (word, sorted(s.cues))


def test_no_locative_cue_without_a_preposition(de_spans: list[Span]) -> None:
    assert "locative" not in span_at(de_spans, DE, "Russland").cues
    assert "person" not in span_at(de_spans, DE, "Wonsan").cues


def test_first_name_cue(gaz: Gazetteer) -> None:
    text = "Kim Jong Un reiste am Montag ab."
    spans = spans_of(gaz, text, "de")
    kim = span_at(spans, text, "Kim")
    assert {"first-name", "person"} <= kim.cues


@pytest.mark.parametrize(
    "text",
    [
        "die basis der partei ist unruhig und wien liegt weit weg.",  # lowercase names
        "Wir gehen essen und danach nach hause.",
        "Um 12 Uhr essen wir, sagte er.",
    ],
)
def test_lowercase_words_are_no_names(gaz: Gazetteer, text: str) -> None:
    assert [s for s in spans_of(gaz, text, "de") if s.kind == "name"] == []


def test_lowercase_german_adjective_is_found(gaz: Gazetteer) -> None:
    text = "Die russische Regierung und die westrussischen Gebiete."
    spans = spans_of(gaz, text, "de")
    for word, cc in (("russische", "RU"), ("westrussischen", "RU")):
        s = span_at(spans, text, word)
        assert s.kind == "adjective" and gaz.countries[cc] in s.places


def test_region_words_table() -> None:
    words = region_words()
    assert {"gebiet", "oblast", "provinz", "bundesland"} <= words["before"]
    assert "region" in words["after"] or "county" in words["after"]


def test_empty_and_placeless_text(gaz: Gazetteer) -> None:
    assert find_spans("", (), "de", gaz) == []
    assert spans_of(gaz, "Heute regnet es den ganzen Tag.", "de") == []


def test_deterministic(gaz: Gazetteer) -> None:
    assert spans_of(gaz, DE, "de") == spans_of(gaz, DE, "de")


def test_mentions_at_text_edges(gaz: Gazetteer) -> None:
    text = "Wien"
    spans = spans_of(gaz, text, "de")
    assert [(s.start, s.end) for s in spans] == [(0, 4)]
    text = "Gespräche in Wien"
    spans = spans_of(gaz, text, "de")
    assert [(s.start, s.end) for s in spans] == [occurrence(text, "Wien")]


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Москва и Пхеньян подписали новый договор о сотрудничестве.", "Москва"),  # noqa: RUF001
        ("Η Αθήνα και η Μόσχα υπέγραψαν νέα συμφωνία.", "Μόσχα"),  # noqa: RUF001
    ],
    ids=["cyrillic", "greek"],
)
def test_names_in_other_scripts(gaz: Gazetteer, text: str, word: str) -> None:
    spans = spans_of(gaz, text)
    s = span_at(spans, text, word)
    assert s.kind == "name"


def test_every_german_adjective_form_is_a_scanned_word() -> None:
    """The scanner reads lowercase German words only when they look like adjectives (-sch plus
    an ending): every form the adjective table generates must look so, or it is never seen."""
    from storymap.gazetteer import GERMAN_ADJ_ENDINGS, read_table
    from storymap.recognize import candidate_words

    rows = [r for r in read_table("adjectives.tsv")
            if r.get("lang") == "de" and r.get("kind", "adjective") == "adjective"]
    assert len(rows) > 150
    for row in rows:
        for ending in GERMAN_ADJ_ENDINGS:
            word = (row["form"] + ending).lower().split("-")[-1]
            text = f"die {word} Armee"
            assert (4, 4 + len(word)) in candidate_words(text, text[::-1], "de"), word


def test_the_scanner_classes_match_their_definitions() -> None:
    """The precomputed character classes agree, character by character, with the rules
    they stand for: a name starts with a letter that is no lowercase letter (nor a digit),
    and "other scripts" are letters outside Latin."""
    import re

    from storymap.recognize import scanner

    names, other = scanner()
    word_start = re.compile(r"[^\W\d_]")
    non_latin = re.compile(r"[^\W\d_a-zA-Z\u00c0-\u024f\u1e00-\u1eff]")
    for code in range(0x10000):
        c = chr(code)
        starts_name = bool(word_start.match(c)) and not c.islower()
        assert bool(names.fullmatch(c)) == starts_name, hex(code)
        assert bool(other.fullmatch(c)) == bool(non_latin.match(c)), hex(code)


def test_the_ascii_scanner_finds_what_the_full_one_finds() -> None:
    """ASCII text is scanned with a small class; it must find exactly the same words."""
    from storymap.recognize import ASCII_NAME, scanner

    names, _ = scanner()
    ascii_text = "".join(chr(c) for c in range(128)) + " x2Rom St.Louis U.S. _Berlin a-Berlin"
    assert [m.span() for m in ASCII_NAME.finditer(ascii_text)] == [
        m.span() for m in names.finditer(ascii_text)
    ]
    for code in range(128):
        assert bool(ASCII_NAME.fullmatch(chr(code))) == bool(names.fullmatch(chr(code)))


def test_candidates_are_whole_words_after_any_separator(gaz: Gazetteer) -> None:
    text = "(Berlin)—Paris/Wien und x2Rom, Moskaus «Kreml» über Ölstädte"
    from storymap.recognize import candidate_words

    found = [text[s:e] for s, e in candidate_words(text, text[::-1], "de")]
    assert found == ["Berlin", "Paris", "Wien", "Moskaus", "Kreml", "Ölstädte"]


def test_lowercase_adjectives_and_capitalised_names_in_one_pass(gaz: Gazetteer) -> None:
    text = "Die westrussischen Dörfer und das russische Militär: in Kursk ist es ruhig."
    spans = spans_of(gaz, text, "de")
    found = [s.text for s in spans]
    assert found[-3:] == ["westrussischen", "russische", "Kursk"]  # and "Die", dropped later
    assert [s.kind for s in spans[-3:]] == ["adjective", "adjective", "name"]
    assert "locative" in span_at(spans, text, "Kursk").cues


@pytest.mark.parametrize("before, expected", [
    ("Er wohnt in ", True), ("In ", True), ("IN ", True), ("(nach ", True), ("\nnahe ", True),
    ("Berlin ", False), ("Latein ", False), ("in  ", False), ("in\n", False), ("x_in ", False),
    ("2in ", False), ("Haus ", False), ("heraus ", False), ("near ", True), ("linear ", False),
])
def test_after_trigger(before: str, expected: bool) -> None:
    from storymap.recognize import UNKNOWN_TRIGGERS, _after_trigger

    triggers = UNKNOWN_TRIGGERS["en" if "near" in before else "de"]
    assert _after_trigger(before + "Laafeld", len(before), triggers) is expected


@pytest.mark.parametrize("text, language, expected", [
    ("Die Ministerin sagte am Montag nichts.", "de", []),  # "Die" starts no longer name here
    ("In Berlin regnet es.", "de", ["Berlin"]),
    ("The Hague announced the ruling.", "en", ["The Hague"]),  # "the" starts a name here
    ("Sie reiste nach Die in Frankreich.", "de", ["Die", "Frankreich"]),  # after "nach"
])
def test_stop_words_only_start_names_or_follow_a_locative(
    gaz: Gazetteer, text: str, language: str, expected: list[str]
) -> None:
    art = article.load(text, language=language)
    found = [s.text for s in find_spans(art.text, art.passages, language, gaz)
             if s.kind == "name" and "calendar" not in s.cues]
    assert found == expected

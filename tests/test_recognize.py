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


def test_every_german_adjective_form_is_found(gaz: Gazetteer) -> None:
    """Lowercase German words are read only when they look like adjectives (-sch plus an
    ending): every form the adjective table generates must be found as an adjective."""
    from storymap.gazetteer import GERMAN_ADJ_ENDINGS, read_table

    rows = [r for r in read_table("adjectives.tsv")
            if r.get("lang") == "de" and r.get("kind", "adjective") == "adjective"]
    assert len(rows) > 150
    for row in rows:
        for ending in GERMAN_ADJ_ENDINGS:
            word = (row["form"] + ending).lower()
            if "-" in word or " " in word or word not in gaz.adjective_keys:
                continue  # "us-amerikanisch" starts at its first part; a row with no target
            text = f"die {word} Armee"
            spans = find_spans(text, article.split_passages(text), "de", gaz)
            assert [(s.start, s.end, s.kind) for s in spans] == [
                (4, 4 + len(word), "adjective")], word


@pytest.mark.parametrize(("text", "names"), [
    ("(Berlin)—Paris/Wien und x2Rom, Moskaus «Kreml» über Ölstädte",
     ["Berlin", "Paris", "Wien", "Moskaus", "Kreml"]),
    ("_Berlin a-Berlin Berlin_ St.Louis 2Wien", ["Berlin", "St.Louis"]),
    ("Er fuhr über Öhringen nach Überlingen.", ["Öhringen", "Überlingen"]),
])
def test_names_are_whole_words_after_any_separator(
    gaz: Gazetteer, text: str, names: list[str]
) -> None:
    """A name starts a word (after any punctuation) and ends one: "x2Rom" and "_Berlin" are
    no names; "a-Berlin" is the name after its hyphen."""
    spans = find_spans(text, article.split_passages(text), "de", gaz)
    found = [s.text for s in spans if s.kind in ("name", "metonym") and "person" not in s.cues]
    for name in names:
        assert name in found, (name, found)
    assert not any(s.text in ("x2Rom", "_Berlin", "Berlin_", "2Wien") for s in spans)


def test_lowercase_adjectives_and_capitalised_names_in_one_pass(gaz: Gazetteer) -> None:
    text = "Die westrussischen Dörfer und das russische Militär: in Kursk ist es ruhig."
    spans = spans_of(gaz, text, "de")
    found = [s.text for s in spans]
    assert found[-3:] == ["westrussischen", "russische", "Kursk"]  # and "Die", dropped later
    assert [s.kind for s in spans[-3:]] == ["adjective", "adjective", "name"]
    assert "locative" in span_at(spans, text, "Kursk").cues


@pytest.mark.parametrize("before, expected", [
    ("Er wohnt in ", True), ("Im Winter fuhr er nach ", True), ("Die Gäste kamen aus ", True),
    ("Ein Unfall (nahe ", True), ("Er wohnt im ", False), ("Sie wohnt in  ", False),
    ("Er wohnt in\n", False), ("Er wohnt x_in ", False), ("Er wohnt 2in ", False),
    ("Er wohnt im Haus ", False), ("Er kam heraus ", False), ("Sie lebt near ", False),
])
def test_an_unknown_word_after_in_or_nach_may_be_a_place(
    gaz: Gazetteer, before: str, expected: bool
) -> None:
    """ "in Laafeld": a capitalised word the gazetteer lacks, right after a whole "in",
    "nach", "aus" or "nahe" and one space, is kept for an online geocoder."""
    text = before + "Laafeld."
    spans = find_spans(text, article.split_passages(text), "de", gaz)
    assert any(s.text == "Laafeld" and "unknown" in s.cues for s in spans) is expected


@pytest.mark.parametrize("before, expected", [
    ("She lives in ", True), ("A fire broke out near ", True), ("She moved linear ", False),
    ("She lives in the ", False),
])
def test_an_unknown_word_after_in_or_near_in_english(
    gaz: Gazetteer, before: str, expected: bool
) -> None:
    text = before + "Laafeld."
    spans = find_spans(text, article.split_passages(text), "en", gaz)
    assert any(s.text == "Laafeld" and "unknown" in s.cues for s in spans) is expected


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


@pytest.mark.parametrize(("text", "genitive", "base"), [
    ("Die Wirtschaft Russlands wächst kaum.", "Russlands", "russland"),
    ("Nordkoreas Machthaber besuchte eine Fabrik.", "Nordkoreas", "nordkorea"),
    ("Ein Sprecher des Kremls schwieg.", "Kremls", "kreml"),
    ("Baden-Württembergs Ministerpräsident kam auch.", "Baden-Württembergs",
     "baden-württemberg"),
])
def test_a_german_genitive_is_its_place(
    gaz: Gazetteer, text: str, genitive: str, base: str
) -> None:
    spans = find_spans(text, article.split_passages(text), "de", gaz)
    s = span_at(spans, text, genitive)
    assert s.kind in ("name", "metonym")
    assert set(s.places) & {h.place for h in gaz.hits(base)}


@pytest.mark.parametrize(("text", "word"), [
    ("Jonas lobte die Mannschaft.", "Jonas"),  # a given name, not Jona + s
    ("Thomas sagte nichts dazu.", "Thomas"),
    ("Gestern sprach Markus mit der Presse.", "Markus"),
    ("Der Kreis will sparen.", "Kreis"),  # an ordinary word, not "Krei" + s
    ("Der Mars ist ein Planet.", "Mars"),
    ("Siemens und Mercedes investieren.", "Siemens"),  # organisations stay what they are
    ("Siemens und Mercedes investieren.", "Mercedes"),
])
def test_a_german_word_ending_in_s_is_no_invented_genitive(
    gaz: Gazetteer, text: str, word: str
) -> None:
    """Inflection must not invent places: an ending is stripped only where the base is the
    better reading (the form is neither a given name nor more frequent than its base)."""
    spans = find_spans(text, article.split_passages(text), "de", gaz)
    start = text.index(word)
    assert not any(s.start == start and s.key == word.casefold()[:-1] for s in spans)


@pytest.mark.parametrize(("text", "word"), [
    ("Texas passed the bill.", "Texas"),  # Texas is Texas, not Texa + s
    ("NASA plans a mission to Mars.", "Mars"),
    ("Siemens said profits rose.", "Siemens"),
    ("The Kennedys visited Boston.", "Kennedys"),
    ("Lukas Podolski scored twice.", "Lukas"),
])
def test_english_keeps_every_word_ending_in_s_whole(gaz: Gazetteer, text: str, word: str) -> None:
    """English has no -s genitive rule: a span is the word itself or nothing."""
    spans = find_spans(text, article.split_passages(text), "en", gaz)
    start = text.index(word)
    assert all(s.key != word.casefold()[:-1] for s in spans if s.start == start)
    if word == "Texas":
        assert span_at(spans, text, "Texas").key == "texas"

"""End-to-end tests of storymap.run: the acceptance test of issue 2 on the German seed article,
then short German and English news snippets (written for these tests) with hard cases.

Offsets are found in the text with regular expressions; places are checked by distance
(haversine) or by country and feature class, never by hard-coded ids or offsets. Hard cases
the core gets wrong today are strict xfails with the reason: when one starts passing, pytest
reports it, and the mark comes off.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from conftest import describe, km, mentions_over, occurrence, occurrences, place_at

from storymap.gazetteer import Gazetteer
from storymap.model import Story
from storymap.pipeline import run

MOSCOW = (55.7558, 37.6173)
PYONGYANG = (39.0339, 125.7543)
WONSAN = (39.15, 127.44)
KURSK = (51.7, 36.2)
WASHINGTON = (38.8951, -77.0364)
LONDON = (51.5074, -0.1278)
PARIS = (48.8566, 2.3522)
BERLIN = (52.52, 13.405)


def country_id(gaz: Gazetteer, cc: str) -> str:
    return gaz.place(gaz.countries[cc]).id


# -- acceptance: the seed article ---------------------------------------------------------


def test_seed_is_german_with_title_passage(seed_de_story: Story) -> None:
    assert seed_de_story.language == "de"
    assert seed_de_story.passages[0].text.startswith("Russland und Nordkorea")
    assert len(seed_de_story.passages) == 7


@pytest.mark.parametrize("cc", ["RU", "KP", "UA"])
def test_seed_countries(seed_de_story: Story, gaz: Gazetteer, cc: str) -> None:
    ids = {p.id for p in seed_de_story.places if p.feature == "country"}
    assert country_id(gaz, cc) in ids, describe(seed_de_story)


def test_seed_wonsan_in_passages_1_and_5(seed_de_story: Story) -> None:
    story = seed_de_story
    near = [p for p in story.places if km(p.lat, p.lon, *WONSAN) <= 10]
    assert len(near) == 1, describe(story)
    wonsan = near[0]
    assert wonsan.feature == "city"
    assert {m.passage for m in story.mentions_of(wonsan.id)} >= {1, 5}
    # and every occurrence of the word is that place
    for nth, (start, _) in enumerate(occurrences(story.article, "Wonsan")):
        mention, place = place_at(story, "Wonsan", nth)
        assert place.id == wonsan.id
        assert mention.kind == "name"
        assert story.passages[mention.passage].start <= start < story.passages[
            mention.passage].end


def test_seed_kursk_region_or_city(seed_de_story: Story) -> None:
    mention, place = place_at(seed_de_story, "Kursk")
    assert place.feature in ("region", "city")
    assert km(place.lat, place.lon, *KURSK) <= 100, describe(seed_de_story)
    assert place.country_code == "RU"
    assert mention.passage == 3


def test_seed_kreml_is_moscow_metonym(seed_de_story: Story) -> None:
    mention, place = place_at(seed_de_story, "Kreml")
    assert mention.kind == "metonym"
    assert place.feature == "city"
    assert km(place.lat, place.lon, *MOSCOW) <= 30


def test_seed_pyongyang_is_seat_of_north_korea(seed_de_story: Story, gaz: Gazetteer) -> None:
    kp = country_id(gaz, "KP")
    seat = seed_de_story.seat_of_government(kp)
    assert seat is not None, describe(seed_de_story)
    assert seat.seat_of == kp
    assert km(seat.lat, seat.lon, *PYONGYANG) <= 20
    # a seat shown for the country carries the country's mentions
    assert {m.place_id for m in seed_de_story.mentions_of(seat.id)} >= {kp}


def test_seed_moscow_is_seat_of_russia(seed_de_story: Story, gaz: Gazetteer) -> None:
    seat = seed_de_story.seat_of_government(country_id(gaz, "RU"))
    assert seat is not None
    assert km(seat.lat, seat.lon, *MOSCOW) <= 30


@pytest.mark.parametrize(
    ("word", "cc"),
    [
        ("russische", "RU"),
        ("russischen", "RU"),
        ("westrussischen", "RU"),
        ("nordkoreanischen", "KP"),
        ("nordkoreanische", "KP"),
        ("ukrainischen", "UA"),
    ],
)
def test_seed_adjectives_link_to_countries(
    seed_de_story: Story, gaz: Gazetteer, word: str, cc: str
) -> None:
    found = occurrences(seed_de_story.article, word)
    assert found
    for nth in range(len(found)):
        mention, place = place_at(seed_de_story, word, nth)
        assert mention.kind == "adjective", (word, nth)
        assert place.id == country_id(gaz, cc), (word, nth, describe(seed_de_story))


@pytest.mark.parametrize(
    "word", ["Wladimir", "Putin", "Putins", "Kim", "Jong", "Un", "Lawrow", "Rede", "Tass", "Sommer"]
)
def test_seed_no_place_from_people_and_common_words(seed_de_story: Story, word: str) -> None:
    found = occurrences(seed_de_story.article, word)
    assert found, word
    for start, end in found:
        assert not mentions_over(seed_de_story, start, end), (word, describe(seed_de_story))


def test_seed_every_mention_inside_its_passage(seed_de_story: Story) -> None:
    for m in seed_de_story.mentions:
        p = seed_de_story.passages[m.passage]
        assert p.index == m.passage
        assert p.start <= m.start < m.end <= p.end
        assert seed_de_story.article[m.start : m.end] == m.text


def test_seed_steps_follow_the_article(seed_de_story: Story) -> None:
    steps = seed_de_story.steps()
    assert [p.index for p, _ in steps] == sorted(p.index for p, _ in steps)
    assert steps[0][0].index == 0  # the title names Russia and North Korea
    assert all(places for _, places in steps)


def test_run_defaults_to_the_cached_gazetteer(seed_text: str, seed_de_story: Story) -> None:
    assert run(seed_text).to_dict() == seed_de_story.to_dict()


def test_language_override(gaz: Gazetteer) -> None:
    story = run("Berlin Paris Wien", language="de", gazetteer=gaz)
    assert story.language == "de"


# -- hard cases ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Resolves:
    """The nth occurrence of `word` is one mention resolving to a place that matches."""

    word: str
    cc: str | None = None
    feature: str | tuple[str, ...] | None = None
    near: tuple[float, float] | None = None
    radius: float = 25.0
    kind: str | None = None
    nth: int = 0


@dataclass(frozen=True)
class NoPlace:
    """No mention overlaps any whole-word occurrence of `word` (only the `nth`, if given)."""

    word: str
    nth: int | None = None


@dataclass(frozen=True)
class Seat:
    """The story shows the seat of government of country `cc` (place.seat_of)."""

    cc: str


@dataclass(frozen=True)
class NoSeat:
    cc: str


Expectation = Resolves | NoPlace | Seat | NoSeat


def check(story: Story, gaz: Gazetteer, expect: Expectation) -> None:
    if isinstance(expect, NoPlace):
        found = occurrences(story.article, expect.word)
        assert found, f"test text lacks {expect.word!r}"
        for start, end in found if expect.nth is None else [found[expect.nth]]:
            hit = mentions_over(story, start, end)
            assert not hit, f"{expect.word!r} became a place: {describe(story)}"
    elif isinstance(expect, Seat):
        seat = story.seat_of_government(country_id(gaz, expect.cc))
        assert seat is not None, f"no seat for {expect.cc}: {describe(story)}"
        assert seat.country_code == expect.cc
    elif isinstance(expect, NoSeat):
        seat = story.seat_of_government(country_id(gaz, expect.cc))
        assert seat is None, f"unexpected seat {seat}: {describe(story)}"
    else:
        mention, place = place_at(story, expect.word, expect.nth)
        context = f"{expect} but got {describe(story)}"
        if expect.kind is not None:
            assert mention.kind == expect.kind, context
        if expect.cc is not None:
            assert place.country_code == expect.cc, context
        if expect.feature is not None:
            allowed = (expect.feature,) if isinstance(expect.feature, str) else expect.feature
            assert place.feature in allowed, context
        if expect.near is not None:
            d = km(place.lat, place.lon, *expect.near)
            assert d <= expect.radius, f"{d:.0f} km off: {context}"


def xfail(reason: str) -> pytest.MarkDecorator:
    return pytest.mark.xfail(strict=True, reason=reason)


def case(
    case_id: str, lang: str, text: str, *expect: Expectation, fails: str = ""
) -> object:
    marks = [xfail(fails)] if fails else []
    return pytest.param(lang, text, expect, id=case_id, marks=marks)


PEOPLE = [
    case(
        "en-paris-hilton", "en",
        "Paris Hilton arrived in Los Angeles on Monday for the premiere of her new show.",
        NoPlace("Paris"), NoPlace("Hilton"), Resolves("Los Angeles", "US", near=(34.05, -118.24)),
    ),
    case(
        "en-mary-adams-said", "en",
        "Mary Adams said the school board in Boston would vote on the budget next week.",
        NoPlace("Mary"), NoPlace("Adams"), Resolves("Boston", "US", near=(42.36, -71.06)),
    ),
    case(
        "en-sentence-initial-people", "en",
        "Denzel Washington won the award on Sunday.\nWhitney Houston sang the anthem in "
        "Dallas.\nMay Britain stay close to Europe?",
        NoPlace("Washington"), NoPlace("Houston"), Resolves("Dallas", "US", "city"),
        Resolves("Britain", "GB", "country"),
    ),
    case(
        "de-anna-essen-nach-essen", "de",
        "Die Studentin Anna Essen zog im Herbst nach Essen, um dort Medizin zu studieren.",
        NoPlace("Essen", nth=0), Resolves("Essen", "DE", "city", near=(51.46, 7.01), nth=1),
    ),
    case(
        "de-praesident-lincoln", "de",
        "Präsident Lincoln wurde 1809 in Kentucky geboren, erinnerte der Historiker.",
        NoPlace("Lincoln"), Resolves("Kentucky", "US", "region"),
    ),
    case(
        "de-kim-jong-un", "de",
        "Kim Jong Un besuchte am Montag eine Munitionsfabrik. Nordkoreas Machthaber lobte "
        "die Arbeiter für ihren Einsatz.",
        NoPlace("Kim"), NoPlace("Jong"), NoPlace("Un"),
        Resolves("Nordkoreas", "KP", "country", kind="name"),
    ),
    case(
        "de-andreas-vana-orf", "de",
        "Andreas Vana von der ORF berichtete aus Graz über die Landtagswahl in der Steiermark.",
        NoPlace("Andreas"), NoPlace("Vana"), NoPlace("ORF"),
        Resolves("Graz", "AT", "city", near=(47.07, 15.44)),
        Resolves("Steiermark", "AT", "region"),
    ),
    case(
        "en-vladimir-putin", "en",
        "Vladimir Putin met Xi Jinping in Beijing on Tuesday, state media reported.",
        NoPlace("Vladimir"), NoPlace("Putin"), NoPlace("Xi"),
        Resolves("Beijing", "CN", near=(39.91, 116.40)),
    ),
    case(
        "de-kim-und-wladimir-putin", "de",
        "Kim Jong Un und Wladimir Putin trafen sich in Wonsan zu einem zweitägigen Gipfel.",
        NoPlace("Kim"), NoPlace("Wladimir"), NoPlace("Putin"),
        Resolves("Wonsan", "KP", near=WONSAN, radius=10),
    ),
    case(
        "de-kim-rede-tass", "de",
        "Kim sagte, die Rede sei ein großer Erfolg gewesen, meldete die Agentur Tass am Abend.",
        NoPlace("Kim"), NoPlace("Rede"), NoPlace("Tass"),
    ),
]

COMMON_WORDS = [
    case(
        "de-sommer-rede", "de",
        "Im Sommer hielt die Ministerin die Rede zur Lage der Nation in München.",
        NoPlace("Sommer"), NoPlace("Rede"), Resolves("München", "DE", near=(48.14, 11.58)),
    ),
    case(
        "de-lauf-der-zeit-basis", "de",
        "Im Lauf der Zeit ist die Basis der Partei in Sachsen unruhig geworden.",
        NoPlace("Lauf"), NoPlace("Basis"), Resolves("Sachsen", "DE", "region"),
    ),
    case(
        "de-beim-essen", "de",
        "Beim Essen mit Journalisten in Hamburg sprach der Minister über die Rente.",
        NoPlace("Essen"), Resolves("Hamburg", "DE", near=(53.55, 9.99)),
    ),
    case(
        "de-in-essen", "de",
        "Die Messe in Essen zieht jedes Jahr Tausende Besucher an, sagte eine Sprecherin "
        "in Düsseldorf.",
        Resolves("Essen", "DE", "city", near=(51.46, 7.01)),
        Resolves("Düsseldorf", "DE", near=(51.22, 6.78)),
    ),
    case(
        "de-die-halle", "de",
        "Die Halle war bis auf den letzten Platz gefüllt, als die Band die Bühne betrat.",
        NoPlace("Halle"),
    ),
    case(
        "de-in-halle", "de",
        "In Halle wurde am Sonntag ein neuer Oberbürgermeister gewählt, die Beteiligung "
        "lag bei 40 Prozent.",
        Resolves("Halle", "DE", "city", near=(51.48, 11.97)),
    ),
    case(
        "en-in-march", "en",
        "The city council met in March to discuss the budget, officials in Denver said.",
        NoPlace("March"), Resolves("Denver", "US", near=(39.74, -104.99)),
    ),
    case(
        "en-the-mission", "en",
        "The Mission said in a statement that talks would resume in Geneva next week.",
        NoPlace("Mission"), Resolves("Geneva", "CH", near=(46.20, 6.14)),
    ),
    case(
        "en-reading-the-report", "en",
        "Reading the report, the mayor said the town would appeal the ruling.",
        NoPlace("Reading"),
    ),
    case(
        "en-in-reading-berkshire", "en",
        "The festival returns to Reading, Berkshire, in August with three stages.",
        Resolves("Reading", "GB", "city", near=(51.45, -0.97), radius=10),
    ),
    case(
        "en-mayor-of-reading-berkshire", "en",
        "The mayor of Reading, Berkshire, opened the new library on Saturday.",
        Resolves("Reading", "GB", "city", near=(51.45, -0.97), radius=10),
        Resolves("Berkshire", "GB", "region"),
    ),
    case(
        "en-uk-counties", "en",
        "Floods hit Yorkshire and Cheshire, and roads in County Down were closed.",
        Resolves("Yorkshire", "GB", "region"), Resolves("Cheshire", "GB", "region"),
        Resolves("County Down", "GB", "region"),
    ),
]

COMMON_WORDS += [
    case(
        "en-city-alone", "en",
        "City agencies met on Tuesday, and City fans cheered the team bus in Liverpool.",
        NoPlace("City"), Resolves("Liverpool", "GB", "city"),
    ),
]

FORMS = [
    case(
        "de-genitives", "de",
        "Russlands Außenminister reiste nach Pjöngjang. Nordkoreas Führung empfing ihn mit "
        "allen Ehren.",
        Resolves("Russlands", "RU", "country", kind="name"),
        Resolves("Pjöngjang", "KP", "city", near=PYONGYANG),
        Resolves("Nordkoreas", "KP", "country", kind="name"),
    ),
    case(
        "en-possessive-and-demonym", "en",
        "Russia's foreign minister arrived in Pyongyang, where North Korean officials "
        "greeted him at the airport.",
        Resolves("Russia's", "RU", "country", kind="name"),
        Resolves("Pyongyang", "KP", near=PYONGYANG),
        Resolves("North Korean", "KP", "country", kind="adjective"),
    ),
    case(
        "de-adjectives", "de",
        "Die US-amerikanische Regierung kritisierte die nordkoreanischen Raketentests, die "
        "auch in den westrussischen Grenzregionen Sorgen auslösen.",
        Resolves("US-amerikanische", "US", "country", kind="adjective"),
        Resolves("nordkoreanischen", "KP", "country", kind="adjective"),
        Resolves("westrussischen", "RU", "country", kind="adjective"),
    ),
    case(
        "de-wiener-steirisch", "de",
        "Der Wiener Bürgermeister traf den steirischen Landeshauptmann am Montag in Graz.",
        Resolves("Wiener", "AT", near=(48.21, 16.37), kind="adjective"),
        Resolves("steirischen", "AT", "region", kind="adjective", near=(47.25, 15.0),
                 radius=100),
        Resolves("Graz", "AT", near=(47.07, 15.44)),
    ),
    case(
        "en-adjectives", "en",
        "Ukrainian drones struck an oil depot inside Russia, and German officials in Berlin "
        "called for restraint.",
        Resolves("Ukrainian", "UA", "country", kind="adjective"),
        Resolves("German", "DE", "country", kind="adjective"),
        Resolves("Berlin", "DE", near=BERLIN),
    ),
    case(
        "de-language-noun-is-no-place", "de",
        "Sie spricht fließend Türkisch und Englisch und arbeitet in Köln.",
        NoPlace("Türkisch"), NoPlace("Englisch"), Resolves("Köln", "DE", near=(50.94, 6.96)),
    ),
]

METONYMS = [
    case(
        "de-kreml-weisses-haus", "de",
        "Der Kreml wies die Vorwürfe zurück. Das Weiße Haus reagierte gelassen auf die "
        "Erklärung aus Moskau.",
        Resolves("Kreml", "RU", near=MOSCOW, kind="metonym"),
        Resolves("Weiße Haus", "US", near=WASHINGTON, kind="metonym"),
        Resolves("Moskau", "RU", near=MOSCOW, kind="name"),
    ),
    case(
        "en-downing-street-white-house-elysee", "en",
        "Downing Street declined to comment, while the White House said the Élysée had been "
        "briefed in advance.",
        Resolves("Downing Street", "GB", near=LONDON, kind="metonym"),
        Resolves("White House", "US", near=WASHINGTON, kind="metonym"),
        Resolves("Élysée", "FR", near=PARIS, kind="metonym"),
    ),
    case(
        "de-kremls-genitive", "de",
        "Ein Sprecher des Kremls bestätigte das Treffen.",
        Resolves("Kremls", "RU", near=MOSCOW, kind="metonym"),
    ),
    case(
        "en-kremlin", "en",
        "The Kremlin denied the report on Thursday.",
        Resolves("Kremlin", "RU", near=MOSCOW, kind="metonym"),
    ),
]

ABBREVIATIONS = [
    case(
        "en-us-uk-bc-ky", "en",
        "The U.S. and the UK signed the agreement. Officials in Vancouver, B.C., welcomed it, "
        "as did tobacco growers in Louisville, Ky.",
        Resolves("U.S.", "US", "country"),
        Resolves("UK", "GB", "country"),
        Resolves("Vancouver", "CA", near=(49.25, -123.12)),
        Resolves("B.C.", "CA", "region"),
        Resolves("Louisville", "US", near=(38.25, -85.76)),
        Resolves("Ky.", "US", "region", near=(37.5, -85.3), radius=250),
    ),
    case(
        "de-eu", "de",
        "Die EU verhängte am Montag neue Sanktionen gegen Russland.",
        Resolves("EU", feature=("continent", "region", "other"), near=(50.85, 4.35),
                 radius=1000),
    ),
]

CONTEXT = [
    case(
        "en-paris-texas", "en",
        "Paris, Texas, is a small city where the annual festival drew thousands of visitors.",
        Resolves("Paris", "US", "city", near=(33.66, -95.56)),
        Resolves("Texas", "US", "region"),
    ),
    case(
        "en-lamar-county-texas", "en",
        "Paris, Texas, is the seat of Lamar County, where the festival drew thousands.",
        Resolves("Lamar County", "US", near=(33.67, -95.57), radius=60),
    ),
    case(
        "en-paris-french-story", "en",
        "Macron returned to Paris after the summit in Brussels, the French president's "
        "office said.",
        Resolves("Paris", "FR", "city", near=PARIS),
    ),
    case(
        "de-paris-frankreich", "de",
        "Präsident Macron kehrte nach Paris zurück; in Frankreich wächst der Unmut über die "
        "Rentenreform.",
        Resolves("Paris", "FR", "city", near=PARIS),
        Resolves("Frankreich", "FR", "country"),
    ),
    case(
        "en-london-ontario", "en",
        "The concert in London, Ontario, sold out within minutes, organizers said.",
        Resolves("London", "CA", "city", near=(42.98, -81.25)),
        Resolves("Ontario", "CA", "region"),
    ),
    case(
        "en-london-alone", "en",
        "Police in London arrested three men after the protest outside Parliament.",
        Resolves("London", "GB", "city", near=LONDON),
    ),
    case(
        "en-portland-maine", "en",
        "The ferry from Portland, Maine, to Nova Scotia resumed service on Friday.",
        Resolves("Portland", "US", "city", near=(43.66, -70.26)),
        Resolves("Maine", "US", "region"),
    ),
    case(
        "en-portland-oregon", "en",
        "Heavy rain soaked Portland, Oregon, on Monday, and forecasters expect more.",
        Resolves("Portland", "US", "city", near=(45.52, -122.68)),
        Resolves("Oregon", "US", "region"),
    ),
    case(
        "en-one-sense-portland", "en",
        "The ferry from Portland, Maine, resumed service. In Portland, the harbour master "
        "welcomed the decision.",
        Resolves("Portland", "US", near=(43.66, -70.26), nth=0),
        Resolves("Portland", "US", near=(43.66, -70.26), nth=1),
    ),
    case(
        "en-georgia-country", "en",
        "Russian troops massed near the border with Georgia, officials in Tbilisi said.",
        Resolves("Georgia", "GE", "country"),
        Resolves("Tbilisi", "GE", near=(41.69, 44.83)),
    ),
    case(
        "en-georgia-us-state", "en",
        "The governor of Georgia signed the bill in Atlanta on Friday.",
        Resolves("Georgia", "US", "region"),
        Resolves("Atlanta", "US", near=(33.75, -84.39)),
    ),
    case(
        "de-gebiet-kursk", "de",
        "Die Behörden im Gebiet Kursk meldeten in der Nacht neue Drohnenangriffe.",
        Resolves("Kursk", "RU", "region", near=KURSK, radius=100),
    ),
    case(
        "en-kursk-region", "en",
        "Officials in the Kursk region said drones had hit a power substation overnight.",
        Resolves("Kursk", "RU", "region", near=KURSK, radius=100),
    ),
    case(
        "de-stadt-kursk", "de",
        "Die Stadt Kursk liegt rund 100 Kilometer von der ukrainischen Grenze entfernt.",
        Resolves("Kursk", "RU", "city", near=(51.73, 36.19), radius=10),
    ),
]

REGIONS = [
    case(
        "en-us-and-canadian-regions", "en",
        "Storms swept through Texas, Ohio and Alberta over the weekend, cutting power to "
        "thousands.",
        Resolves("Texas", "US", "region", near=(31.0, -99.0), radius=400),
        Resolves("Ohio", "US", "region", near=(40.3, -82.8), radius=200),
        Resolves("Alberta", "CA", "region", near=(54.0, -115.0), radius=500),
    ),
    case(
        "de-bundeslaender", "de",
        "Bayern und Tirol wollen beim Transitverkehr enger zusammenarbeiten; auch die "
        "Steiermark ist an den Gesprächen beteiligt.",
        Resolves("Bayern", "DE", "region", near=(48.9, 11.4), radius=150),
        Resolves("Tirol", "AT", "region", near=(47.2, 11.3), radius=100),
        Resolves("Steiermark", "AT", "region", near=(47.25, 15.0), radius=100),
    ),
    case(
        "de-suedtirol", "de",
        "Wanderer in Tirol und Südtirol sollen vorsichtig sein, warnte die Bergrettung in "
        "Innsbruck.",
        Resolves("Tirol", "AT", "region"),
        Resolves("Südtirol", "IT", near=(46.5, 11.35), radius=100),
        Resolves("Innsbruck", "AT", near=(47.26, 11.39)),
    ),
    case(
        "de-river-donau", "de",
        "Der Pegel der Donau stieg in Passau über acht Meter.",
        Resolves("Donau", feature="water"),
        Resolves("Passau", "DE", near=(48.57, 13.43)),
    ),
]

CONTINENTS = [
    case(
        "de-afrika-europa", "de",
        "Immer mehr Menschen fliehen aus Afrika nach Europa, sagte die Ministerin.",
        Resolves("Afrika", feature="continent"),
        Resolves("Europa", feature="continent", near=(50.0, 10.0), radius=1500),
    ),
    case(
        "en-europe", "en",
        "Leaders across Europe reacted with alarm to the decision.",
        Resolves("Europe", feature="continent"),
    ),
]

HISTORICAL_STATES = [
    case(
        "de-ddr-sowjetunion", "de",
        "Nach dem Mauerfall löste sich die DDR auf; zwei Jahre später zerfiel auch die "
        "Sowjetunion. Viele sowjetische Soldaten blieben noch in Brandenburg.",
        Resolves("DDR", feature="region", near=(52.5, 12.5), radius=200),
        Resolves("Sowjetunion", feature="region"),
        Resolves("sowjetische", kind="adjective", feature="region"),
        Resolves("Brandenburg", "DE"),
    ),
    case(
        "de-jugoslawien-osmanisch", "de",
        "Der Zerfall Jugoslawiens begann 1991. Die Brücke in Mostar stammt aus osmanischer Zeit.",
        Resolves("Jugoslawiens", feature="region", near=(44.0, 18.5), radius=300),
        Resolves("osmanischer", kind="adjective", feature="region"),
        Resolves("Mostar", "BA"),
    ),
    case(
        "en-ussr-yugoslav", "en",
        "The former Soviet republic left the USSR in 1991, while the Yugoslav army moved into "
        "Croatia and Czechoslovakia prepared to split.",
        Resolves("Soviet", kind="adjective", feature="region"),
        Resolves("USSR", feature="region", near=(60.0, 100.0), radius=500),
        Resolves("Yugoslav", kind="adjective", feature="region"),
        Resolves("Czechoslovakia", feature="region"),
        Resolves("Croatia", "HR", "country"),
    ),
]

# Cities named like a small region elsewhere (Jamaica's parishes are ISO regions too): the
# region's size, not its kind alone, decides.
NAMESAKES = [
    case(
        "en-manchester", "en",
        "Fans in Manchester celebrated the league title until late on Sunday night.",
        Resolves("Manchester", "GB", "city", near=(53.48, -2.24)),
    ),
    case(
        "en-portland", "en",
        "Police in Portland said the protest had ended peacefully.",
        Resolves("Portland", "US", "city"),
    ),
    case(
        "de-manchester", "de",
        "Der Verein aus Manchester gewann das Finale in Granada.",
        Resolves("Manchester", "GB", "city", near=(53.48, -2.24)),
        Resolves("Granada", "ES", "city", near=(37.18, -3.6)),
    ),
    case(
        "en-portland-maine", "en",
        "A man from Portland was charged after the crash, police in South Portland said. "
        "Maine State Police are investigating.",
        Resolves("Portland", "US", "city", near=(43.66, -70.26), radius=50),
        Resolves("Maine", "US", "region"),
    ),
    case(
        "en-us-states-stay-states", "en",
        "Voters in Georgia, Vermont and Wyoming go to the polls on Tuesday.",
        Resolves("Georgia", "US", "region"),
        Resolves("Vermont", "US", "region"),
        Resolves("Wyoming", "US", "region"),
    ),
]

# US local news, where the biggest namesake is often wrong and a town shares its name with
# given names and institutions.
US_LOCAL = [
    case(
        "en-aurora-fire-department", "en",
        "Fire crews in Aurora battled a blaze on Tuesday. The Aurora Fire Department said the "
        "house was a total loss; Denver sent two extra engines.",
        Resolves("Aurora", "US", "city", near=(39.73, -104.83), radius=30),
        Resolves("Denver", "US", "city"),
    ),
    case(
        "en-fayette-county-kentucky", "en",
        "The Lexington city council approved the budget. Fayette County schools will get more "
        "money, officials in Louisville said.",
        Resolves("Fayette County", "US", "region", near=(38.04, -84.46), radius=60),
        Resolves("Louisville", "US", "city", near=(38.25, -85.76)),
    ),
    case(
        "en-athens-georgia", "en",
        "A man from Athens was arrested in Oconee County, Georgia, authorities said on Friday.",
        Resolves("Athens", "US", "city", near=(33.96, -83.38), radius=30),
        Resolves("Georgia", "US", "region"),
    ),
    case(
        "en-columbia-kentucky", "en",
        "COLUMBIA, Ky. - Deputies arrested a man from Edmonton after a crash in Adair County. "
        "The driver was taken to a hospital in Columbia.",
        Resolves("COLUMBIA", "US", "city", near=(37.1, -85.31), radius=30),
        Resolves("Edmonton", "US", "city", near=(36.98, -85.61), radius=30),
        Resolves("Columbia", "US", "city", near=(37.1, -85.31), radius=30),
    ),
    case(
        "en-jackson-county-missouri", "en",
        "Kansas City officials said the stadium vote would happen in April. Jackson County "
        "legislators disagreed.",
        Resolves("Jackson County", "US", "region", near=(39.01, -94.35), radius=60),
    ),
    case(
        "en-newport-wales", "en",
        "A councillor in Newport, South Wales, said the bypass would ease traffic to Cardiff.",
        Resolves("Newport", "GB", near=(51.58, -2.99), radius=20),
        Resolves("Cardiff", "GB", near=(51.48, -3.18), radius=20),
    ),
]

# Short forms that news uses for a country.
SHORT_FORMS = [
    case(
        "de-korea", "de",
        "Korea führt die Liste vor Israel und Japan an, Taiwan folgt auf Platz vier.",
        Resolves("Korea", "KR", "country"), Resolves("Japan", "JP", "country"),
    ),
    case(
        "en-korean-north-korean", "en",
        "Korean exporters cheered the deal, while North Korean media ignored it.",
        Resolves("Korean", "KR", kind="adjective"),
        Resolves("North Korean", "KP", kind="adjective"),
    ),
]

# Datelines in capitals are places, though short capitals are usually acronyms ("AP", "NATO").
DATELINES = [
    case(
        "en-dateline-paris-texas", "en",
        "PARIS, Texas \u2014 The festival drew thousands of visitors, the AP reported.",
        Resolves("PARIS", "US", "city", near=(33.66, -95.56), radius=30), NoPlace("AP"),
    ),
    case(
        "en-dateline-rome", "en",
        "ROME (Reuters) \u2014 The pope spoke to pilgrims on Sunday.",
        Resolves("ROME", "IT", "city", near=(41.89, 12.48)),
    ),
    case(
        "de-dateline-bonn", "de",
        "BONN (dpa) - Die Stadt feiert ihr Jubiläum mit einem großen Fest.",
        Resolves("BONN", "DE", "city", near=(50.73, 7.1)),
    ),
    case(
        "en-nato-opens-a-line", "en",
        "NATO, the military alliance, met in Brussels on Thursday.",
        NoPlace("NATO"), Resolves("Brussels", "BE", "city"),
    ),
]

# German local news: bracketed qualifiers and small towns whose name is theirs alone.
DE_LOCAL = [
    case(
        "de-frankfurt-oder", "de",
        "Frankfurt (Oder) und Słubice feiern ihr Brückenfest. Viele Gäste kamen aus Cottbus.",
        Resolves("Frankfurt (Oder)", "DE", "city", near=(52.35, 14.55)),
        Resolves("Cottbus", "DE", "city"),
    ),
    case(
        "de-halle-saale", "de",
        "In Halle (Saale) wurde ein neues Museum eröffnet.",
        Resolves("Halle (Saale)", "DE", "city", near=(51.48, 11.97)),
    ),
    case(
        "de-donauwoerth", "de",
        "Der Gemeinderat tagte am Montag bis spät in die Nacht. Auch Donauwörth will sparen.",
        Resolves("Donauwörth", "DE", "city", near=(48.72, 10.78)),
    ),
    case(
        "en-el-nino", "en",
        "El Niño brought heavy rain to the coast this winter, forecasters said.",
        NoPlace("El Niño"),
    ),
]

# Other Latin-script languages: their short words ("En", "A") are no given names.
OTHER_LANGUAGES = [
    case(
        "es-en-madrid", "es",
        "El presidente viajó a Sevilla. En Madrid, miles de personas protestaron frente al "
        "Congreso.",
        Resolves("Sevilla", "ES", "city"), Resolves("Madrid", "ES", "city"),
    ),
    case(
        "it-a-roma", "it",
        "Il presidente è andato a Milano. A Roma migliaia di persone hanno protestato.",
        Resolves("Milano", "IT", "city"), Resolves("Roma", "IT", "city", near=(41.89, 12.48)),
    ),
    case(
        "fr-a-lyon", "fr",
        "Le ministre s'est rendu à Lyon, puis à Marseille, avant de rentrer à Paris.",
        Resolves("Lyon", "FR", "city"), Resolves("Marseille", "FR", "city"),
        Resolves("Paris", "FR", "city"),
    ),
]

OTHER_SCRIPTS = [
    case(
        "ru-moskva", "ru",
        "Москва и Пхеньян подписали новый договор о сотрудничестве.",  # noqa: RUF001
        Resolves("Москва", "RU", near=MOSCOW),
    ),
]

SEATS = [
    case(
        "de-countries-acting", "de",
        "Russland und Nordkorea schmieden engere Allianzen.",
        Resolves("Russland", "RU", "country"), Resolves("Nordkorea", "KP", "country"),
        Seat("RU"), Seat("KP"),
    ),
    case(
        "de-locative-no-seat", "de",
        "Viele Familien machen auch in diesem Jahr in Spanien Urlaub.",
        Resolves("Spanien", "ES", "country"), NoSeat("ES"),
    ),
    case(
        "en-countries-acting", "en",
        "China warned Japan against interfering in the dispute.",
        Seat("CN"), Seat("JP"),
    ),
    case(
        "en-locative-no-seat", "en",
        "Tourists flock to Spain every summer, and many stay in Portugal.",
        NoSeat("ES"), NoSeat("PT"),
    ),
    case(
        "de-seat-is-not-capital", "de",
        "Die Niederlande kündigten neue Grenzkontrollen an.",
        Seat("NL"),
    ),
]


@pytest.mark.parametrize(
    ("lang", "text", "expect"),
    PEOPLE + COMMON_WORDS + FORMS + METONYMS + ABBREVIATIONS + CONTEXT + REGIONS + CONTINENTS
    + HISTORICAL_STATES + NAMESAKES + US_LOCAL + SHORT_FORMS + DATELINES + DE_LOCAL
    + OTHER_LANGUAGES + OTHER_SCRIPTS + SEATS,
)
def test_hard_case(
    geoparse: Callable[..., Story],
    gaz: Gazetteer,
    lang: str,
    text: str,
    expect: tuple[Expectation, ...],
) -> None:
    story = geoparse(text)
    assert story.language == lang, f"detected {story.language!r}"
    for e in expect:
        check(story, gaz, e)


def test_seat_in_the_hague_not_amsterdam(geoparse: Callable[..., Story], gaz: Gazetteer) -> None:
    story = geoparse("Die Niederlande kündigten neue Grenzkontrollen an.")
    seat = story.seat_of_government(country_id(gaz, "NL"))
    assert seat is not None
    assert km(seat.lat, seat.lon, 52.08, 4.30) <= 15  # The Hague


def test_annotate_place_is_the_country_point_not_its_seat(gaz: Gazetteer) -> None:
    story = run("Russland und Nordkorea schmieden engere Allianzen.", gazetteer=gaz)
    start, end = occurrence(story.article, "Nordkorea")
    (mention,) = mentions_over(story, start, end)
    assert mention.place_id == country_id(gaz, "KP")


@pytest.mark.parametrize(("word", "text"), [
    ("Casablanca", "Der Flug nach Casablanca war ausgebucht, hieß es am Flughafen."),
    ("Mailand", "In Mailand demonstrierten am Samstag Tausende gegen die Reform."),
])
def test_a_city_is_labelled_as_the_text_names_it(
    geoparse: Callable[..., Story], word: str, text: str
) -> None:
    """A city's stored German label is only wordfreq's guess; the article's own form wins."""
    story = geoparse(text, "de")
    _, place = place_at(story, word)
    assert place.label("de") == word


def test_a_shouted_dateline_keeps_the_citys_name(geoparse: Callable[..., Story]) -> None:
    story = geoparse("BOSTON (AP) \u2014 The city council in Boston voted on Tuesday.", "en")
    _, place = place_at(story, "BOSTON")
    assert place.label("en") == "Boston"


def test_a_seat_is_its_place_with_seat_of(gaz: Gazetteer) -> None:
    from dataclasses import replace

    story = run("Nordkorea schmiedet Allianzen mit Russland.", language="de", gazetteer=gaz)
    seats = [p for p in story.places if p.seat_of]
    assert {p.seat_of for p in seats} == {country_id(gaz, "KP"), country_id(gaz, "RU")}
    for seat in seats:
        assert seat.country_code is not None
        plain = gaz.place(gaz.seats[seat.country_code])
        assert replace(seat, seat_of=None, labels=plain.labels) == plain

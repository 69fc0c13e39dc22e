"""Hand-built stories for render/export tests: the German seed article, a hostile article and
synthetic stories of any size. Offsets are always computed from the text, never written down.
"""

from __future__ import annotations

import math
import random
from pathlib import Path

from storymap.model import Candidate, Mention, Passage, Place, Story

SEED_PATH = Path(__file__).resolve().parent.parent / "data" / "samples" / "seed-de.txt"

RUSSIA = Place("geonames:2017370", "Russia", "country", 60.0, 100.0, "RU", 2017370, 140_702_000,
               {"de": "Russland", "en": "Russia"})
NORTH_KOREA = Place("geonames:1873107", "North Korea", "country", 40.0, 127.0, "KP", 1873107,
                    22_912_177, {"de": "Nordkorea", "en": "North Korea"})
UKRAINE = Place("geonames:690791", "Ukraine", "country", 49.0, 32.0, "UA", 690791, 44_622_516,
                {"de": "Ukraine", "en": "Ukraine"})
WONSAN = Place("geonames:1866923", "Wonsan", "city", 39.15278, 127.44361, "KP", 1866923, 329_207,
               {"de": "Wonsan", "en": "Wonsan"})
KURSK = Place("geonames:538560", "Kursk", "city", 51.72689, 36.18457, "RU", 538560, 448_733,
              {"de": "Kursk", "en": "Kursk"})
MOSCOW = Place("geonames:524901", "Moscow", "city", 55.75204, 37.61781, "RU", 524901, 10_381_222,
               {"de": "Moskau", "en": "Moscow"}, seat_of=RUSSIA.id)
PYONGYANG = Place("geonames:1871859", "Pyongyang", "city", 39.03385, 125.75432, "KP", 1871859,
                  3_222_000, {"de": "Pjöngjang", "en": "Pyongyang"}, seat_of=NORTH_KOREA.id)
KURSK_OBLAST = Place("geonames:538555", "Kursk Oblast", "region", 51.5, 36.25, "RU", 538555,
                     1_115_237, {"de": "Oblast Kursk"})

R, NK, UA, WO, KU, MO = RUSSIA, NORTH_KOREA, UKRAINE, WONSAN, KURSK, MOSCOW

# (surface, place, kind) per passage, in text order
SEED_MENTIONS: list[list[tuple[str, Place, str]]] = [
    [("Russland", R, "name"), ("Nordkorea", NK, "name")],
    [("Kreml", MO, "metonym"), ("Nordkorea", NK, "name"), ("russische", R, "adjective"),
     ("Nordkoreas", NK, "name"), ("nordkoreanischen", NK, "adjective"), ("Wonsan", WO, "name")],
    [("Russlands", R, "name"), ("Nordkorea", NK, "name"), ("Nordkorea", NK, "name")],
    [("russischen", R, "adjective"), ("Ukraine", UA, "name"), ("westrussischen", R, "adjective"),
     ("Kursk", KU, "name"), ("ukrainischen", UA, "adjective")],
    [("nordkoreanische", NK, "adjective"), ("Nordkorea", NK, "name")],
    [("Wonsan", WO, "name"), ("nordkoreanischen", NK, "adjective"),
     ("russischen", R, "adjective"), ("Russland", R, "name"), ("Nordkorea", NK, "name"),
     ("Ukraine", UA, "name")],
    [("nordkoreanische", NK, "adjective"), ("Russland", R, "name"), ("Russland", R, "name"),
     ("nordkoreanischer", NK, "adjective")],
]


def split_passages(text: str) -> tuple[Passage, ...]:
    """Passages are the non-empty lines; passage 0 is the title."""
    passages: list[Passage] = []
    offset = 0
    for line in text.split("\n"):
        if line.strip():
            passages.append(Passage(len(passages), offset, offset + len(line), line))
        offset += len(line) + 1
    return tuple(passages)


def find_word(text: str, word: str, start: int) -> int:
    """The next occurrence of `word` at or after `start` that is a whole word."""
    pos = text.find(word, start)
    while pos != -1:
        before = text[pos - 1] if pos > 0 else " "
        after = text[pos + len(word)] if pos + len(word) < len(text) else " "
        if not before.isalnum() and not after.isalnum():
            return pos
        pos = text.find(word, pos + 1)
    raise ValueError(f"{word!r} not found after {start}")


def build_story(
    article: str,
    language: str,
    spec: list[list[tuple[str, Place | None, str]]],
    places: list[Place],
    candidates: dict[str, tuple[Candidate, ...]] | None = None,
) -> Story:
    passages = split_passages(article)
    assert len(passages) == len(spec), (len(passages), len(spec))
    mentions = []
    for passage, wanted in zip(passages, spec, strict=True):
        cursor = passage.start
        for surface, place, kind in wanted:
            start = find_word(article, surface, cursor)
            end = start + len(surface)
            assert end <= passage.end, (surface, passage.index)
            cursor = end
            mentions.append(
                Mention(start, end, article[start:end], passage.index,
                        place.id if place else None, kind,  # type: ignore[arg-type]
                        0.9 if place else 0.0, (candidates or {}).get(surface, ()))
            )
    return Story(article, language, passages, tuple(places), tuple(mentions))


def hand_built_seed() -> Story:
    """The seed article as the core should resolve it (seat places for Russia and North Korea:
    Moscow via "Kreml", Pyongyang as North Korea's seat of government)."""
    article = SEED_PATH.read_text(encoding="utf-8")
    kursk_candidates = (
        Candidate(KURSK, 0.82, {"population": 0.6, "context:Gebiet": 0.2}),
        Candidate(KURSK_OBLAST, 0.71, {"population": 0.4, "context:Gebiet": 0.5}),
    )
    return build_story(
        article, "de", SEED_MENTIONS,  # type: ignore[arg-type]
        [RUSSIA, NORTH_KOREA, MOSCOW, PYONGYANG, WONSAN, UKRAINE, KURSK],
        {"Kursk": kursk_candidates},
    )


HOSTILE_TITLE = 'Angriff <script>alert("title")</script> auf Wonsan'
HOSTILE_PARAGRAPHS = [
    "In Wonsan schrieb jemand <img src=x onerror=alert(1)> und </script><script>alert(2)"
    "</script> an die Wand.",
    "Zitate: \"doppelt\", 'einfach', `backtick` und ${alert(3)} sowie {{ 7*7 }} in Kursk.",
    "Entitäten &amp; &lt;b&gt;fett&lt;/b&gt; &#x27; in <b onmouseover=alert(4)>Kursk</b>.",
    "Aus القاهرة (Kairo) und ירושלים berichtet \u202eevil\u202c; Zeilen\u2028trenner\u2029hier.",
]
HOSTILE_ARTICLE = "\n".join([HOSTILE_TITLE, *HOSTILE_PARAGRAPHS]) + "\n"

EVIL_PLACE = Place("evil:1", '<img src=x onerror=alert(5)>"Wonsan"', "city", 39.15278,
                   127.44361, "KP", None, 0,
                   {"de": "</script><script>alert(6)</script>`${alert(7)}`"})
EVIL_KURSK = Place("evil:2", "Kursk & <b>Co</b>", "region", 51.72689, 36.18457, "RU",
                   None, 0, {"de": "Kursk &amp; 'Oblast'"})
CAIRO = Place("geonames:360630", "Cairo", "city", 30.06263, 31.24967, "EG", 360630, 7_734_614,
              {"de": "القاهرة"})
JERUSALEM = Place("geonames:281184", "Jerusalem", "city", 31.76904, 35.21633, None, 281184,
                  714_000, {"de": "ירושלים"})


def hostile_story() -> Story:
    """Article text and place names an attacker controls: markup, script end tags, quotes,
    backticks, template syntax, entities, bidi controls, line/paragraph separators."""
    spec: list[list[tuple[str, Place | None, str]]] = [
        [("Wonsan", EVIL_PLACE, "name")],
        [("Wonsan", EVIL_PLACE, "name")],
        [("Kursk", EVIL_KURSK, "name")],
        [("<b onmouseover=alert(4)>Kursk</b>", EVIL_KURSK, "name")],
        [("القاهرة", CAIRO, "name"), ("ירושלים", JERUSALEM, "name"), ("evil", None, "name")],
    ]
    return build_story(HOSTILE_ARTICLE, "de", spec, [EVIL_PLACE, EVIL_KURSK, CAIRO, JERUSALEM])


def synthetic_story(n_places: int, per_passage: int = 5, seed: int = 7) -> Story:
    """A story about `n_places` distinct places spread over the land-ish world, `per_passage`
    places per paragraph, each place mentioned once (and every tenth place twice)."""
    rng = random.Random(seed)
    features = ["city", "city", "city", "region", "landmark", "water", "mountain", "island"]
    places = []
    for i in range(n_places):
        lat = math.degrees(math.asin(rng.uniform(-0.8, 0.95)))
        lon = rng.uniform(-180, 180)
        places.append(Place(f"syn:{i}", f"Place {i:05d}", features[i % len(features)],
                            round(lat, 5), round(lon, 5), None, None, rng.randint(0, 10**6),
                            {"en": f"Place {i:05d}"}))
    lines = [f"A synthetic story about {n_places} places"]
    names_per_line: list[list[Place]] = [[]]
    for start in range(0, n_places, per_passage):
        chunk = places[start : start + per_passage]
        names = ", ".join(p.name for p in chunk)
        extra = chunk[0].name if start % (per_passage * 10) == 0 else None
        line = f"The reporters travelled through {names} and wrote about it."
        mentioned = list(chunk)
        if extra:
            line += f" Later they returned to {extra}."
            mentioned.append(chunk[0])
        lines.append(line)
        names_per_line.append(mentioned)
    article = "\n".join(lines) + "\n"
    passages = split_passages(article)
    mentions = []
    for passage, mentioned in zip(passages, names_per_line, strict=True):
        cursor = passage.start
        for p in mentioned:
            start = article.find(p.name, cursor)
            end = start + len(p.name)
            cursor = end
            mentions.append(Mention(start, end, p.name, passage.index, p.id, "name", 0.8))
    return Story(article, "en", passages, tuple(places), tuple(mentions))

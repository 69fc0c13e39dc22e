"""Still locator maps (SVG and PNG): what is on the picture, that labels never collide, that
hostile text stays text, and the command line's answers to bad requests."""

from __future__ import annotations

import io
import json
import random
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import CHROMIUM, FLAGS, SEED_DE
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from sample_stories import HOSTILE_TITLE, hostile_story
from test_cli import assert_clean_failure, assert_ok, cli

from storymap import run
from storymap.errors import ExportError
from storymap.labels import Box, LabelRequest, Marker, place_labels
from storymap.model import Mention, Passage, Place, Story
from storymap.still import ATTRIBUTION, SIZES, check_inert, parse_size, to_png, to_svg

SVG_NS = "{http://www.w3.org/2000/svg}"
GOLDEN = Path(__file__).parent / "golden" / "still_structure.json"


def texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(t.itertext()) for t in root.iter(f"{SVG_NS}text")]


def picture_size(png: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(png)) as image:
        return image.size


def group_ids(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return [g.get("id", "") for g in root.iter(f"{SVG_NS}g") if g.get("id")]


def story_of(places: list[Place], language: str = "en", title: str = "A test story") -> Story:
    """A story naming each place once, one passage per place."""
    lines = [title, *(f"News from {p.name}." for p in places)]
    article = "\n".join(lines) + "\n"
    passages, mentions, pos = [], [], 0
    for k, line in enumerate(lines):
        passages.append(Passage(k, pos, pos + len(line), line))
        if k:
            p = places[k - 1]
            start = pos + len("News from ")
            mentions.append(Mention(start, start + len(p.name), p.name, k, p.id, "name", 0.9,
                                    ()))
        pos += len(line) + 1
    return Story(article, language, tuple(passages), tuple(places), tuple(mentions))


def city(k: int, lat: float, lon: float, cc: str, name: str | None = None) -> Place:
    return Place(f"t:{k}", name or f"Town{k}", "city", lat, lon, cc, None, 10_000, {})


def dense_story() -> Story:
    """Forty towns in Germany: labels must give way, move out on leaders or stay out."""
    rng = random.Random(7)
    places = [city(k, rng.uniform(47.5, 54.8), rng.uniform(6.0, 14.8), "DE",
                   f"Ort{k} an der {rng.choice(['Elbe', 'Oder', 'Saale'])}")
              for k in range(40)]
    return story_of(places, "de")


def sparse_story() -> Story:
    """Three continents, a city each, and a country."""
    return story_of([
        city(1, -33.87, 151.21, "AU", "Sydney"),
        city(2, 40.71, -74.01, "US", "New York"),
        city(3, 52.52, 13.40, "DE", "Berlin"),
        Place("t:4", "Kenya", "country", 0.5, 37.9, "KE", None, 50_000_000, {}),
    ])


@pytest.fixture(scope="module")
def seed() -> Story:
    story: Story = run(SEED_DE.read_text(encoding="utf-8"))
    return story


@pytest.fixture(scope="module")
def seed_svg(seed: Story) -> str:
    return to_svg(seed, ui_language="de")


def test_the_seed_svg_names_its_places_in_german(seed_svg: str) -> None:
    words = texts(seed_svg)
    for label in ("Wonsan", "Moskau", "Nordkorea"):
        assert label in words
    assert ATTRIBUTION in words
    assert "GeoNames (CC BY 4.0)" in ATTRIBUTION
    assert len(seed_svg.encode("utf-8")) <= 400_000
    check_inert(seed_svg)


def test_the_seed_png_is_big_enough_and_small_enough(seed: Story) -> None:
    png = to_png(seed)
    assert picture_size(png) == SIZES["default"]
    assert picture_size(png)[0] >= 1200
    assert len(png) <= 2_000_000


@pytest.mark.parametrize("preset", ["social", "square", "900x900"])
def test_sizes(preset: str, seed: Story) -> None:
    assert picture_size(to_png(seed, size=parse_size(preset))) == parse_size(preset)


@pytest.mark.parametrize("bad", ["12x", "huge", "0x0", "100000x10", ""])
def test_an_unknown_size_is_refused_with_a_sentence(bad: str) -> None:
    with pytest.raises(ExportError, match="WIDTHxHEIGHT"):
        parse_size(bad)


def test_layers_follow_the_golden_structure() -> None:
    """The picture's structure (layers and words, not pixels) for a fixed story."""
    svg = to_svg(sparse_story(), title="Three continents")
    ids = group_ids(svg)
    structure = {
        "layers": [i for i in ids if not i[-1].isdigit()],
        "labels": sum(1 for i in ids if i.startswith("label-")),
        "markers": sum(1 for i in ids if i.startswith("marker-")),
        "texts": sorted(texts(svg)),
    }
    assert structure == json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_a_small_extent_gets_an_inset_and_a_wide_one_does_not() -> None:
    local = story_of([city(1, 48.14, 11.58, "DE", "München"),
                      city(2, 48.37, 10.90, "DE", "Augsburg")], "de")
    assert "inset" in group_ids(to_svg(local))
    assert "inset" not in group_ids(to_svg(sparse_story()))


def test_the_title_can_be_changed_or_comes_from_the_article(seed: Story) -> None:
    assert seed.title in texts(to_svg(seed))
    assert "Mein Titel" in texts(to_svg(seed, title="Mein Titel"))


def test_a_story_without_places_draws_nothing() -> None:
    empty = story_of([])
    with pytest.raises(ExportError, match="no places"):
        to_svg(empty)


def test_hostile_text_stays_text() -> None:
    svg = to_svg(hostile_story())
    check_inert(svg)
    assert HOSTILE_TITLE in texts(svg)  # literal, escaped by the SVG writer
    assert "<script" not in svg and "onerror=" not in svg.replace("onerror=alert", "")
    root = ET.fromstring(svg)
    assert not [e for e in root.iter() if e.tag.lower().endswith(("script", "foreignobject"))]


@pytest.mark.parametrize("markup", [
    '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    '<svg xmlns="http://www.w3.org/2000/svg"><rect onclick="x()"/></svg>',
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
    '<use x:href="http://evil.example/a.svg#x"/></svg>',
    '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject/></svg>',
])
def test_the_inertness_check_refuses_active_content(markup: str) -> None:
    with pytest.raises(ExportError):
        check_inert(markup)


# -- label placement ---------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(20, 780), st.floats(20, 580), st.integers(20, 140)),
                min_size=1, max_size=60))
def test_placed_labels_never_overlap_each_other_or_a_marker(
    points: list[tuple[float, float, int]],
) -> None:
    markers = [Marker(x, y, 5.0) for x, y, _ in points]
    requests = [LabelRequest(str(k), w, 14.0, (x, y), marker=k)
                for k, (x, y, w) in enumerate(points)]
    frame = Box(0, 0, 800, 600)
    placed = place_labels(requests, markers, frame)
    for k, a in enumerate(placed):
        assert a.box.inside(frame)
        assert not any(a.box.overlaps(b.box) for b in placed[k + 1:])
        assert not any(a.box.overlaps(m.box) for m in markers)
    assert placed, "at least the first label always fits somewhere"


# -- the command line ------------------------------------------------------------------


def test_build_writes_svg_and_png(tmp_path: Path) -> None:
    svg, png = tmp_path / "map.svg", tmp_path / "map.png"
    assert_ok(cli("build", SEED_DE, "--svg", svg, "--png", png, "--size", "social"))
    assert "Moskau" in texts(svg.read_text(encoding="utf-8"))
    assert picture_size(png.read_bytes()) == SIZES["social"]


def test_build_refuses_an_unknown_size(tmp_path: Path) -> None:
    proc = cli("build", SEED_DE, "--svg", tmp_path / "m.svg", "--size", "giant")
    assert_clean_failure(proc, "size")
    assert proc.returncode == 2
    assert not (tmp_path / "m.svg").exists()


def test_build_refuses_an_unwritable_path(tmp_path: Path) -> None:
    proc = cli("build", SEED_DE, "--png", tmp_path / "missing" / "m.png")
    assert_clean_failure(proc, "cannot write")
    assert proc.returncode == 2


def test_build_without_places_writes_nothing(tmp_path: Path) -> None:
    article = tmp_path / "empty.txt"
    article.write_text("Nichts\nHier steht kein einziger Ort.\n", encoding="utf-8")
    proc = cli("build", article, "--svg", tmp_path / "m.svg")
    assert_clean_failure(proc, "no places")
    assert not (tmp_path / "m.svg").exists()


# -- in the browser ----------------------------------------------------------------------

needs_browser = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")


@pytest.fixture(scope="module")
def page() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        context = browser.new_context()
        context.route("**/*", lambda route: route.continue_()
                      if route.request.url.startswith(("file:", "data:")) else route.abort())
        yield context.new_page()
        browser.close()


LABEL_BOXES = """() => [...document.querySelectorAll('g[id^="label-"] text')].map(t => {
    const r = t.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })"""


def _overlaps(boxes: list[list[float]]) -> list[tuple[int, int]]:
    return [(i, j) for i, a in enumerate(boxes) for j, b in enumerate(boxes) if i < j
            and a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]]


@needs_browser
@pytest.mark.parametrize("which", ["seed", "dense", "sparse"])
def test_no_two_labels_overlap_in_chromium(which: str, page: Any, seed: Story,
                                           tmp_path: Path) -> None:
    story = {"seed": seed, "dense": dense_story(), "sparse": sparse_story()}[which]
    path = tmp_path / f"{which}.svg"
    path.write_text(to_svg(story, ui_language="de"), encoding="utf-8")
    page.goto(path.as_uri())
    boxes = page.evaluate(LABEL_BOXES)
    assert len(boxes) >= (3 if which != "dense" else 10)
    assert not _overlaps(boxes)


@needs_browser
def test_a_hostile_story_runs_nothing_in_chromium(page: Any, tmp_path: Path) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    story = hostile_story()
    svg_path, png_path = tmp_path / "h.svg", tmp_path / "h.png"
    svg_path.write_text(to_svg(story), encoding="utf-8")
    png_path.write_bytes(to_png(story))
    page.goto(svg_path.as_uri())
    assert page.evaluate("() => document.scripts.length") == 0
    assert HOSTILE_TITLE in page.evaluate("() => document.documentElement.textContent")
    html = tmp_path / "h.html"
    html.write_text(f'<img src="{svg_path.name}"><img src="{png_path.name}">', encoding="utf-8")
    page.goto(html.as_uri())
    page.wait_for_load_state("load")
    assert page.evaluate("() => [...document.images].every(i => i.naturalWidth > 0)")
    assert not dialogs

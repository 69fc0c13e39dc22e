"""Tests of the real `storymap` command, run as a subprocess: `places` in every format,
`annotate` (the exact JSONL record of issue 2), `eval` on a small gold file, and every bad
input: each must give a clear message on stderr, a non-zero exit code and no traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import SEED_DE, km, occurrence

from storymap.gazetteer import Gazetteer
from storymap.pipeline import run

TIMEOUT = 300  # a first run after a data change rebuilds the index (~25-50 s)
ENTRY_POINT = Path(sys.executable).with_name("storymap")


def cli(*args: str | Path, stdin: bytes | None = None, cwd: Path | None = None,
        entry_point: bool = False) -> subprocess.CompletedProcess[str]:
    command = [str(ENTRY_POINT)] if entry_point else [sys.executable, "-m", "storymap.cli"]
    proc = subprocess.run(
        [*command, *map(str, args)],
        input=stdin,
        capture_output=True,
        timeout=TIMEOUT,
        cwd=cwd,
        env={**os.environ, "PYTHONWARNINGS": "error"},
        check=False,
    )
    return subprocess.CompletedProcess(
        proc.args, proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")
    )


def assert_clean_failure(proc: subprocess.CompletedProcess[str], *expected: str) -> None:
    """Non-zero exit, a one-line-ish message on stderr that says what is wrong, no traceback."""
    both = proc.stdout + proc.stderr
    assert "Traceback" not in both, both
    assert proc.returncode != 0, both
    assert proc.stderr.strip(), "no message on stderr"
    assert "storymap" in proc.stderr, proc.stderr
    for word in expected:
        assert word.casefold() in proc.stderr.casefold(), (word, proc.stderr)


def assert_ok(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    assert proc.returncode == 0, proc.stderr


# -- places ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def places_json() -> dict[str, Any]:
    proc = cli("places", SEED_DE, "--format", "json")
    assert_ok(proc)
    data: dict[str, Any] = json.loads(proc.stdout)
    return data


def test_places_table_through_the_console_script() -> None:
    assert ENTRY_POINT.exists(), "pip install -e . creates the storymap console script"
    proc = cli("places", SEED_DE, entry_point=True)
    assert_ok(proc)
    lines = proc.stdout.splitlines()
    assert lines[0].split()[:3] == ["place", "feature", "cc"]
    assert set(lines[1]) == {"-"}
    body = "\n".join(lines[2:])
    for label in ("Russland", "Nordkorea", "Ukraine", "Wonsan"):
        assert label in body, label
    assert "seat of government of North Korea" in body
    assert "Wonsan (1), Wonsan (5)" in body
    assert "Kreml (1)" in body


def test_places_json(places_json: dict[str, Any], gaz: Gazetteer) -> None:
    assert places_json["language"] == "de"
    places = places_json["places"]
    by_cc = {p["country_code"] for p in places if p["feature"] == "country"}
    assert {"RU", "KP", "UA"} <= by_cc
    wonsan = [p for p in places if km(p["lat"], p["lon"], 39.15, 127.44) <= 10]
    assert len(wonsan) == 1
    assert {m["passage"] for m in wonsan[0]["mentions"]} >= {1, 5}
    seed = SEED_DE.read_text("utf-8")
    for p in places:
        assert set(p) >= {"id", "name", "label", "feature", "lat", "lon", "country_code",
                          "geonameid", "seat_of", "mentions"}
        for m in p["mentions"]:
            assert seed[m["start"] : m["end"]] == m["text"]
    seats = {p["seat_of"] for p in places if p["seat_of"]}
    assert gaz.place(gaz.countries["KP"]).id in seats


def test_places_json_equals_the_library(places_json: dict[str, Any], gaz: Gazetteer) -> None:
    story = run(SEED_DE.read_text("utf-8"), gazetteer=gaz)
    assert [p["id"] for p in places_json["places"]] == [p.id for p in story.places]


def test_places_geojson() -> None:
    proc = cli("places", SEED_DE, "--format", "geojson")
    assert_ok(proc)
    gj = json.loads(proc.stdout)
    assert gj["type"] == "FeatureCollection"
    assert gj["features"]
    for f in gj["features"]:
        lon, lat = f["geometry"]["coordinates"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90
    wonsan = [f for f in gj["features"]
              if km(f["geometry"]["coordinates"][1], f["geometry"]["coordinates"][0],
                    39.15, 127.44) <= 10]
    assert len(wonsan) == 1  # lon/lat order: swapped, Wonsan would land in Antarctica


def test_places_from_stdin_with_language_override() -> None:
    text = "Die Delegation reiste von Wien nach Graz."
    proc = cli("places", "-", "--lang", "de", "--format", "json",
               stdin=text.encode("utf-8"))
    assert_ok(proc)
    names = {p["label"] for p in json.loads(proc.stdout)["places"]}
    assert {"Wien", "Graz"} <= names


def test_places_without_places() -> None:
    proc = cli("places", "-", stdin=b"Heute regnet es den ganzen Tag.")
    assert_ok(proc)
    assert proc.stdout.strip() == "No places found."


def test_latin1_german_file_works_and_keeps_umlauts(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    text = ("Grüße aus München\n"
            "Die Bäckerei in Köln und ein Café in Österreich öffnen wieder, sagte sie.\n")
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    proc = cli("places", path)
    assert_ok(proc)
    for label in ("München", "Köln", "Österreich"):
        assert label in proc.stdout, proc.stdout
    assert "\ufffd" not in proc.stdout


# -- bad input ------------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    assert_clean_failure(cli("places", tmp_path / "nope.txt"), "nope.txt", "does not exist")


def test_directory(tmp_path: Path) -> None:
    assert_clean_failure(cli("places", tmp_path), "folder")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert_clean_failure(cli("places", path), "empty")


def test_whitespace_only_file(tmp_path: Path) -> None:
    path = tmp_path / "blank.txt"
    path.write_text(" \n\t\n   \r\n", encoding="utf-8")
    assert_clean_failure(cli("places", path), "empty")


def test_empty_stdin() -> None:
    assert_clean_failure(cli("places", "-", stdin=b""), "empty")


def test_binary_png(tmp_path: Path) -> None:
    path = tmp_path / "photo.txt"  # the name does not fool the check
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)))
    assert_clean_failure(cli("places", path), "binary")


def test_file_over_max_bytes(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("Berlin ist eine große Stadt. " * 100, encoding="utf-8")
    assert_clean_failure(cli("places", path, "--max-bytes", "1000"), "limit")
    # the same file within the limit works
    assert_ok(cli("places", path, "--max-bytes", "100000"))


def test_stdin_over_max_bytes() -> None:
    proc = cli("places", "-", "--max-bytes", "500", stdin=b"Wien und Graz. " * 100)
    assert_clean_failure(proc, "limit")


def test_bad_language_code() -> None:
    proc = cli("places", SEED_DE, "--lang", "German")
    assert_clean_failure(proc, "language")


@pytest.mark.parametrize(
    "args",
    [(), ("places",), ("frobnicate",), ("places", "x.txt", "--format", "pdf")],
    ids=["no-command", "no-file", "unknown-command", "unknown-format"],
)
def test_usage_errors(args: tuple[str, ...]) -> None:
    proc = cli(*args)
    assert_clean_failure(proc, "usage")


def test_closed_stdout_pipe_is_no_traceback() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "storymap.cli", "places", str(SEED_DE), "--format", "json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader goes away before the gazetteer is even loaded
    err = proc.stderr.read().decode("utf-8")
    proc.wait(timeout=TIMEOUT)
    proc.stderr.close()
    assert "Traceback" not in err, err
    assert "BrokenPipeError" not in err and "internal error" not in err, err


# -- annotate ------------------------------------------------------------------------------------

DOCS: list[dict[str, Any]] = [
    {"id": "seed", "text": SEED_DE.read_text("utf-8"), "lang": "de"},
    {"id": 2, "text": "Storms hit Texas and Ohio, officials in Washington said."},
    {"id": "kein-ort", "text": "Heute regnet es den ganzen Tag.", "lang": "de"},
]


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def annotated(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("annotate")
    src = write_jsonl(folder / "in.jsonl", DOCS)
    out = folder / "out.jsonl"
    proc = cli("annotate", src, "-o", out)
    assert_ok(proc)
    assert "3 document" in proc.stderr
    return [json.loads(line) for line in out.read_text("utf-8").splitlines()]


def test_annotate_exact_record_format(annotated: list[dict[str, Any]]) -> None:
    assert [r["id"] for r in annotated] == ["seed", 2, "kein-ort"]
    assert [r["language"] for r in annotated] == ["de", "en", "de"]
    assert annotated[2]["mentions"] == []
    for record, doc in zip(annotated, DOCS, strict=True):
        assert list(record) == ["id", "language", "mentions"]
        for m in record["mentions"]:
            assert list(m) == ["start", "end", "text", "kind", "place"]
            assert type(m["start"]) is int and type(m["end"]) is int
            assert doc["text"][m["start"] : m["end"]] == m["text"]
            assert m["kind"] in ("name", "adjective", "metonym")
            place = m["place"]
            if place is None:
                continue
            assert list(place) == ["name", "feature", "lat", "lon", "geonameid",
                                   "country_code"]
            assert isinstance(place["name"], str) and place["name"]
            assert isinstance(place["lat"], float) and isinstance(place["lon"], float)
            assert place["geonameid"] is None or type(place["geonameid"]) is int
            assert place["country_code"] is None or isinstance(place["country_code"], str)


def test_annotate_country_is_its_own_point(
    annotated: list[dict[str, Any]], gaz: Gazetteer
) -> None:
    text = DOCS[0]["text"]
    assert isinstance(text, str)
    start, _ = occurrence(text, "Nordkorea")
    (m,) = [m for m in annotated[0]["mentions"] if m["start"] == start]
    kp = gaz.place(gaz.countries["KP"])
    assert m["place"] == {"name": kp.name, "feature": "country", "lat": kp.lat, "lon": kp.lon,
                          "geonameid": kp.geonameid, "country_code": "KP"}
    start, _ = occurrence(text, "Kreml")
    (kreml,) = [m for m in annotated[0]["mentions"] if m["start"] == start]
    assert kreml["kind"] == "metonym"
    assert km(kreml["place"]["lat"], kreml["place"]["lon"], 55.7558, 37.6173) <= 30


def test_annotate_agrees_with_the_library(
    annotated: list[dict[str, Any]], gaz: Gazetteer
) -> None:
    for record, doc in zip(annotated, DOCS, strict=True):
        story = run(str(doc["text"]), language=doc.get("lang"), gazetteer=gaz)  # type: ignore[arg-type]
        assert [(m["start"], m["end"], m["kind"]) for m in record["mentions"]] == [
            (m.start, m.end, m.kind) for m in story.mentions
        ]


def test_annotate_reports_bad_lines_and_processes_the_rest(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", [
        {"id": "a", "text": "Der Kreml äußerte sich nicht."},
        '{"id": "broken", "text": "Wien',
        {"id": "no-text"},
        "",
        '["a", "list"]',
        {"id": "blank", "text": "   "},
        {"id": "b", "text": "The mayor of Boston spoke."},
    ])
    out = tmp_path / "out.jsonl"
    proc = cli("annotate", src, "-o", out)
    assert_clean_failure(proc)
    assert [json.loads(line)["id"] for line in out.read_text("utf-8").splitlines()] == [
        "a", "b"]
    for line_no in (2, 3, 5, 6):
        assert f"line {line_no}" in proc.stderr, proc.stderr
    assert "JSON" in proc.stderr
    assert "2 document(s), 4 skipped" in proc.stderr


def test_annotate_missing_input(tmp_path: Path) -> None:
    proc = cli("annotate", tmp_path / "none.jsonl", "-o", tmp_path / "out.jsonl")
    assert_clean_failure(proc, "none.jsonl")


def test_annotate_binary_input(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00\x00")
    assert_clean_failure(cli("annotate", src, "-o", tmp_path / "out.jsonl"))


def test_annotate_unwritable_output(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", [{"id": 1, "text": "Wien"}])
    proc = cli("annotate", src, "-o", tmp_path / "no" / "such" / "dir" / "out.jsonl")
    assert_clean_failure(proc, "cannot write")


# -- eval ----------------------------------------------------------------------------------------


def gold_doc(doc_id: str, lang: str, text: str, *toponyms: tuple[str, float, float]) -> dict[
        str, Any]:
    spans = []
    for surface, lat, lon in toponyms:
        start, end = occurrence(text, surface)
        spans.append({"start": start, "end": end, "surface": surface, "lat": lat, "lon": lon,
                      "geonameid": None, "kind": "literal"})
    return {"id": doc_id, "lang": lang, "text": text, "toponyms": spans}


GOLD = [
    gold_doc("wien-graz", "de", "Die Bürgermeisterin von Wien reiste am Montag nach Graz.",
             ("Wien", 48.2085, 16.3721), ("Graz", 47.0667, 15.45)),
    gold_doc("storms", "en", "Storms hit Texas and Ohio on Monday, forecasters said.",
             ("Texas", 31.0, -100.0), ("Ohio", 40.4, -82.5)),
    # gold says Paris, Texas on purpose: storymap rightly picks Paris, France here, so the
    # resolution accuracy must come out as 4 of 5
    gold_doc("paris", "en", "Police in Paris arrested two men after the match.",
             ("Paris", 33.66, -95.56)),
]


def test_eval_prints_scores(tmp_path: Path) -> None:
    gold = write_jsonl(tmp_path / "gold.jsonl", GOLD)
    errors = tmp_path / "errors.tsv"
    proc = cli("eval", gold, "--errors", errors)
    assert_ok(proc)
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["precision", "recall", "F1"]
    assert lines[1].split() == ["strict", "1.000", "1.000", "1.000"]
    assert lines[2].split() == ["lenient", "1.000", "1.000", "1.000"]
    assert "gold 5, predicted 5" in proc.stdout
    assert "accuracy within 161 km: 0.800 (4/5)" in proc.stdout
    wrong = [line.split("\t") for line in errors.read_text("utf-8").splitlines()]
    assert [(w[0], w[1], w[2]) for w in wrong] == [("WRONG", "paris", "Paris")]


def test_eval_rejects_a_file_without_toponyms(tmp_path: Path) -> None:
    gold = write_jsonl(tmp_path / "gold.jsonl", [GOLD[0], {"id": "x", "text": "Wien"}])
    assert_clean_failure(cli("eval", gold), "line 2", "toponyms")


def test_eval_rejects_invalid_json(tmp_path: Path) -> None:
    gold = write_jsonl(tmp_path / "gold.jsonl", ["{oops"])
    assert_clean_failure(cli("eval", gold), "line 1")


def test_eval_missing_file(tmp_path: Path) -> None:
    assert_clean_failure(cli("eval", tmp_path / "gold.jsonl"), "gold.jsonl")


# -- build: the page's language ------------------------------------------------------------------


def _page_words(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_build_page_speaks_the_articles_language_by_default(tmp_path: Path) -> None:
    page = tmp_path / "map.html"
    assert_ok(cli("build", SEED_DE, "-o", page))
    text = _page_words(page)
    assert '<html lang="de">' in text
    assert "◂ Zurück" in text and "Weiter ▸" in text and "Next ▸" not in text


def test_build_ui_lang_sets_the_pages_language(tmp_path: Path) -> None:
    page = tmp_path / "map.html"
    assert_ok(cli("build", SEED_DE, "-o", page, "--ui-lang", "en"))
    text = _page_words(page)
    assert '<html lang="en">' in text
    assert "◂ Previous" in text and "Next ▸" in text and "Weiter ▸" not in text
    assert "North Korea (seat of government Pyongyang)" in text


def test_build_rejects_an_unknown_ui_language(tmp_path: Path) -> None:
    proc = cli("build", SEED_DE, "-o", tmp_path / "map.html", "--ui-lang", "fr")
    assert_clean_failure(proc, "--ui-lang")
    assert not (tmp_path / "map.html").exists()

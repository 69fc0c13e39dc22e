"""Corpus mode without Dask: inputs (JSONL, CSV, folders), the exact annotate format, resuming
after a kill, the errors file, the places file and the corpus map (structure and browser).

Dask runs (1 vs 2 workers, an external scheduler) are in test_corpus_dask.py.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import CHROMIUM, FLAGS
from corpus_docs import make_corpus, read_jsonl, sorted_lines, write_jsonl

from storymap import article
from storymap.cli import annotate_document
from storymap.cli import main as corpus_main
from storymap.corpus import (
    CsvInput,
    FolderInput,
    Options,
    Summary,
    aggregate_places,
    annotate_corpus,
    file_text,
    normalise_date,
    open_input,
    read_records,
    recover_output,
)
from storymap.corpus_map import corpus_payload, to_html
from storymap.errors import InputError
from storymap.gazetteer import Gazetteer

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "samples" / "seed-de.txt"
MENTION_KEYS = {"start", "end", "text", "kind", "place"}
PLACE_KEYS = {"name", "feature", "lat", "lon", "geonameid", "country_code"}


@pytest.fixture(scope="module")
def docs() -> list[dict[str, Any]]:
    corpus = make_corpus(240)
    corpus.append({"id": 10_000, "text": SEED.read_text(encoding="utf-8"), "lang": "de"})
    return corpus


@pytest.fixture(scope="module")
def corpus_file(tmp_path_factory: pytest.TempPathFactory, docs: list[dict[str, Any]]) -> Path:
    return write_jsonl(tmp_path_factory.mktemp("corpus") / "in.jsonl", docs)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory, corpus_file: Path,
              gaz: Gazetteer) -> Path:
    """The corpus annotated in this process, in one go."""
    out = tmp_path_factory.mktemp("reference") / "out.jsonl"
    summary = annotate_corpus(open_input(corpus_file), out)
    assert summary.failed == 0 and summary.done == len(read_jsonl(corpus_file))
    return out


def annotate(source: Path, out: Path, **kwargs: Any) -> Summary:
    return annotate_corpus(open_input(source), out, **kwargs)


# -- the format ---------------------------------------------------------------------------------


def test_lines_are_exactly_annotate_documents(reference: Path,
                                              docs: list[dict[str, Any]]) -> None:
    """Same lines, same order, as `storymap annotate` made them one by one (issue 2 format)."""
    lines = reference.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(docs)
    for line, doc in zip(lines, docs, strict=True):
        assert line == json.dumps(annotate_document(doc), ensure_ascii=False)
        record = json.loads(line)
        assert list(record) == ["id", "language", "mentions"]
        for m in record["mentions"]:
            assert set(m) == MENTION_KEYS
            assert m["place"] is None or set(m["place"]) == PLACE_KEYS
    assert any(json.loads(line)["mentions"] for line in lines)


def test_with_context_adds_title_date_and_excerpts(tmp_path: Path, corpus_file: Path,
                                                   reference: Path) -> None:
    out = tmp_path / "ctx.jsonl"
    annotate(corpus_file, out, options=Options(with_context=True))
    plain = {r["id"]: r for r in read_records(reference)}
    inputs = {d["id"]: d for d in read_jsonl(corpus_file)}
    for record in read_records(out):
        doc = inputs[record["id"]]
        assert record["title"] == doc["text"].split("\n", 1)[0]
        assert record.get("date") == doc.get("date")
        base = plain[record["id"]]
        assert [{k: m[k] for k in MENTION_KEYS} for m in record["mentions"]] == base["mentions"]
        for m in record["mentions"]:
            assert isinstance(m["passage"], int)
            assert m["text"] in m["excerpt"]


# -- resuming -----------------------------------------------------------------------------------


def test_torn_last_line_is_cut_off_and_redone(tmp_path: Path, corpus_file: Path,
                                              reference: Path) -> None:
    data = reference.read_bytes()
    lines = data.splitlines(keepends=True)
    out = tmp_path / "out.jsonl"
    out.write_bytes(b"".join(lines[:50]) + lines[50][: len(lines[50]) // 2])
    summary = annotate(corpus_file, out)
    assert summary.skipped == 50
    assert summary.dropped == 1
    assert summary.done == len(lines) - 50
    assert out.read_bytes() == data  # input order, each document once


def test_corrupt_middle_line_is_dropped_and_redone(tmp_path: Path, corpus_file: Path,
                                                   reference: Path) -> None:
    lines = reference.read_bytes().splitlines(keepends=True)
    out = tmp_path / "out.jsonl"
    out.write_bytes(b"".join(lines[:10]) + b'{"id": "doc-\x00\n' + b"".join(lines[10:20]))
    assert recover_output(out).dropped == 1
    summary = annotate(corpus_file, out)
    assert summary.skipped == 20
    assert sorted_lines(out) == sorted_lines(reference)


def test_overwrite_starts_over(tmp_path: Path, corpus_file: Path, reference: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text('{"id": "doc-00000", "language": "xx", "mentions": []}\n', encoding="utf-8")
    assert annotate(corpus_file, out, overwrite=True).skipped == 0
    assert out.read_bytes() == reference.read_bytes()


def _line_count(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


def test_killed_run_resumes_with_every_document_once(tmp_path: Path, corpus_file: Path,
                                                     reference: Path) -> None:
    """SIGKILL the CLI once a third of the lines are out, add a half-written line as a kill
    mid-write leaves it, rerun: every document is in the output exactly once."""
    total = _line_count(reference)
    out = tmp_path / "out.jsonl"
    log = (tmp_path / "stderr.txt").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "storymap.cli", "annotate", str(corpus_file), "-o",
         str(out), "--batch-size", "2", "--no-progress"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while _line_count(out) < total // 3:
            assert proc.poll() is None, "the run ended before it could be killed"
            assert time.monotonic() < deadline, "no output within a minute"
            time.sleep(0.002)
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        log.close()
    assert proc.returncode == -signal.SIGKILL
    written = _line_count(out)
    assert total // 3 <= written < total
    reference_lines = reference.read_bytes().splitlines(keepends=True)
    with out.open("ab") as fh:  # the kill cut a line in half
        fh.write(reference_lines[written][:40])

    summary = annotate(corpus_file, out)
    assert summary.skipped == written
    assert summary.done == total - written
    ids = [r["id"] for r in read_records(out)]
    assert len(ids) == len(set(ids)) == total
    assert out.read_bytes() == reference.read_bytes()


# -- failures -----------------------------------------------------------------------------------


def test_bad_documents_go_to_the_errors_file(tmp_path: Path, gaz: Gazetteer) -> None:
    good = make_corpus(6, seed=3)
    lines = [json.dumps(d, ensure_ascii=False).encode() for d in good]
    lines.insert(1, b"{not json")
    lines.insert(3, json.dumps({"id": "binary", "text": "abc\x00\x01\x02 def"}).encode())
    lines.insert(4, json.dumps({"id": "big", "text": "Berlin " * 400}).encode())
    lines.insert(5, b'{"id": "latin1", "text": "K\xf6ln"}')
    lines.insert(6, json.dumps({"id": "no text"}).encode())
    lines.insert(7, json.dumps({"id": "empty", "text": "  \n "}).encode())
    lines.append(json.dumps(good[0]).encode())  # a duplicate id
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\n".join(lines) + b"\n")
    out = tmp_path / "out.jsonl"

    summary = annotate(source, out, options=Options(max_bytes=2000))
    assert summary.done == len(good)
    assert summary.failed == 7
    errors = read_jsonl(tmp_path / "out.errors.jsonl")
    by_id = {e["id"]: e for e in errors}
    assert set(by_id) == {None, "binary", "big", "latin1", "no text", "empty", good[0]["id"]}
    assert by_id[None]["source"] == "line 2"
    assert "not valid JSON" in by_id[None]["error"]
    assert "binary" in by_id["binary"]["error"]
    assert "limit" in by_id["big"]["error"]
    assert "UTF-8" in by_id["latin1"]["error"]
    assert "empty" in by_id["empty"]["error"]
    assert "duplicate" in by_id[good[0]["id"]]["error"]
    assert [r["id"] for r in read_records(out)] == [d["id"] for d in good]

    # a rerun retries only the failures; the errors file describes the latest run
    again = annotate(source, out, options=Options(max_bytes=2000))
    assert (again.done, again.skipped) == (0, len(good) + 1)  # the duplicate too
    assert len(read_jsonl(tmp_path / "out.errors.jsonl")) == 6
    assert [r["id"] for r in read_records(out)] == [d["id"] for d in good]


def test_cli_reports_failures_and_exit_status(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              gaz: Gazetteer) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [*make_corpus(3, seed=5),
                                                 {"id": "x", "text": "\x00\x01"}])
    errors = tmp_path / "failed.jsonl"
    code = corpus_main(["annotate", str(source), "-o", str(tmp_path / "o.jsonl"), "--errors",
                        str(errors), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 1
    assert "line 4 (id 'x'):" in err and "skipped" in err
    assert "annotated 3 document(s), 1 skipped" in err
    assert [e["id"] for e in read_jsonl(errors)] == ["x"]
    assert corpus_main(["annotate", str(source), "-o", str(tmp_path / "o.jsonl"),
                        "--no-progress"]) == 1
    assert corpus_main(["annotate", str(tmp_path / "missing.jsonl"), "-o",
                        str(tmp_path / "o2.jsonl")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "o2.jsonl").exists()


# -- folders and CSV ----------------------------------------------------------------------------


def _write_folder(root: Path) -> dict[str, bytes]:
    files = {
        "a.txt": "Neue Pläne in Leipzig\nDie Stadt Leipzig plant eine neue Brücke über die "
                 "Elbe bei Dresden.".encode(),
        "sub/b.md": b"# Floods reach Ohio\n\nResidents of **Cincinnati** were told to "
                    b"[leave](https://example.org) their homes.",
        "sub/c.html": b"<html><head><title>Visit to Kyoto</title><script>var x = 'Paris';"
                      b"</script></head><body><article><h1>Visit to Kyoto</h1><p>The delegation "
                      b"from Osaka arrived in Kyoto on Monday.</p></article></body></html>",
        "latin1.txt": "Hochwasser in Köln\nDie Lage in Köln und Düsseldorf bleibt "
                      "angespannt.".encode("cp1252"),
        "image.txt": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
        "big.txt": b"Berlin " * 1000,
        "notes.csv": b"ignored,because,suffix",
        ".hidden/x.txt": b"Hidden Berlin",
    }
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return files


def test_folder_input(tmp_path: Path, gaz: Gazetteer) -> None:
    folder = tmp_path / "articles"
    _write_folder(folder)
    corpus = open_input(folder, max_bytes=5000)
    assert isinstance(corpus, FolderInput)
    assert [rel for rel, _ in corpus.files()] == ["a.txt", "big.txt", "image.txt",
                                                   "latin1.txt", "sub/b.md", "sub/c.html"]
    out = tmp_path / "out.jsonl"
    summary = annotate_corpus(corpus, out, options=Options(max_bytes=5000))
    assert (summary.done, summary.failed) == (4, 2)
    records = {r["id"]: r for r in read_records(out)}
    for rel in ("a.txt", "sub/b.md", "sub/c.html", "latin1.txt"):
        expected = annotate_document({"id": rel, "text": article.read_file(folder / rel)})
        assert records[rel] == expected, rel
    names = {m["text"] for m in records["latin1.txt"]["mentions"]}
    assert "Köln" in names
    assert "Paris" not in {m["text"] for m in records["sub/c.html"]["mentions"]}
    errors = {e["id"]: e["error"] for e in read_jsonl(tmp_path / "out.errors.jsonl")}
    assert set(errors) == {"image.txt", "big.txt"}
    assert "PNG" in errors["image.txt"]
    assert "limit" in errors["big.txt"]


def test_file_text_reads_like_read_file(tmp_path: Path) -> None:
    files = _write_folder(tmp_path)
    for rel in ("a.txt", "sub/b.md", "sub/c.html", "latin1.txt"):
        assert file_text(Path(rel).name, files[rel]) == article.read_file(tmp_path / rel)
    with pytest.raises(InputError, match=r"image\.txt"):
        file_text("image.txt", files["image.txt"])


def test_csv_input_with_columns(tmp_path: Path, gaz: Gazetteer) -> None:
    source = tmp_path / "news.csv"
    source.write_bytes(
        "key;headline;body;published\n"
        'a1;x;"Neue Pläne in Leipzig\nDie Stadt Leipzig plant eine Brücke.";31.01.2024\n'
        'a2;x;"Floods reach Ohio\nResidents of Cincinnati left, ""they said"".";2024-02-03T10:00Z\n'
        .encode()
        + b'a3;x;"Hochwasser in K\xf6ln\nDie Lage in K\xf6ln bleibt angespannt.";\n'
        + b"a4;x;\x00\x01\x02;2024-02-05\n"
    )
    corpus = open_input(source, text_column="body", id_column="key", date_column="published")
    assert isinstance(corpus, CsvInput)
    assert corpus.count() == 4
    out = tmp_path / "out.jsonl"
    summary = annotate_corpus(corpus, out, options=Options(with_context=True))
    assert (summary.done, summary.failed) == (3, 1)
    records = {r["id"]: r for r in read_records(out)}
    assert records["a1"]["date"] == "2024-01-31"
    assert records["a2"]["date"] == "2024-02-03"
    assert "date" not in records["a3"]
    assert "Köln" in {m["text"] for m in records["a3"]["mentions"]}  # cp1252 field decoded
    assert [e["id"] for e in read_jsonl(tmp_path / "out.errors.jsonl")] == ["a4"]

    with pytest.raises(InputError, match=r"no column 'text'.*'body'"):
        open_input(source)
    with pytest.raises(InputError, match=r"no column 'day' \(--date-column\)"):
        open_input(source, text_column="body", date_column="day")
    rows = list(open_input(source, text_column="body"))
    assert [getattr(r, "id", None) for r in rows] == [1, 2, 3, 4]  # no id column: row numbers


@pytest.mark.parametrize(("value", "expected"), [
    ("2024-03-05", "2024-03-05"),
    ("2024-03-05T23:10:00+02:00", "2024-03-05"),
    ("2024-03-05 08:00", "2024-03-05"),
    ("5.3.2024", "2024-03-05"),
    ("2024/3/5", "2024-03-05"),
    ("Tue, 05 Mar 2024 10:00:00 GMT", "2024-03-05"),
    ("spring 2024", "spring 2024"),
    ("", None),
    (None, None),
])
def test_normalise_date(value: str | None, expected: str | None) -> None:
    assert normalise_date(value) == expected


# -- places -------------------------------------------------------------------------------------


def test_places_file_counts_articles_and_mentions(tmp_path: Path, corpus_file: Path,
                                                  reference: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_bytes(reference.read_bytes())  # resumed: nothing left, places still complete
    places = tmp_path / "places.geojson"
    annotate(corpus_file, out, places=places)
    collection = json.loads(places.read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection"
    articles: Counter[tuple[Any, ...]] = Counter()
    mentions: Counter[tuple[Any, ...]] = Counter()
    for record in read_records(reference):
        keys = [(p["name"], p["geonameid"], round(p["lon"], 6), round(p["lat"], 6))
                for m in record["mentions"] if (p := m["place"])]
        mentions.update(keys)
        articles.update(set(keys))
    found = {}
    for f in collection["features"]:
        lon, lat = f["geometry"]["coordinates"]
        props = f["properties"]
        found[(props["name"], props["geonameid"], lon, lat)] = (props["articles"],
                                                                props["mentions"])
    assert found == {k: (articles[k], mentions[k]) for k in mentions}
    counts = [f["properties"]["articles"] for f in collection["features"]]
    assert counts == sorted(counts, reverse=True)


def test_places_geoparquet(tmp_path: Path, reference: Path, corpus_file: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "out.jsonl"
    out.write_bytes(reference.read_bytes())
    target = tmp_path / "places.parquet"
    annotate(corpus_file, out, places=target)
    table = pq.read_table(target)
    geo = json.loads(table.schema.metadata[b"geo"])
    assert geo["primary_column"] == "geometry"
    rows = aggregate_places(read_records(reference))
    assert table.column("name").to_pylist() == [r["name"] for r in rows]
    assert table.column("articles").to_pylist() == [r["articles"] for r in rows]


# -- the corpus map -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def context_results(tmp_path_factory: pytest.TempPathFactory, corpus_file: Path,
                    gaz: Gazetteer) -> Path:
    out = tmp_path_factory.mktemp("map") / "ctx.jsonl"
    annotate(corpus_file, out, options=Options(with_context=True))
    return out


HOSTILE = "</script><img src=x onerror=alert(1)> {{ 7*7 }} & <b>bold</b>"


def _hostile_records(results: Path) -> list[dict[str, Any]]:
    records = list(read_records(results))
    for record in records[:5]:
        record["title"] = HOSTILE
    return records


def test_corpus_map_page_structure(context_results: Path) -> None:
    records = _hostile_records(context_results)
    page = to_html(records, title="Corpus <&> test")
    assert "<title>Corpus &lt;&amp;&gt; test</title>" in page
    assert not re.search(r"<(?:script|link)\b[^>]*\b(?:src|href)\s*=", page, re.I)
    assert HOSTILE not in page and "<img src=x" not in page
    found = re.search(r'<script type="application/json" id="corpusmap-data">(.*?)</script>',
                      page, re.S)
    assert found
    data = json.loads(found.group(1))
    assert data == json.loads(json.dumps(corpus_payload(records)))
    assert data["docs"][0][1] == HOSTILE
    assert len(data["docs"]) == len(records)
    assert data["dates"] == sorted({r["date"] for r in records if r.get("date")})
    # places: sized by articles (most first), each article listed once with its mentions
    counts = [len(p["d"]) for p in data["places"]]
    assert counts == sorted(counts, reverse=True)
    rows = aggregate_places(records)
    assert sorted(counts, reverse=True) == [r["articles"] for r in rows]
    assert sum(sum(p["m"]) for p in data["places"]) == sum(r["mentions"] for r in rows)


def test_corpus_map_cli(tmp_path: Path, context_results: Path,
                        capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "corpus.html"
    assert corpus_main(["corpus-map", str(context_results), "-o", str(target)]) == 0
    assert 'id="corpusmap-data"' in target.read_text(encoding="utf-8")
    err = capsys.readouterr().err
    assert "wrote" in err and "dated 2024-" in err




@pytest.fixture(scope="module")
def map_page(tmp_path_factory: pytest.TempPathFactory,
             context_results: Path) -> Iterator[tuple[Any, dict[str, Any], dict[str, list[str]]]]:
    if not CHROMIUM.exists():
        pytest.skip("browser tests need Debian's chromium at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    records = _hostile_records(context_results)
    path = tmp_path_factory.mktemp("map") / "corpus.html"
    path.write_text(to_html(records), encoding="utf-8")
    seen: dict[str, list[str]] = {"blocked": [], "errors": [], "dialogs": []}

    def route(r: Any) -> None:
        if r.request.url.startswith(("file:", "data:")):
            r.continue_()
        else:
            seen["blocked"].append(r.request.url)
            r.abort()

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        context = browser.new_context(viewport={"width": 1200, "height": 800})
        context.route("**/*", route)
        page = context.new_page()
        page.on("pageerror", lambda e: seen["errors"].append(str(e)))

        def dismiss(dialog: Any) -> None:
            seen["dialogs"].append(dialog.message)
            dialog.dismiss()

        page.on("dialog", dismiss)
        page.goto(path.as_uri())
        page.wait_for_selector("html[data-corpusmap-ready]", timeout=15_000)
        yield page, corpus_payload(records), seen
        browser.close()


def test_corpus_map_in_browser(map_page: tuple[Any, dict[str, Any], dict[str, list[str]]]) -> None:
    page, payload, seen = map_page
    places, docs, dates = payload["places"], payload["docs"], payload["dates"]
    assert page.evaluate("corpusmap.markerCount()") == len(places)
    assert page.evaluate("corpusmap.radius(0)") > page.evaluate(
        f"corpusmap.radius({len(places) - 1})")
    assert page.evaluate("document.querySelectorAll('.leaflet-cmBasemap-pane path').length") >= 2
    assert page.locator(".cm-slider input[type=range]").count() == 2

    # the time slider: only the first date (undated articles stay while their box is ticked)
    def expected(lo: str, hi: str, undated: bool) -> int:
        def shown(k: int) -> bool:
            d = docs[k][2]
            return undated if d is None else lo <= d <= hi
        return sum(1 for p in places if any(shown(k) for k in p["d"]))

    page.evaluate("corpusmap.setRange(0, 0)")
    assert page.evaluate("corpusmap.markerCount()") == expected(dates[0], dates[0], True)
    page.evaluate("corpusmap.setUndated(false)")
    assert page.evaluate("corpusmap.markerCount()") == expected(dates[0], dates[0], False)
    assert page.evaluate("corpusmap.markerCount()") < len(places)
    page.locator(".cm-slider input[type=range]").last.fill(str(len(dates) - 1))
    assert page.evaluate("corpusmap.markerCount()") == expected(dates[0], dates[-1], False)
    page.evaluate("corpusmap.setUndated(true)")

    # a popup lists the place's articles: titles as text (hostile ones too), excerpts marked
    hostile = next(i for i, p in enumerate(places) if 0 in p["d"])
    text = page.evaluate(f"corpusmap.openPopup({hostile}).textContent")
    assert HOSTILE in text
    assert f"{len(places[hostile]['d'])} article" in text
    assert page.locator(".cm-popup mark").count() >= 1
    assert page.locator(".cm-popup img").count() == 0
    assert seen["errors"] == [] and seen["dialogs"] == []
    assert all("tile.openstreetmap.org" in url for url in seen["blocked"]), seen["blocked"]


def test_progress_bar_shows_rate_and_eta(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         gaz: Gazetteer) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", make_corpus(40, seed=9))
    assert corpus_main(["annotate", str(source), "-o", str(tmp_path / "o.jsonl"),
                        "--progress", "--batch-size", "5"]) == 0
    err = capsys.readouterr().err
    assert "40/40" in err and "doc/s" in err and "<" in err  # count, rate, elapsed<remaining
    assert "annotated 40 document(s), 0 skipped" in err


def test_gazetteer_is_built_once_before_local_workers_start(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess as sp

    from storymap import corpus, gazetteer

    calls: list[list[str]] = []
    monkeypatch.setattr(gazetteer, "cache_dir", lambda: tmp_path)
    def fake_run(cmd: list[str], **kw: Any) -> sp.CompletedProcess[str]:
        calls.append(cmd)
        return sp.CompletedProcess(cmd, 0, "", "")

    monkeypatch.setattr(sp, "run", fake_run)
    said: list[str] = []
    corpus.prebuild_gazetteer(said.append)
    assert len(calls) == 1 and "gazetteer.load()" in calls[0][-1]
    assert said and "building the gazetteer" in said[0]
    (tmp_path / f"gazetteer-{gazetteer.fingerprint()}.marshal").write_bytes(b"")
    corpus.prebuild_gazetteer(said.append)
    assert len(calls) == 1

"""Tests for storymap.article: decoding, binary/size/emptiness checks, HTML and Markdown,
passages with offsets, language detection."""

from __future__ import annotations

import codecs
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import trafilatura
from hypothesis import given, settings
from hypothesis import strategies as st

from storymap.article import (
    DEFAULT_MAX_BYTES,
    LANGUAGES,
    Article,
    decode,
    detect_language,
    html_to_text,
    load,
    read_file,
    split_passages,
)
from storymap.errors import InputError
from storymap.model import Passage

ROOT = Path(__file__).resolve().parents[1]
SEED_DE = ROOT / "data" / "samples" / "seed-de.txt"

GERMAN = (
    "Österreich verschärft die Kontrollen an der Grenze zu Ungarn.\n"
    "Auf der Straße von Wien nach Graz kam es am Montag zu langen Staus. "
    "„Wir prüfen jedes Fahrzeug“, sagte ein Sprecher \u2013 die Maßnahme koste 5 €.\n"
)

# -- decode -------------------------------------------------------------------------------


def test_decode_utf8() -> None:
    assert decode(GERMAN.encode("utf-8")) == GERMAN


def test_decode_utf8_with_bom_strips_it() -> None:
    assert decode(GERMAN.encode("utf-8-sig")) == GERMAN


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_decode_utf16_with_bom(codec: str) -> None:
    data = GERMAN.encode(codec)
    if codec != "utf-16":  # the explicit-endian codecs write no BOM: add it
        bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
        data = bom + data
    assert decode(data) == GERMAN


def test_decode_utf16_without_bom() -> None:
    assert decode("Hallo Österreich, hallo Welt".encode("utf-16-le")) == (
        "Hallo Österreich, hallo Welt"
    )


def test_decode_utf32_with_bom() -> None:
    assert decode(GERMAN.encode("utf-32")) == GERMAN


def test_decode_cp1252_german() -> None:
    # the typographic quotes, the dash and the euro sign exist in cp1252 but not in latin-1
    assert decode(GERMAN.encode("cp1252")) == GERMAN


@pytest.mark.parametrize(
    "text",
    [
        # Short German is where charset-normalizer alone guesses odd code pages
        # (cp1006 for "Österreich", UTF-16 for "Straße", cp1250 for sentences).
        "Österreich",
        "Straße",
        "Grüße aus Österreich und der Straße",
        "Ärger über Übergriffe in Zürich",
        "naïve café",
        "Die Straße nach Österreich ist gesperrt.",
        "Müller sagte: «Ça va» - an der Côte d'Azur.",
    ],
)
def test_decode_latin1_short_german_keeps_umlauts(text: str) -> None:
    assert decode(text.encode("latin-1")) == text


def test_decode_latin1_file_sized_text() -> None:
    with SEED_DE.open(encoding="utf-8") as fh:
        text = fh.read()
    assert decode(text.encode("latin-1")) == text


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        ("Москва и Санкт-Петербург — крупнейшие города России.", "cp1251"),
        ("Białystok i Łódź leżą w Polsce, a Kraków na południu.", "cp1250"),
    ],
)
def test_decode_other_code_pages_are_not_forced_into_cp1252(text: str, codec: str) -> None:
    assert decode(text.encode(codec)) == text


def test_decode_utf8_with_a_few_stray_latin1_bytes() -> None:
    data = (
        "Grüße aus Wien ".encode()
        + "und München".encode("latin-1")
        + " über Köln nach Zürich".encode()
    )
    assert decode(data) == "Grüße aus Wien und München über Köln nach Zürich"


def test_decode_html_declared_charset() -> None:
    page = '<html><head><meta charset="windows-1251"></head><body>Москва</body></html>'
    assert "Москва" in decode(page.encode("cp1251"))


def test_decode_normalises_newlines_nfc_and_invisibles() -> None:
    data = "Titel\r\nZeile zwei\rZeile drei\u2028O\u0308sterreich Bundes\u00adregierung".encode()
    assert decode(data) == "Titel\nZeile zwei\nZeile drei\nÖsterreich Bundesregierung"


def test_decode_empty() -> None:
    assert decode(b"") == ""


# -- binary -------------------------------------------------------------------------------

PNG_HEADER = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00"
ZIP_HEADER = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00word/document.xml"


def _random_bytes(n: int, *, nul: bool) -> bytes:
    rng = random.Random(42)
    data = bytes(rng.randrange(256) for _ in range(n))
    return data if nul else data.replace(b"\x00", b"\x01")


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (PNG_HEADER, "PNG image"),
        (ZIP_HEADER, "ZIP archive"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00", "gzip"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG"),
        (_random_bytes(4000, nul=True), "zero bytes"),
        (_random_bytes(4000, nul=False), "control characters"),
        (b"Hallo\x00Welt, ein ganz normaler Satz mit einem Nullbyte.", "zero bytes"),
    ],
)
def test_decode_rejects_binary(data: bytes, why: str) -> None:
    with pytest.raises(InputError, match="looks like a binary file") as info:
        decode(data)
    assert why in str(info.value)
    assert "not text" in str(info.value)


def test_load_rejects_binary_bytes_and_str() -> None:
    with pytest.raises(InputError, match="binary"):
        load(PNG_HEADER)
    with pytest.raises(InputError, match="binary"):
        load("Text\x00mit\x00Nullbytes\x00überall")


def test_a_stray_control_character_is_dropped_not_fatal() -> None:
    assert decode(b"Berlin ist die Hauptstadt\x1b von Deutschland.") == (
        "Berlin ist die Hauptstadt von Deutschland."
    )


# -- load: emptiness, size, language override --------------------------------------------


@pytest.mark.parametrize("source", ["", b"", "   \n\t \n", b"\xef\xbb\xbf  \r\n", "\u00ad"])
def test_load_empty(source: str | bytes) -> None:
    with pytest.raises(InputError, match="The article is empty"):
        load(source)


@pytest.mark.parametrize("source", ["12345 67.89", "2024-07-12\n+++ 14.000 / 30.000 !!!"])
def test_load_without_letters(source: str) -> None:
    with pytest.raises(InputError, match="no words"):
        load(source)


def test_load_oversize_str_counts_utf8_bytes() -> None:
    load("ä" * 5, max_bytes=10, language="de")  # 10 bytes: fine
    with pytest.raises(InputError, match="12 bytes; the limit is 10 bytes"):
        load("ä" * 6, max_bytes=10)  # 6 characters but 12 UTF-8 bytes


def test_load_oversize_bytes() -> None:
    with pytest.raises(InputError, match="the limit is 50 bytes"):
        load(b"Berlin " * 10, max_bytes=50)


def test_load_oversize_message_in_megabytes() -> None:
    with pytest.raises(InputError) as info:
        load("a" * 3_400_000)
    message = str(info.value)
    assert message.startswith("The article is 3.4 MB; the limit is 2.0 MB.")
    assert DEFAULT_MAX_BYTES == 2_000_000


def test_load_returns_article() -> None:
    with SEED_DE.open("rb") as fh:
        art = load(fh.read())
    assert isinstance(art, Article)
    assert art.language == "de"
    assert art.passages[0].text == "Russland und Nordkorea schmieden engere Allianzen"
    assert art.title == art.passages[0].text
    assert len(art.passages) == 7
    for p in art.passages:
        assert art.text[p.start : p.end] == p.text


def test_article_is_frozen() -> None:
    art = load("Berlin ist die Hauptstadt von Deutschland.", language="de")
    with pytest.raises(AttributeError):
        art.language = "en"  # type: ignore[misc]


def test_load_language_override() -> None:
    art = load("Berlin ist die Hauptstadt von Deutschland.", language="en")
    assert art.language == "en"


@pytest.mark.parametrize("bad", ["DE", "deu", "", "d", "de-AT", "e1"])
def test_load_rejects_invalid_language_code(bad: str) -> None:
    with pytest.raises(InputError, match="two-letter lowercase code"):
        load("Berlin ist die Hauptstadt.", language=bad)


def test_load_normalises_str_input() -> None:
    art = load("\ufeffTitel\r\nO\u0308sterreich liegt in Europa.\r\n", language="de")
    assert art.text == "Titel\nÖsterreich liegt in Europa.\n"
    assert [p.text for p in art.passages] == ["Titel", "Österreich liegt in Europa."]


def test_load_html_string_becomes_text() -> None:
    art = load(ARTICLE_PAGE)
    assert "<" not in art.text
    assert art.passages[0].text == "Russland und Nordkorea schmieden engere Allianzen"
    assert art.language == "de"


# -- HTML ---------------------------------------------------------------------------------

ARTICLE_PAGE = """<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8">
<title>Russland und Nordkorea schmieden engere Allianzen | Nachrichtenportal</title>
<style>body { color: red } .teaser::after { content: "STYLE-INHALT" }</style>
<script>alert(1); var SKRIPTINHALT = "geheim";</script>
</head><body>
<nav><ul><li><a href="/">Startseite</a></li><li><a href="/politik">Politik</a></li>
<li><a href="/sport">Sport</a></li><li><a href="/wetter">Wetter</a></li></ul></nav>
<header><div class="logo">Nachrichtenportal</div></header>
<main><article>
<h1>Russland und Nordkorea schmieden engere Allianzen</h1>
<p>Der Kreml und Nordkorea intensivieren ihre strategische Zusammenarbeit durch ein geplantes
Treffen der Staatsoberhäupter. Außenminister Sergej Lawrow betonte dies bei einem Empfang in
der nordkoreanischen Hafenstadt Wonsan.</p>
<p>Bereits im Sommer 2024 wurde bei einem Besuch Putins in Nordkorea eine strategische
Partnerschaft geschlossen, die auch militärischen Beistand im Falle eines Angriffs einschließt.</p>
<p>Kim reiste eigens nach Wonsan, einem beliebten nordkoreanischen Kurort, um seinen Gast zu
treffen. Die Beziehungen zwischen Russland und Nordkorea haben eine neue Dynamik erreicht.</p>
</article></main>
<aside><h3>Mehr zum Thema</h3><ul><li><a href="/x">Anderer Artikel</a></li></ul></aside>
<footer>© 2025 Nachrichtenportal · Impressum · Datenschutz</footer>
<script>document.write("ZWEITES SKRIPT")</script>
</body></html>
"""


def _assert_clean(text: str) -> None:
    assert "<" not in text and ">" not in text
    for junk in ("alert", "SKRIPTINHALT", "geheim", "STYLE-INHALT", "color: red", "ZWEITES"):
        assert junk not in text


def test_html_to_text_keeps_article_drops_markup_scripts_and_menus() -> None:
    text = html_to_text(ARTICLE_PAGE)
    _assert_clean(text)
    lines = text.split("\n")
    assert lines[0] == "Russland und Nordkorea schmieden engere Allianzen"
    assert text.count("Russland und Nordkorea schmieden engere Allianzen") == 1
    assert "Hafenstadt Wonsan" in text
    assert "Kim reiste eigens nach Wonsan" in text
    for junk in ("Startseite", "Impressum", "Mehr zum Thema"):
        assert junk not in text


def test_html_to_text_small_page() -> None:
    page = (
        "<html><head><title>Wien</title><style>p{color:red}</style>"
        "<script>alert(1)</script></head><body><nav>Home Sport</nav><h1>Wien</h1>"
        "<p>Schnee in Wien &amp; Graz.</p></body></html>"
    )
    text = html_to_text(page)
    _assert_clean(text)
    assert text.split("\n")[0] == "Wien"
    assert "Schnee in Wien & Graz." in text


def test_html_to_text_title_only_page() -> None:
    assert html_to_text("<html><head><title>Kurz</title></head><body></body></html>") == "Kurz"


def test_html_fallback_parser_when_trafilatura_finds_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(trafilatura, "bare_extraction", lambda *args, **kwargs: None)
    text = html_to_text(ARTICLE_PAGE)
    _assert_clean(text)
    assert text.split("\n")[0] == "Russland und Nordkorea schmieden engere Allianzen"
    assert "Hafenstadt Wonsan" in text
    for junk in ("Startseite", "Impressum", "Mehr zum Thema"):
        assert junk not in text


def test_html_fallback_without_closing_head(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(trafilatura, "bare_extraction", lambda *args, **kwargs: None)
    page = "<html><head><title>Graz</title><body><p>Regen in Graz.</p>"
    assert html_to_text(page) == "Graz\nRegen in Graz."


# -- files --------------------------------------------------------------------------------


def test_read_txt(tmp_path: Path) -> None:
    path = tmp_path / "artikel.txt"
    path.write_bytes(GERMAN.encode("cp1252"))
    assert read_file(path) == GERMAN
    assert read_file(str(path)) == GERMAN


def test_read_markdown_drops_markers(tmp_path: Path) -> None:
    path = tmp_path / "artikel.md"
    path.write_text(
        "# Flut in Passau\n\n"
        "Die **Donau** steigt in *Passau* und [Regensburg](https://example.org/rgb).\n\n"
        "- Deggendorf\n- Straubing\n\n"
        "> Zitat aus `Linz`\n\n"
        "snake_case_name und 2*3*4\n",
        encoding="utf-8",
    )
    text = read_file(path)
    assert text.split("\n")[0] == "Flut in Passau"
    assert "Die Donau steigt in Passau und Regensburg." in text
    assert "\nDeggendorf\nStraubing\n" in text
    assert "Zitat aus Linz" in text
    assert "snake_case_name und 2*3*4" in text
    assert "#" not in text and "**" not in text and "https" not in text


def test_read_markdown_front_matter_title(tmp_path: Path) -> None:
    path = tmp_path / "artikel.markdown"
    path.write_text('---\ntitle: "Sturm über Kiel"\ndate: 2024-10-01\n---\nOrkan an der Förde.\n',
                    encoding="utf-8")  # fmt: skip
    assert read_file(path).split("\n")[:2] == ["Sturm über Kiel", "Orkan an der Förde."]


def test_read_html(tmp_path: Path) -> None:
    path = tmp_path / "seite.html"
    path.write_text(ARTICLE_PAGE, encoding="utf-8")
    text = read_file(path)
    _assert_clean(text)
    assert text.startswith("Russland und Nordkorea schmieden engere Allianzen\n")


def test_read_html_latin1_with_declared_charset(tmp_path: Path) -> None:
    path = tmp_path / "seite.htm"
    page = ARTICLE_PAGE.replace('charset="utf-8"', 'charset="iso-8859-1"').replace("©", "(c)")
    path.write_bytes(page.encode("latin-1"))
    assert "Außenminister Sergej Lawrow" in read_file(path)


def test_read_sniffs_html_in_a_txt_file(tmp_path: Path) -> None:
    path = tmp_path / "gespeichert.txt"
    path.write_text(ARTICLE_PAGE, encoding="utf-8")
    _assert_clean(read_file(path))


def test_read_unknown_extension_as_text(tmp_path: Path) -> None:
    path = tmp_path / "meldung.news"
    path.write_text("Brand in Hamburg\nDie Feuerwehr löschte am Hafen.\n", encoding="utf-8")
    assert read_file(path) == "Brand in Hamburg\nDie Feuerwehr löschte am Hafen.\n"


def test_read_binary_file_names_it(tmp_path: Path) -> None:
    path = tmp_path / "foto.txt"
    path.write_bytes(PNG_HEADER)
    with pytest.raises(InputError, match=r"The file '.*foto\.txt' looks like a binary file"):
        read_file(path)


def test_read_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"'.*fehlt\.txt' does not exist"):
        read_file(tmp_path / "fehlt.txt")


def test_read_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a folder, not a file"):
        read_file(tmp_path)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads everything")
def test_read_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "geheim.txt"
    path.write_text("Geheim", encoding="utf-8")
    path.chmod(0)
    try:
        with pytest.raises(InputError, match=r"'.*geheim\.txt' cannot be opened"):
            read_file(path)
    finally:
        path.chmod(0o600)


def test_read_oversize_file_checks_size_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "gross.txt"
    path.write_bytes(b"Berlin " * 1000)

    def no_open(*args: object, **kwargs: object) -> None:
        raise AssertionError("the file must not be opened")

    monkeypatch.setattr(Path, "open", no_open)
    with pytest.raises(InputError, match=r"'.*gross\.txt' is 7.0 KB; the limit is 1.0 KB"):
        read_file(path, max_bytes=1000)


def test_read_then_load(tmp_path: Path) -> None:
    path = tmp_path / "artikel.txt"
    path.write_bytes(SEED_DE.read_bytes().decode("utf-8").encode("latin-1"))
    art = load(read_file(path))
    assert art.language == "de"
    assert "Außenminister" in art.text


# -- passages -----------------------------------------------------------------------------


def test_split_passages_single_and_blank_line_separators() -> None:
    text = "  Titel der Meldung \nErster Absatz.\n\n\n   Zweiter Absatz.  \n***\n\tDritter.\n"
    passages = split_passages(text)
    assert [p.text for p in passages] == [
        "Titel der Meldung",
        "Erster Absatz.",
        "Zweiter Absatz.",
        "Dritter.",
    ]
    assert [p.index for p in passages] == [0, 1, 2, 3]
    assert passages[0] == Passage(0, 2, 19, "Titel der Meldung")
    for p in passages:
        assert text[p.start : p.end] == p.text


def test_split_passages_seed_article() -> None:
    with SEED_DE.open(encoding="utf-8") as fh:
        text = fh.read()
    passages = split_passages(text)
    assert len(passages) == 7
    assert passages[0].text == "Russland und Nordkorea schmieden engere Allianzen"


def test_split_passages_other_line_breaks() -> None:
    text = "Titel\r\nErster Absatz.\u2028Zweiter\x0bDritter.\x85Vierter\rFünfter"
    assert [p.text for p in split_passages(text)] == [
        "Titel", "Erster Absatz.", "Zweiter", "Dritter.", "Vierter", "Fünfter"
    ]


_ANY_LINE = re.compile("[^\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]+")
"""A line, between any of the breaks str.splitlines() knows: the reference for passages."""


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab Ä.\n\r\t\x0b\x0c\x1c\x85\u2028\u00a0*")),
               max_size=60))
def test_passages_are_the_lines_with_a_letter_or_digit(text: str) -> None:
    """Whether split directly or after load() has normalised the text, the passages are its
    trimmed lines that hold a letter or digit, with offsets that point at them."""
    assert split_passages(text) == tuple(_lines_with_words(text))
    try:
        loaded = load(text, language="de")
    except InputError:
        return  # nothing to read: load's own tests cover the message
    assert loaded.passages == tuple(_lines_with_words(loaded.text))
    assert split_passages(loaded.text, normalised=True) == loaded.passages


def _lines_with_words(text: str) -> list[Passage]:
    out: list[Passage] = []
    for m in _ANY_LINE.finditer(text):
        line = m.group()
        stripped = line.strip()
        if any(ch.isalnum() for ch in stripped):
            start = m.start() + len(line) - len(line.lstrip())
            out.append(Passage(len(out), start, start + len(stripped), stripped))
    return out


def test_split_passages_empty() -> None:
    assert split_passages("") == ()
    assert split_passages(" \n\n\t\n") == ()


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_split_passages_offsets_property(text: str) -> None:
    passages = split_passages(text)
    previous_end = 0
    for i, p in enumerate(passages):
        assert p.index == i
        assert p.text == text[p.start : p.end]
        assert p.text and p.text == p.text.strip()
        assert previous_end <= p.start < p.end <= len(text)
        assert "\n" not in p.text
        previous_end = p.end


@given(st.text(alphabet=st.sampled_from("ab Ä\n\r\t.\u2028\u00ad\ufeff"), max_size=200))
def test_load_offsets_property(text: str) -> None:
    try:
        art = load(text, language="de")
    except InputError:
        return
    previous_end = 0
    for p in art.passages:
        assert art.text[p.start : p.end] == p.text
        assert previous_end <= p.start
        previous_end = p.end


# -- language -----------------------------------------------------------------------------

GERMAN_SNIPPETS = [
    "Putin trifft Kim in Pjöngjang.",
    "Kim reiste nach Wonsan.",
    "Scholz besucht Kiew.",
    "Hochwasser in Passau: Innenstadt gesperrt",
    "Österreich verschärft Grenzkontrollen zu Ungarn",
    "Merz und Macron treffen sich in Paris",
    "Die Bundesregierung hat am Dienstag in Berlin neue Hilfen für die Ukraine beschlossen.",
    "Bei einem Erdbeben im Osten der Türkei sind mindestens zwölf Menschen ums Leben gekommen. "
    "Die Behörden in Ankara schickten Rettungsteams in die Provinz Malatya. "
    "Auch im Norden Syriens war das Beben zu spüren.",
    "Der Bahnstreik legt den Verkehr zwischen München und Wien lahm. "
    "Pendler weichen auf Busse aus. Die Gewerkschaft kündigte weitere Streiks an.",
]
ENGLISH_SNIPPETS = [
    "Putin meets Kim in Pyongyang.",
    "Floods hit Passau as the Danube rises.",
    "Strike at Frankfurt airport",
    "Storm Ciarán batters Cornwall",
    "Austria tightens border controls with Hungary",
    "The German government on Tuesday approved new aid for Ukraine in Berlin.",
    "An earthquake in eastern Turkey killed at least twelve people. "
    "Rescue teams were sent from Ankara to Malatya province. "
    "The tremor was also felt in northern Syria.",
    "Wildfires in California forced thousands to flee Los Angeles on Sunday. "
    "Firefighters battled strong winds. The governor declared a state of emergency.",
]


@pytest.mark.parametrize("text", GERMAN_SNIPPETS)
def test_detect_german(text: str) -> None:
    assert detect_language(text) == "de"


@pytest.mark.parametrize("text", ENGLISH_SNIPPETS)
def test_detect_english(text: str) -> None:
    assert detect_language(text) == "en"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Le gouvernement a annoncé mardi de nouvelles aides pour l'Ukraine.", "fr"),
        ("El gobierno aprobó el martes nuevas ayudas para Ucrania.", "es"),
        ("De regering keurde dinsdag nieuwe steun voor Oekraïne goed.", "nl"),
        ("Rząd zatwierdził we wtorek nową pomoc dla Ukrainy.", "pl"),
    ],
)
def test_detect_other_languages_still_work(text: str, code: str) -> None:
    assert detect_language(text) == code


def test_detect_language_returns_known_code() -> None:
    assert detect_language("Wien") in LANGUAGES


def test_detect_language_without_letters() -> None:
    with pytest.raises(InputError, match="no words"):
        detect_language("123 456")


def test_detect_language_is_fast_on_a_3kb_article() -> None:
    with SEED_DE.open(encoding="utf-8") as fh:
        text = (fh.read() * 2)[:3000]
    detect_language(text)  # loads the model
    timings = []
    for _ in range(30):
        start = time.perf_counter()
        detect_language(text)
        timings.append(time.perf_counter() - start)
    assert min(timings) < 0.001


def test_import_is_light() -> None:
    code = (
        "import sys, storymap.article;"
        "heavy = [m for m in ('trafilatura', 'py3langid', 'charset_normalizer', 'lxml')"
        " if m in sys.modules];"
        "assert not heavy, heavy"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env=env)


# -- messages -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda: load(""),
        lambda: load("42"),
        lambda: load(PNG_HEADER),
        lambda: load("x" * 20, max_bytes=10),
        lambda: load("Text", language="German"),
        lambda: read_file("/nonexistent/artikel.txt"),
    ],
)
def test_messages_are_short_plain_sentences(call: object) -> None:
    assert callable(call)
    with pytest.raises(InputError) as info:
        call()
    message = str(info.value)
    assert message[0].isupper() and message.endswith(".")
    assert message.count(". ") <= 2
    assert "Traceback" not in message and "Error" not in message


def test_read_permission_denied_even_as_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "gesperrt.txt"
    path.write_text("Gesperrt", encoding="utf-8")

    def denied(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", denied)
    with pytest.raises(InputError, match=r"'.*gesperrt\.txt' cannot be opened: permission denied"):
        read_file(path)


@given(st.binary(max_size=400))
def test_decode_any_bytes_gives_text_or_input_error(data: bytes) -> None:
    try:
        text = decode(data)
    except InputError:
        return
    assert "\r" not in text and "\x00" not in text and "\ufeff" not in text


@settings(deadline=None, max_examples=50)  # the first call imports trafilatura
@given(st.text(max_size=300))
def test_html_to_text_never_returns_tags(fragment: str) -> None:
    text = html_to_text(f"<html><body><p>{fragment}</p><script>alert(1)</script></body></html>")
    assert "<script" not in text and "alert(1)" not in text


def test_every_odd_character_is_unprintable() -> None:
    """`_check_text` skips its regex when the text (tabs and newlines aside) is printable:
    that is only right while no character the regex looks for is printable."""
    from storymap.article import _ODD

    assert not [hex(code) for code in range(0x10000)
                if _ODD.match(chr(code)) and chr(code).isprintable()]

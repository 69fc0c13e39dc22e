"""Speed and memory of the core, measured against the floors of issue 12.

    .venv/bin/python benchmarks/bench_core.py [--skip-build] [--runs 7] [--passes 5]
        [--corpus real-articles.jsonl ...]

Prints one table:

- first index build: a fresh process builds the gazetteer index into an empty temporary
  STORYMAP_CACHE_DIR (the user cache is not touched);
- cold CLI run: the whole process `storymap places data/samples/seed-de.txt` with the index
  already cached, median of --runs runs;
- peak memory: max RSS (resource.getrusage) of a fresh process that loads the gazetteer and
  runs --articles dense articles;
- warm throughput (the floor): storymap.run() in one process pinned to one core, on German
  and English news-like articles of ~3 KB (the snippets and place-free sentences below,
  about 9 place mentions per KB; real news has 5-8), median of --passes passes. Every pass
  runs articles the process has not seen, after a warm-up on others (the baseline 5790c27
  memoised names across articles; this tree remembers nothing between articles), as in a
  running server, but nothing is timed twice;
- the same on dense articles (snippets only, ~27 places per KB), a stress test;
- the seed article, repeated (the best case for a tree that memoises);
- with --corpus, one pass over each JSONL file of real articles ({"text": ...} per line,
  cut to 3 KB), e.g. the evaluation sets, which stay outside the repository.

Exit status 1 when a floor is missed. Timing lives here, never in the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "samples" / "seed-de.txt"
ARTICLE_BYTES = 3000

# Short news snippets written for this benchmark (not from any corpus): places of every kind
# (countries, regions, cities, adjectives, metonyms, abbreviations) and the words that look
# like places but are not (people, months, ordinary nouns).
DE_SNIPPETS = [
    "Der Kreml wies die Berichte über neue Truppenbewegungen im Gebiet Kursk am Dienstag "
    "entschieden zurück. Ein Sprecher in Moskau sprach von gezielter Desinformation.",
    "Nordkoreas Machthaber Kim Jong Un besuchte nach Angaben der Staatsmedien eine "
    "Raketenfabrik nahe Pjöngjang und lobte die Arbeiter für ihren Einsatz.",
    "Im Sommer hielt die Ministerin die Rede zur Lage der Nation in München; die Basis der "
    "Partei reagierte im Lauf der Zeit zunehmend gereizt auf die Reformpläne.",
    "Die Messe in Essen zog mehr als 100.000 Besucher an. Beim Essen im Rathaus lobte der "
    "Oberbürgermeister die Organisatoren aus Düsseldorf und Köln.",
    "Österreichs Regierung in Wien will den Transitverkehr über den Brenner begrenzen. Tirol "
    "und Bayern verhandeln seit Monaten über eine gemeinsame Lösung.",
    "Der Wiener Bürgermeister traf den steirischen Landeshauptmann in Graz, um über den Ausbau "
    "der Südbahn bis nach Klagenfurt zu sprechen.",
    "Die US-amerikanische Regierung kritisierte die nordkoreanischen Raketentests scharf. Auch "
    "in Tokio und Seoul wuchs die Sorge über die Lage in Ostasien.",
    "Ukrainische Drohnen trafen nach Angaben aus Kiew ein Treibstofflager in der westrussischen "
    "Region Belgorod. Russlands Verteidigungsministerium bestätigte den Angriff nicht.",
    "Das Weiße Haus begrüßte die Einigung, während im Kanzleramt in Berlin noch über die "
    "Finanzierung gestritten wurde.",
    "Viele Familien aus Hamburg und Bremen machen auch in diesem Jahr in Spanien Urlaub, vor "
    "allem auf Mallorca und an der Costa Brava.",
    "Präsident Macron kehrte nach Paris zurück; in Frankreich wächst der Unmut über die "
    "Rentenreform, auch in Lyon und Marseille wurde demonstriert.",
    "Die Donau trat in Passau und Regensburg über die Ufer. Im Süden Bayerns blieben viele "
    "Straßen gesperrt, meldete die Polizei in Niederbayern.",
    "Andreas Vana berichtete aus Linz über die Landtagswahl in Oberösterreich, bei der die "
    "Beteiligung deutlich gestiegen war.",
    "Immer mehr Menschen fliehen aus Afrika nach Europa. Die italienische Küstenwache rettete "
    "vor Lampedusa erneut Hunderte Menschen.",
    "Die Schweiz und Liechtenstein vereinbarten in Bern eine engere Zusammenarbeit bei der "
    "Bahn; Zürich soll schneller mit Vaduz verbunden werden.",
    "Präsident Lincoln ist in Kentucky geboren, erinnerte der Historiker bei seinem Vortrag "
    "in Leipzig vor vollem Saal.",
    "Russland und Nordkorea schmieden engere Allianzen. Außenminister Lawrow reiste dazu in "
    "die Hafenstadt Wonsan an der Ostküste.",
    "In Halle an der Saale wurde ein neuer Oberbürgermeister gewählt. Die Halle im Zentrum "
    "war bei der Wahlparty bis auf den letzten Platz gefüllt.",
    "Die Polizei in Salzburg ermittelt nach einem Einbruch in ein Juweliergeschäft in der "
    "Getreidegasse; die Täter flohen Richtung Deutschland.",
    "Georgien wirft Russland vor, die Grenze bei Tiflis erneut verschoben zu haben. Die EU "
    "forderte beide Seiten zur Zurückhaltung auf.",
    "Die chinesische Führung in Peking kündigte neue Zölle an; in Brüssel und Washington "
    "wurde die Ankündigung mit Sorge aufgenommen.",
    "Nach dem Erdbeben in der Türkei schickte Griechenland Helfer nach Antakya. Auch aus "
    "Syrien wurden schwere Schäden gemeldet.",
    "Die Bauern aus Niederösterreich und dem Burgenland protestierten vor dem Parlament in "
    "Wien gegen die geplanten Auflagen.",
    "Ein Sprecher des Kremls sagte der Agentur Tass, man verfolge die Lage in Transnistrien "
    "und Moldau sehr genau.",
]
EN_SNIPPETS = [
    "Russia's foreign minister arrived in Pyongyang on Tuesday, where North Korean officials "
    "greeted him with a military parade, state media reported.",
    "Paris Hilton arrived in Los Angeles for the premiere, while fans gathered outside the "
    "theater on Hollywood Boulevard.",
    "Mary Adams said the school board in Boston would vote on the budget next week, after a "
    "heated meeting in Cambridge.",
    "The city council met in March to discuss the Mission budget. Reading the report, the "
    "mayor of Denver said cuts were unavoidable.",
    "The festival returns to Reading, Berkshire, in August, with three stages and a camping "
    "area near the Thames.",
    "Paris, Texas, is a small city in Lamar County where the annual festival drew thousands "
    "of visitors from Dallas and Oklahoma.",
    "The concert in London, Ontario, sold out within minutes, organizers in Toronto said, "
    "adding a second date in Ottawa.",
    "The ferry from Portland, Maine, to Nova Scotia resumed service on Friday after repairs "
    "in Halifax took longer than planned.",
    "Heavy rain soaked Portland, Oregon, and Seattle on Monday, and forecasters expect more "
    "storms across the Pacific Northwest.",
    "Russian troops massed near the border with Georgia, officials in Tbilisi said, as "
    "talks in Geneva stalled again.",
    "The governor of Georgia signed the bill in Atlanta on Friday, drawing criticism from "
    "lawmakers in Savannah and Augusta.",
    "Storms swept through Texas, Ohio and Alberta over the weekend, cutting power to "
    "thousands of homes in Houston and Calgary.",
    "Downing Street declined to comment, while the White House said the Elysee had been "
    "briefed in advance about the sanctions.",
    "The U.S. and the UK signed the agreement. Officials in Vancouver, B.C., welcomed it, as "
    "did tobacco growers in Louisville, Ky.",
    "Ukrainian drones struck an oil depot inside Russia, and German officials in Berlin "
    "called for restraint from both sides.",
    "Leaders across Europe reacted with alarm, and the African Union called an emergency "
    "meeting in Addis Ababa.",
    "China warned Japan against interfering in the dispute, and the Kremlin said Moscow "
    "would stay neutral for now.",
    "Police in London arrested three men after the protest outside Parliament, the "
    "Metropolitan Police said in a statement.",
    "Vladimir Putin met Xi Jinping in Beijing, where the two leaders discussed trade routes "
    "through Kazakhstan and Mongolia.",
    "Tourists flock to Spain every summer, and many stay in Portugal, where hotels in Lisbon "
    "and Porto report record bookings.",
    "Wildfires near Athens forced thousands to flee, and firefighters from Italy and Cyprus "
    "joined Greek crews overnight.",
    "The Mississippi River fell to record lows near Memphis, stranding barges bound for "
    "New Orleans and St. Louis.",
    "Officials in the Kursk region said drones had hit a power substation, leaving villages "
    "near the Ukrainian border without electricity.",
    "Farmers in Iowa and Nebraska warned that the drought could cut corn yields, the "
    "Agriculture Department in Washington said.",
]


# Sentences without places, as most of a news article is: people, institutions, numbers,
# dates and quotes (also written for this benchmark).
DE_FILLER = [
    "Die Ministerin sagte am Mittwoch, man werde die Vorschläge sorgfältig prüfen.",
    "Nach Angaben des Statistischen Bundesamts stiegen die Preise im Oktober um 2,4 Prozent.",
    "Der Vorstand der Gewerkschaft kündigte für die kommende Woche weitere Warnstreiks an.",
    "Kritiker werfen der Regierung vor, die Folgen für kleine Betriebe zu unterschätzen.",
    "„Wir haben keine Zeit mehr zu verlieren“, sagte Thomas Berger vor Journalisten.",
    "Die Opposition verlangt eine Sondersitzung des Ausschusses noch vor der Sommerpause.",
    "Laut einer Umfrage des Instituts halten 58 Prozent der Befragten die Reform für falsch.",
    "Ein Sprecher des Unternehmens wollte sich zu den Vorwürfen zunächst nicht äußern.",
    "Die Verhandlungen sollen nach Angaben beider Seiten im Dezember fortgesetzt werden.",
    "Bereits im vergangenen Jahr hatte das Gericht ähnliche Klagen abgewiesen.",
    "Anna Keller, Sprecherin der Initiative, nannte die Entscheidung einen ersten Schritt.",
    "Die Kosten des Projekts werden inzwischen auf mehr als drei Milliarden Euro geschätzt.",
    "Am Freitag will das Kabinett über den Entwurf beraten, hieß es aus Regierungskreisen.",
    "Viele Eltern klagen seit Monaten über ausfallenden Unterricht und fehlende Lehrkräfte.",
    "Der Bericht soll dem Parlament bis Ende des Jahres vorgelegt werden.",
    "Experten rechnen damit, dass sich die Lage erst im Frühjahr entspannen wird.",
]
EN_FILLER = [
    "The minister said on Wednesday that the proposals would be reviewed carefully.",
    "Consumer prices rose 2.4 percent in October, according to the statistics agency.",
    "Union leaders announced further strikes for next week if talks do not resume.",
    "Critics accuse the government of underestimating the cost for small businesses.",
    "\u201cWe have no time to lose,\u201d Thomas Berger told reporters after the meeting.",
    "The opposition demanded a special session of the committee before the recess.",
    "In a recent poll, 58 percent of respondents said the reform was a mistake.",
    "A spokesperson for the company declined to comment on the allegations.",
    "Both sides said negotiations would continue in December.",
    "Last year, the court dismissed similar lawsuits on procedural grounds.",
    "Anna Keller, a spokeswoman for the campaign, called the decision a first step.",
    "The project is now expected to cost more than three billion dollars.",
    "The cabinet will discuss the draft on Friday, officials said.",
    "Parents have complained for months about cancelled classes and a lack of teachers.",
    "The report is due to be presented to lawmakers by the end of the year.",
    "Analysts expect conditions to ease only in the spring.",
]


def make_articles(n: int, seed: int = 20240, *, dense: bool = False) -> list[str]:
    """n articles of ~ARTICLE_BYTES bytes, a third German: a title line, then paragraphs.
    News-like (default): each paragraph is one snippet with places and three to five
    sentences without, about 9 place mentions per KB, at the dense end of real news (5-8
    per KB in the evaluation sets). `dense`: paragraphs of snippets only, about 27 per KB,
    a stress test."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        german = i % 3 == 0
        pool = DE_SNIPPETS if german else EN_SNIPPETS
        filler = DE_FILLER if german else EN_FILLER
        title = rng.choice(pool).split(".")[0][:70]
        paragraphs: list[str] = []
        size = len(title.encode())
        while size < ARTICLE_BYTES:
            if dense:
                para = " ".join(rng.sample(pool, rng.randint(1, 3)))
            else:
                sentences = [rng.choice(pool), *rng.sample(filler, rng.randint(3, 5))]
                rng.shuffle(sentences)
                para = " ".join(sentences)
            paragraphs.append(para)
            size += len(para.encode()) + 1
        out.append(title + "\n" + "\n".join(paragraphs))
    return out


def cli_command() -> list[str]:
    script = Path(sys.executable).with_name("storymap")
    return [str(script)] if script.exists() else [sys.executable, "-m", "storymap.cli"]


def child(code: str, env: dict[str, str] | None = None, cwd: Path = ROOT
          ) -> dict[str, float]:
    """Run Python code in a fresh process; it prints one JSON object as its last line.
    `cwd` comes first on the child's sys.path: its storymap is the one imported."""
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False,
        env={**os.environ, **(env or {})}, cwd=cwd,
    )
    if proc.returncode != 0:
        raise SystemExit(f"benchmark child failed:\n{proc.stderr}")
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


BASELINE_SPEEDUP = 1.3
"""Issue 12's floor: warm throughput at least 1.3x the baseline's pure-Python path."""
COLD_CLI = 0.6
"""Issue 12's floors: a whole `storymap places` process, in seconds; ..."""
BUILD_SECONDS = 30.0
"""... the first index build, in seconds, and its peak memory in MB; ..."""
BUILD_MB = 1024.0
RUN_MB = 300.0
"""... and the peak memory of a process that runs articles, in MB."""
MAXRSS = "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024"  # KiB on Linux → MiB


def bench_build() -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="storymap-bench-") as tmp:
        code = (
            "import json, resource, time\n"
            "t = time.perf_counter()\n"
            "from storymap import gazetteer\n"
            "gazetteer.load()\n"
            "build = time.perf_counter() - t\n"
            "gazetteer.load.cache_clear()\n"
            "t = time.perf_counter()\n"
            "gazetteer.load()\n"
            "load = time.perf_counter() - t\n"
            f"print(json.dumps({{'build': build, 'load': load, 'rss': {MAXRSS}}}))\n"
        )
        return child(code, {"STORYMAP_CACHE_DIR": tmp})


def bench_cli(runs: int) -> list[float]:
    command = [*cli_command(), "places", str(SEED)]
    # As the README's setup leaves it: the package's bytecode compiled (which matters where
    # PYTHONDONTWRITEBYTECODE is set) and the index built.
    subprocess.run([sys.executable, "-m", "compileall", "-q", "storymap"], check=False,
                   cwd=ROOT, capture_output=True)
    warm = subprocess.run(command, capture_output=True, check=False, cwd=ROOT)  # builds if needed
    if warm.returncode != 0:
        raise SystemExit(f"storymap places failed:\n{warm.stderr.decode()}")
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True, cwd=ROOT)
        times.append(time.perf_counter() - t)
    return times


def pin_to_one_core() -> str:
    try:
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"cpu {cpu}"
    except (AttributeError, OSError):
        return "not pinned"


def bench_throughput(n: int, passes: int, *, dense: bool = False
                     ) -> tuple[list[float], float, float, str]:
    """Articles per second over `passes` passes, each on n articles this process has not
    seen (a fresh seed per pass), after a warm-up pass on yet other articles, as in a running
    server (where the baseline's memos of names are warm); no article is repeated."""
    pinned = pin_to_one_core()
    from storymap import gazetteer
    from storymap.pipeline import run

    gaz = gazetteer.load()
    gaz.use_other_scripts()  # a one-time load that must not land in a timed pass
    warm = make_articles(n, seed=1, dense=dense)
    mentions = sum(len(run(a, gazetteer=gaz).mentions) for a in warm)
    if mentions < n:
        raise SystemExit(f"only {mentions} mentions in {n} articles: is the pipeline broken?")
    kb = sum(len(a.encode()) for a in warm) / 1000
    rates = [articles_per_second(make_articles(n, seed=100 + k, dense=dense))
             for k in range(passes)]
    return rates, kb / n, mentions / kb, pinned


def articles_per_second(articles: list[str]) -> float:
    """One timed pass of storymap.run over `articles` (the gazetteer already loaded)."""
    from storymap import gazetteer
    from storymap.pipeline import run

    gaz = gazetteer.load()
    t = time.perf_counter()
    for a in articles:
        run(a, gazetteer=gaz)
    return len(articles) / (time.perf_counter() - t)


def corpus_articles(path: Path, limit: int) -> list[str]:
    """The first `limit` documents of a JSONL file ({"text": ...} per line) of at least half
    ARTICLE_BYTES, each cut to ARTICLE_BYTES."""
    texts = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            text = json.loads(line).get("text", "")
            if len(text.encode()) > ARTICLE_BYTES // 2:
                texts.append(text.encode()[:ARTICLE_BYTES].decode("utf-8", "ignore"))
            if len(texts) >= limit:
                break
    if not texts:
        raise SystemExit(f"{path}: no documents of at least {ARTICLE_BYTES // 2} bytes")
    return texts


def bench_corpus_file(path: Path, limit: int) -> tuple[float, int, float]:
    """One pass over a JSONL file's documents (`corpus_articles`) after a warm-up on
    generated articles: (articles/s, n, mean KB)."""
    from storymap import gazetteer
    from storymap.pipeline import run

    gaz = gazetteer.load()
    gaz.use_other_scripts()
    texts = corpus_articles(path, limit)
    for a in make_articles(100, seed=1):
        run(a, gazetteer=gaz)
    rate = articles_per_second(texts)
    return rate, len(texts), statistics.mean(len(a.encode()) for a in texts) / 1000


def bench_seed_throughput(passes: int, repeat: int = 200) -> tuple[list[float], float]:
    """The real news sample (data/samples/seed-de.txt) run again and again: every memo is
    warm, so this is the best case, not the floor's measure."""
    from storymap import gazetteer
    from storymap.pipeline import run

    gaz = gazetteer.load()
    text = SEED.read_text("utf-8")
    run(text, gazetteer=gaz)
    rates = []
    for _ in range(passes):
        t = time.perf_counter()
        for _ in range(repeat):
            run(text, gazetteer=gaz)
        rates.append(repeat / (time.perf_counter() - t))
    return rates, len(text.encode()) / 1000


THROUGHPUT_CHILD = """
import json, os, sys
sys.path.insert(0, {bench_dir!r})
from bench_core import articles_per_second, make_articles, pin_to_one_core
pin_to_one_core()
import storymap
from storymap import gazetteer
from storymap.pipeline import run
gaz = gazetteer.load()
gaz.use_other_scripts()
for a in make_articles({n}, seed=1):
    run(a, gazetteer=gaz)
if os.environ.get("BENCH_CORPUS"):
    from pathlib import Path
    from bench_core import corpus_articles
    articles = corpus_articles(Path(os.environ["BENCH_CORPUS"]), {n})
else:
    articles = make_articles({n}, seed=int(os.environ["BENCH_SEED"]))
print(json.dumps({{"rate": articles_per_second(articles), "at": storymap.__file__}}))
"""


def bench_against_baseline(baseline: Path, n: int, passes: int, corpus: Path | None = None
                           ) -> tuple[list[float], list[float]]:
    """Throughput of this tree and of `baseline` (another checkout of storymap, run as pure
    Python with STORYMAP_PURE=1 and its own index cache), each pass in a fresh process
    pinned to one core, alternating, on the same unseen articles: the ratio of the medians
    holds even where the machine's speed drifts between minutes."""
    code = THROUGHPUT_CHILD.format(bench_dir=str(Path(__file__).resolve().parent), n=n)
    base_env = {"STORYMAP_PURE": "1", "STORYMAP_CACHE_DIR": str(baseline_cache(baseline))}
    ours, theirs = [], []
    for k in range(passes):
        seed = {"BENCH_SEED": str(100 + k)}
        if corpus is not None:  # the same real documents in every pass
            seed["BENCH_CORPUS"] = str(corpus.resolve())
        ours.append(child(code, seed)["rate"])
        result = child(code, {**seed, **base_env}, cwd=baseline)
        if not str(result["at"]).startswith(str(baseline.resolve())):
            raise SystemExit(f"the baseline child imported storymap from {result['at']}")
        theirs.append(float(result["rate"]))
    return ours, theirs


def baseline_cache(baseline: Path) -> Path:
    """A gazetteer cache of the baseline's own: a shared one would be swapped (and rebuilt)
    on every alternation, since each tree removes the other's stale index."""
    return Path(tempfile.gettempdir()) / f"storymap-baseline-cache-{baseline.resolve().name}"


def bench_memory(n: int) -> float:
    code = (
        "import json, resource, sys\n"
        f"sys.path.insert(0, {str(Path(__file__).resolve().parent)!r})\n"
        "from bench_core import make_articles\n"
        "from storymap import gazetteer\n"
        "from storymap.pipeline import run\n"
        "gaz = gazetteer.load()\n"
        f"for a in make_articles({n}, dense=True):\n"
        "    run(a, gazetteer=gaz)\n"
        f"print(json.dumps({{'rss': {MAXRSS}}}))\n"
    )
    return child(code)["rss"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--skip-build", action="store_true", help="skip the ~30 s index build")
    parser.add_argument("--runs", type=int, default=7, help="cold CLI runs (median)")
    parser.add_argument("--passes", type=int, default=5, help="throughput passes (median)")
    parser.add_argument("--articles", type=int, default=200, help="articles per pass")
    parser.add_argument("--corpus", type=Path, action="append", default=[],
                        help="also time a JSONL file of real articles (repeatable)")
    parser.add_argument("--baseline", type=Path, default=None,
                        help="another checkout (e.g. of 5790c27) to compare throughput with")
    args = parser.parse_args()

    rows: list[tuple[str, str, str, str, str]] = []
    good = True

    def row(name: str, value: float, fmt: str, floor: float | None = None,
            at_most: bool = True) -> bool:
        if floor is None:
            rows.append((name, format(value, fmt), "", "", ""))
            return True
        ok = value <= floor if at_most else value >= floor
        sign = "≤" if at_most else "≥"
        rows.append((name, format(value, fmt), f"{sign} {format(floor, fmt)}",
                     f"{value / floor:.2f}", "ok" if ok else "MISSED"))
        return ok

    print(f"storymap core benchmark ({sys.version.split()[0]}, {os.cpu_count()} cpus)",
          file=sys.stderr)
    if not args.skip_build:
        print("building the index into a temporary cache dir …", file=sys.stderr)
        build = bench_build()
        good &= row("first index build (s)", build["build"], ".1f", BUILD_SECONDS)
        row("index load from cache, in process (s)", build["load"], ".2f")
        good &= row("peak memory while building (MB)", build["rss"], ".0f", BUILD_MB)
    print(f"cold CLI, {args.runs} runs …", file=sys.stderr)
    cli_times = bench_cli(args.runs)
    good &= row(f"cold CLI `storymap places` seed, median of {args.runs} (s)",
               statistics.median(cli_times), ".2f", COLD_CLI)
    rows.append(("  range", f"{min(cli_times):.2f}-{max(cli_times):.2f}", "", "", ""))
    print(f"memory, {args.articles} articles …", file=sys.stderr)
    good &= row(f"peak memory: load + {args.articles} articles (MB)",
                bench_memory(args.articles), ".0f", RUN_MB)
    print(f"throughput, {args.passes} passes …", file=sys.stderr)
    rates, mean_kb, density, pinned = bench_throughput(args.articles, args.passes)
    row(f"warm throughput, news-like {mean_kb:.1f} KB articles ({density:.0f} places/KB),"
        " median (articles/s)", statistics.median(rates), ",.0f")
    rows.append((f"  range over {args.passes} passes, one core ({pinned})",
                 f"{min(rates):,.0f}-{max(rates):,.0f}", "", "", ""))
    rates, mean_kb, density, _ = bench_throughput(args.articles, args.passes, dense=True)
    row(f"stress: dense {mean_kb:.1f} KB articles ({density:.0f} places/KB), median (articles/s)",
        statistics.median(rates), ",.0f")
    if args.baseline is not None:
        print(f"against the baseline {args.baseline} …", file=sys.stderr)
        ours, theirs = bench_against_baseline(args.baseline, args.articles, args.passes)
        for name, rates in (("this tree", ours), (f"baseline {args.baseline.name} (pure)", theirs)):
            row(f"  {name}, alternating fresh processes, median (articles/s)",
                statistics.median(rates), ",.0f")
            rows.append(("    range", f"{min(rates):,.0f}-{max(rates):,.0f}", "", "", ""))
        good &= row("  this tree / baseline, ratio of medians",
                    statistics.median(ours) / statistics.median(theirs), ".2f",
                    BASELINE_SPEEDUP, at_most=False)
        for path in args.corpus:  # real articles, where the baseline's memos help less
            print(f"against the baseline on {path.name} …", file=sys.stderr)
            ours, theirs = bench_against_baseline(args.baseline, args.articles, args.passes,
                                                  path)
            row(f"  {path.name}: this tree / baseline, ratio of medians (articles/s "
                f"{statistics.median(ours):,.0f} / {statistics.median(theirs):,.0f})",
                statistics.median(ours) / statistics.median(theirs), ".2f")
    seed_rates, seed_kb = bench_seed_throughput(args.passes)
    row(f"the seed article ({seed_kb:.1f} KB news), repeated, median (articles/s)",
        statistics.median(seed_rates), ",.0f")
    for path in args.corpus:
        rate, count, kb = bench_corpus_file(path, args.articles)
        row(f"{path.name}: {count} unseen documents, {kb:.1f} KB each (articles/s)", rate, ",.0f")

    header = ("measure", "measured", "floor", "ratio", "")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(5)]
    for r in [header, tuple("-" * w for w in widths), *rows]:
        cells = [r[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(r[1:], widths[1:],
                                                                      strict=True)]
        print("  ".join(cells).rstrip())
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())

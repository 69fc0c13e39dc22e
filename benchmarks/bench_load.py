"""Concurrent readers (issue 13, point 8): `bench_app.py --load` runs this.

One Chromium, `CONTEXTS` browser contexts at once (asyncio Playwright), every non-local request
blocked. Each context opens the app, pastes an article of its own (cities of its own, from
`CITIES`), builds it, waits for the embedded map, corrects one place (its first city, every
mention of it, is "not a place", through Corrections → Fix a mention) and downloads the story
map HTML and the story JSON. Each story must place its own two other cities and not the one
it dropped, and the HTML must name none of the other sessions' cities (no state or correction
shared between sessions). Prints a table;
exits 1 on any error.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from pathlib import Path
from typing import Any

import psutil

CONTEXTS = 10
TIMEOUT_MS = 180_000
# Three cities per article, none shared between articles.
CITIES = [
    ("Madrid", "Lisbon", "Seville"), ("Oslo", "Bergen", "Stockholm"),
    ("Warsaw", "Krakow", "Gdansk"), ("Athens", "Thessaloniki", "Patras"),
    ("Dublin", "Cork", "Galway"), ("Vienna", "Salzburg", "Innsbruck"),
    ("Budapest", "Debrecen", "Szeged"), ("Prague", "Brno", "Ostrava"),
    ("Helsinki", "Tampere", "Turku"), ("Copenhagen", "Aarhus", "Odense"),
]
ENGLISH = ("The mayor of {0} met officials from {1} on Monday. Later the delegation travelled "
           "on to {2}, where protests had closed the main square. Officials in {0} said the "
           "talks would continue next week.")
GERMAN = ("Der Bürgermeister von {0} traf am Montag Vertreter aus {1}. Danach reiste die "
          "Delegation weiter nach {2}, wo Proteste den Hauptplatz gesperrt hatten. In {0} "
          "hieß es, die Gespräche gingen nächste Woche weiter.")
MAP_FRAME = '.st-key-story_map iframe[title="st.iframe"]'


def article(k: int) -> str:
    return (ENGLISH if k % 2 == 0 else GERMAN).format(*CITIES[k])


def server_rss_mb(pid: int) -> float:
    """Resident memory of the streamlit process and its children."""
    proc = psutil.Process(pid)
    procs = [proc, *proc.children(recursive=True)]
    return float(sum(p.memory_info().rss for p in procs)) / 2**20


async def reader(browser: Any, url: str, k: int) -> dict[str, Any]:
    result: dict[str, Any] = {"k": k, "error": None}
    context = await browser.new_context(viewport={"width": 1440, "height": 1000},
                                        accept_downloads=True)

    async def route(r: Any) -> None:
        if r.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:",
                                     "about:")):
            await r.continue_()
        else:
            await r.abort()

    await context.route("**/*", route)
    page = await context.new_page()
    try:
        await page.goto(url)
        frame = page.frame_locator(MAP_FRAME)
        await frame.locator("html[data-storymap-ready]").wait_for(
            timeout=TIMEOUT_MS, state="attached")  # the sample first
        await page.locator(".st-key-input_tabs [role=tab]").nth(1).click()
        await page.locator(".st-key-paste_text textarea").fill(article(k))
        t0 = time.monotonic()
        await page.locator(".st-key-build button").click()
        first = CITIES[k][0]
        await frame.locator("button.sm-mention", has_text=first).first.wait_for(
            timeout=TIMEOUT_MS)
        await frame.locator(".sm-marker, .marker-cluster").first.wait_for(timeout=TIMEOUT_MS)
        result["map"] = time.monotonic() - t0
        result["correction"] = await drop_first_city(page)
        html = await download(page, "html")
        story = json.loads(await download(page, "story-json"))
        placed = {story["article"][m["start"]:m["end"]] for m in story["mentions"]
                  if m["place_id"]}
        dropped, *kept = CITIES[k]
        own = [c for c in kept if c not in placed]
        undropped = dropped in placed
        others = [c for j, cs in enumerate(CITIES) if j != k for c in cs if c in html]
        result["download_ok"] = not own and not others and not undropped
        if not result["download_ok"]:
            result["error"] = (f"download: missing {own}, foreign {others}, dropped place "
                               f"still there: {undropped}")
    except Exception as e:
        result["error"] = f"{type(e).__name__}: {str(e).splitlines()[0]}"
    finally:
        await context.close()
    return result


async def download(page: Any, kind: str) -> str:
    """The text of the sidebar download `kind` ("html", "story-json"). A script run that
    finishes while the download starts replaces the button and cancels it: try again."""
    for attempt in range(3):
        await page.locator('[data-testid="stStatusWidget"]').wait_for(
            state="hidden", timeout=TIMEOUT_MS)
        try:
            async with page.expect_download(timeout=TIMEOUT_MS) as info:
                await page.locator(f'[class*="st-key-dl"][class*="{kind}"] button').click()
            return Path(await (await info.value).path()).read_text("utf-8")
        except Exception as e:
            if "canceled" not in str(e) or attempt == 2:
                raise
            await asyncio.sleep(0.5)
    raise AssertionError("unreachable")


async def drop_first_city(page: Any) -> float:
    """Mark the first mention group (the article's first city, all its mentions) as not a
    place; the seconds from the click on Apply until the notice beside it shows."""
    await page.get_by_role("tab", name="Corrections").click()
    apply = page.get_by_role("button", name="Apply", exact=True)
    await apply.wait_for(timeout=TIMEOUT_MS)
    await page.locator('[data-testid="stRadio"]').filter(has_text="It means").get_by_text(
        "Not a place", exact=True).click()
    await page.locator('[data-testid="stStatusWidget"]').wait_for(
        state="hidden", timeout=TIMEOUT_MS)
    t0 = time.monotonic()
    await apply.click()
    await page.locator('[data-testid="stAlert"]', has_text="now means").wait_for(
        timeout=TIMEOUT_MS)
    return time.monotonic() - t0


async def run_all(executable: str, flags: list[str], url: str) -> list[dict[str, Any]]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=executable, args=flags)
        results = await asyncio.gather(*(reader(browser, url, k) for k in range(CONTEXTS)))
        await browser.close()
    return list(results)


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] \
        if len(values) > 1 else values[0]


def load(server: Any, executable: str, flags: list[str]) -> int:
    """Run the concurrent readers against a warm `server`; print the table."""
    before = server_rss_mb(server.proc.pid)
    t0 = time.monotonic()
    results = asyncio.run(run_all(executable, flags, server.url))
    wall = time.monotonic() - t0
    after = server_rss_mb(server.proc.pid)
    errors = [r for r in results if r["error"]]
    maps = [r["map"] for r in results if "map" in r]
    fixes = [r["correction"] for r in results if "correction" in r]
    for r in errors:
        print(f"context {r['k']}: {r['error']}")
    print(f"Concurrent readers: {CONTEXTS} contexts at once, one Chromium, warm server "
          f"(seconds; wall {wall:.1f} s)")
    rows = [("contexts", f"{CONTEXTS}"), ("errors", f"{len(errors)}")]
    if maps:
        rows += [("build → map p50", f"{pct(maps, 50):.2f}"),
                 ("build → map p95", f"{pct(maps, 95):.2f}"),
                 ("build → map min / max", f"{min(maps):.2f} / {max(maps):.2f}")]
    if fixes:
        rows += [("correction → notice p50", f"{pct(fixes, 50):.2f}"),
                 ("correction → notice p95", f"{pct(fixes, 95):.2f}")]
    rows += [("download ok", f"{sum(bool(r.get('download_ok')) for r in results)}"),
             ("server RSS before (MB)", f"{before:.0f}"),
             ("server RSS after (MB)", f"{after:.0f}")]
    for name, value in rows:
        print(f"{name:<28} {value:>14}")
    return 1 if errors else 0

"""storymap in the browser: read an article, browse its places, correct them, export.

    streamlit run streamlit_app.py

A thin UI over the library: `storymap.app_state` holds the logic (uploads, corrections,
views), `storymap.render.render_app` draws the map, `storymap.export` writes the files. The
map is built once per story; a click, a step or a selection only moves it (`center`, `zoom`)
or changes the highlight layer (`feature_group_to_add`), so it never reloads.

For a fast first page: the rendered map is cached per story (`map_payload`), the page does not
run twice on load (`MAP_DEFAULT`), and widgets that are not in view at first (the Paste and
Upload tabs, the language and geocoder choices) are built only when opened, so the browser
loads their code only then.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import html
import logging
import pickle
import re
from collections.abc import Callable
from typing import Any

import folium
import streamlit as st
from streamlit_folium import st_folium

try:  # streamlit-folium's own building blocks, so the rendered map can be cached (show_map)
    from streamlit_folium import (
        _component_func,
        _get_feature_group_string,
        _get_header,
        _get_html,
        _get_map_string,
        generate_js_hash,
        get_full_id,
    )
except ImportError:  # another streamlit-folium: plain st_folium, rendered every run
    _component_func = None

from storymap import app_state as app
from storymap import gazetteer as gazetteer_mod
from storymap import still
from storymap.errors import StorymapError
from storymap.export import dump_story, to_geojson, to_html
from storymap.gazetteer import Gazetteer
from storymap.model import FEATURES, GEONAMES_ATTRIBUTION, Place, Story
from storymap.render import app_markers, highlight_layer, render_app

log = logging.getLogger("storymap.app")

MAP_HEIGHT = 560
RETURNED = ["last_object_clicked", "last_object_clicked_tooltip", "last_object_clicked_count",
            "last_clicked"]
AUTO = "auto"
_TOP: list[Any] = []  # the messages container of this run (see messages())
ARTICLE_TAB = ":material/article: Article"
CORRECTIONS_TAB = ":material/edit: Corrections"
SAMPLE_TAB, PASTE_TAB, UPLOAD_TAB = "Sample", "Paste", "Upload"
KEPT = ("language", "geocoder", "sample_name", "paste_text")

st.set_page_config(page_title="storymap", page_icon=":material/map:", layout="wide",
                   initial_sidebar_state="expanded")

CSS = """
<style>
.block-container { padding-top: 3.4rem; padding-bottom: 2rem; }
.sm-passage { font-family: Georgia, "Times New Roman", serif; font-size: 1.02rem;
  line-height: 1.6; margin: 0 0 .8rem; white-space: pre-wrap; }
h3.sm-passage { font-size: 1.15rem; font-weight: 700; }
.sm-pn { font: 600 .72rem system-ui, sans-serif; color: #8a8f98; margin-right: .45rem;
  text-transform: uppercase; letter-spacing: .03em; }
.sm-mk { background: #fbe39b; padding: 0 2px; border-radius: 3px; color: inherit; }
.sm-mk.sm-k-adjective, .sm-mk.sm-k-metonym { background: #fdf0c4; }
.sm-mk.sm-sel { background: #f0b400; box-shadow: 0 0 0 1px #c99700; }
.sm-notplace { text-decoration: line-through dotted #aaa; color: #777; }
.sm-article { max-height: 460px; overflow-y: auto; padding-right: .6rem; }
.sm-card { border-left: 4px solid #1f4e79; background: #f5f8fb; padding: .55rem .9rem;
  border-radius: 4px; margin: .2rem 0 .8rem; }
.sm-card .sm-passage:last-child { margin-bottom: .2rem; }
.sm-place-head { font: 600 1.1rem system-ui, sans-serif; margin: 0; }
.sm-dot { display: inline-block; width: .8rem; height: .8rem; border-radius: 50%;
  background: #f0b400; box-shadow: 0 0 0 3px rgba(240,180,0,.3); margin-right: .5rem; }
.sm-place-sub { color: #5f6670; font-size: .86rem; margin: .1rem 0 .6rem; }
.sm-legend { font-size: .78rem; color: #5f6670; display: flex; gap: .9rem; flex-wrap: wrap; }
.sm-legend i { display: inline-block; width: .7rem; height: .7rem; border-radius: 50%;
  margin-right: .3rem; vertical-align: -1px; border: 1.5px solid #fff;
  box-shadow: 0 0 0 1px #aaa; }
</style>
"""


# -- cached work ----------------------------------------------------------------------------


@st.cache_resource(show_spinner="Loading the gazetteer (the very first run builds it, "
                   "about half a minute)…")
def gazetteer() -> Gazetteer:
    return gazetteer_mod.load()


@st.cache_data(show_spinner=False, max_entries=64)
def cached_story(text: str, language: str | None, geocoder: str,
                 hint: tuple[str, ...]) -> Story:
    return app.build_story(text, language=language, gazetteer=gazetteer(), geocoder=geocoder,
                           hint_countries=hint)


@st.cache_resource(show_spinner=False)
def built_stories() -> set[tuple[Any, ...]]:
    """Digests of the `cached_story` arguments already built in this server process (see
    `built_key`); cleared when it reaches BUILT_STORIES_CAP."""
    return set()


BUILT_STORIES_CAP = 1024


def built_key(text: str, language: str | None, geocoder: str,
              hint: tuple[str, ...]) -> tuple[Any, ...]:
    """What `built_stories` keeps of an article: a digest, not the text (up to 2 MB)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(), language, \
        geocoder, hint


# -- state ----------------------------------------------------------------------------------

ss = st.session_state


def set_story(story: Story, *, source: dict[str, Any] | None, base: Story | None = None,
              log_: list[dict[str, Any]] | None = None, keep_history: bool = False) -> None:
    """Put a new story on screen (the previous one stays until this succeeds)."""
    if keep_history and "story" in ss:
        ss.history = [*ss.get("history", []), (ss.story, ss.base, list(ss.log))][-20:]
    elif not keep_history:
        ss.history = []
    ss.story = story
    ss.base = base if base is not None else story
    ss.log = list(log_ or [])
    if source is not None:
        ss.source = source
    ss.rev = ss.get("rev", 0) + 1
    ss.focus = {"mode": "overview"}
    ss.view = None
    ss.pop("picked", None)


def messages() -> Any:
    """The container at the top of the page for progress, errors and notices. It is always
    there, so the elements below it (the map above all) keep their place in the page from
    run to run; a moved map would be mounted again."""
    return _TOP[0] if _TOP else st


def fail(message: str) -> None:
    ss.error = message


def notify(message: str) -> None:
    ss.notice = message


def language_choice() -> str | None:
    value = ss.get("language", AUTO)
    return None if value == AUTO else str(value)


def geocoder_choice() -> str:
    return str(ss.get("geocoder", app.EMBEDDED))


def build_from_text(text: str, name: str, *, language: str | None = None,
                    hint: tuple[str, ...] = (), quiet: bool = False) -> bool:
    """Geoparse text and show it; on failure show why and keep the story on screen.

    `quiet`: no progress box when the story is already built (the sample on a first visit)."""
    args = (text, language, geocoder_choice(), hint)
    if quiet and len(text) >= 2000 and built_key(*args) in built_stories():
        try:
            story = cached_story(*args)
        except StorymapError:
            pass  # not built after all: the status below says why
        else:
            set_story(story, source={"text": story.article, "name": name,
                                     "language": language, "hint": hint})
            return True
    with messages().status(f"Building the story map for {name}…", expanded=False) as status:
        try:
            if len(text) < 2000 and (fetched := _fetch(text, status)) is not None:
                text, name = fetched, text.strip()
            gazetteer()
            status.update(label="Finding and resolving places…")
            story = cached_story(text, language, geocoder_choice(), hint)
        except StorymapError as exc:
            status.update(label="The article could not be read", state="error")
            fail(str(exc))
            return False
        built = built_stories()
        if len(built) >= BUILT_STORIES_CAP:
            built.clear()
        built.add(built_key(text, language, geocoder_choice(), hint))
        status.update(label=f"Story map ready: {len(story.places)} places", state="complete")
    set_story(story, source={"text": story.article, "name": name, "language": language,
                             "hint": hint})
    return True


def _fetch(text: str, status: Any) -> str | None:
    status.update(label="Fetching the web page…")
    return app.fetch_url(text)


def rebuild(hint: tuple[str, ...] | None = None) -> None:
    """Re-run the current article (new language, geocoder or region hint) and replay the
    person's corrections on top."""
    source = ss.source
    hint = tuple(source.get("hint", ())) if hint is None else hint
    log_ = list(ss.log)
    history_entry = (ss.story, ss.base, list(ss.log))
    if source.get("loaded"):
        base = ss.loaded_base
        if hint:
            base = app.apply_hint(base, hint)
    else:
        with messages(), st.spinner("Re-resolving every mention…"):
            try:
                base = cached_story(source["text"], language_choice(), geocoder_choice(), hint)
            except StorymapError as exc:
                fail(str(exc))
                return
    story = app.apply_corrections(base, log_)
    ss.history = [*ss.get("history", []), history_entry][-20:]
    ss.story, ss.base, ss.log = story, base, log_
    ss.source = {**source, "hint": hint}
    ss.rev += 1
    ss.focus = {"mode": "overview"}
    ss.view = None


def correct(correction: dict[str, Any], message: str) -> None:
    try:
        story = app.apply_correction(ss.story, correction)
    except (KeyError, ValueError) as exc:
        fail(f"That correction does not fit the story: {exc}")
        return
    ss.history = [*ss.get("history", []), (ss.story, ss.base, list(ss.log))][-20:]
    ss.story = story
    ss.log = [*ss.log, correction]
    ss.rev += 1
    notify(message)


def focus_places(ids: list[str], *, center: bool = True) -> None:
    story: Story = ss.story
    ids = [i for i in ids if story.place(i) is not None]
    if not ids:
        return
    ss.focus = {"mode": "place", "ids": ids}
    if center:
        move_to(ids)


def move_to(ids: list[str]) -> None:
    view = app.view_for(ss.story, ids)
    if view is not None:
        (lat, lon), zoom = view
        ss.view = {"lat": lat, "lon": lon, "zoom": zoom, "nonce": ss.get("nonce", 0) + 1}
        ss.nonce = ss.view["nonce"]


def overview() -> None:
    story: Story = ss.story
    ss.focus = {"mode": "overview"}
    move_to([p.id for p in story.places])


def go_step(i: int) -> None:
    steps = ss.story.steps()
    if not steps:
        return
    i = max(0, min(len(steps) - 1, i))
    ss.focus = {"mode": "step", "step": i}
    move_to([p.id for p in steps[i][1]])


def on_step_slider() -> None:
    value = int(ss.step_slider)
    if value == 0:
        overview()
    else:
        go_step(value - 1)


def step_by(delta: int) -> None:
    focus = ss.focus
    current = focus.get("step", -1) if focus.get("mode") == "step" else -1
    if current == -1 and delta < 0:
        current = len(ss.story.steps())
    go_step(current + delta)


def on_pill(key: str) -> None:
    value = ss.get(key)
    if value:
        focus_places([str(value)])
    ss[key] = None


def undo() -> None:
    history = ss.get("history", [])
    if not history:
        return
    ss.story, ss.base, log_ = history[-1]
    ss.log = list(log_)
    ss.history = history[:-1]
    ss.rev += 1
    ss.focus = {"mode": "overview"}
    notify("Undone.")


# -- input ----------------------------------------------------------------------------------


def load_sample(name: str = app.SAMPLE_NAME, *, quiet: bool = False) -> None:
    build_from_text(app.sample_text(name), f"the sample article ({name})",
                    language=language_choice(), quiet=quiet)


def handle_upload(upload: Any) -> None:
    name = getattr(upload, "name", "upload")
    data = upload.getvalue()
    try:
        loaded = app.read_upload(name, data)
    except StorymapError as exc:
        fail(str(exc))
        return
    if loaded.story is not None:
        set_story(loaded.story, source={"text": loaded.story.article, "name": loaded.name,
                                        "language": loaded.story.language, "hint": (),
                                        "loaded": True})
        ss.loaded_base = loaded.story
        notify(f"Continuing the saved story from {loaded.name}: {len(loaded.story.places)} "
               "places, corrections included.")
        return
    assert loaded.text is not None
    build_from_text(loaded.text, loaded.name, language=language_choice())


def request_input(kind: str) -> None:
    """A sidebar button's callback: the build itself runs in `handle_input`, where its progress
    and errors have their place at the top of the page."""
    ss.input_request = kind


def handle_input() -> None:
    """Act on the sidebar's inputs before anything is drawn, so the page (the map first) is
    drawn once, for the story that results; the sidebar itself is drawn last."""
    kind = ss.pop("input_request", None)
    if kind == "sample":
        load_sample(str(ss.get("sample_name") or app.SAMPLE_NAME))
    elif kind == "paste":
        build_from_text(str(ss.get("paste_text") or ""), "the pasted article",
                        language=language_choice())
    upload = ss.get("upload")
    if upload is not None and ss.get("upload_seen") != upload.file_id:
        ss.upload_seen = upload.file_id
        handle_upload(upload)


def sidebar_inputs() -> None:
    sb = st.sidebar
    sb.markdown("## :material/map: storymap")
    sb.caption("Turn a news article into an interactive story map, offline.")
    # only the open tab is built: the text area's and the file uploader's code is loaded when
    # their tab is opened, not with the page
    sample_tab, paste_tab, upload_tab = sb.tabs([SAMPLE_TAB, PASTE_TAB, UPLOAD_TAB],
                                                key="input_tabs", on_change="rerun")
    if sample_tab.open:
        with sample_tab:
            samples = app.sample_names()
            if len(samples) > 1:
                st.selectbox("Sample article", samples, key="sample_name",
                             label_visibility="collapsed")
            st.button("Load the sample article", key="load_sample", width="stretch",
                      on_click=request_input, args=("sample",))
    if paste_tab.open:
        with paste_tab:
            st.text_area("Article text", key="paste_text", height=200,
                         placeholder="Paste a news article (title on the first line, then its "
                         "paragraphs) or its web address.")
            st.button("Build story map", key="build", type="primary", width="stretch",
                      on_click=request_input, args=("paste",))
    if upload_tab.open:
        with upload_tab:
            st.file_uploader(
                "Article (.txt, .md, .html, .docx) or a saved story (.json)",
                type=list(app.UPLOAD_TYPES), key="upload",
                help="A story JSON downloaded from this app continues where you left off, "
                     "corrections included.")

    # built only when open (the choices are kept meanwhile, see KEPT): the page loads without
    # the select boxes' code
    options = sb.expander("Language and geocoder", key="options_open", on_change="rerun",
                          icon=":material/tune:")
    if not options.open:
        return
    names = app.language_names()
    story: Story | None = ss.get("story")
    detected = f"Auto-detect ({names.get(story.language, story.language)})" if story else \
        "Auto-detect"
    options.selectbox("Language", [AUTO, *names], key="language",
                      format_func=lambda c: detected if c == AUTO else f"{names[c]} ({c})",
                      on_change=lambda: ss.update(pending="rebuild"),
                      help="Detected from the text; choose one if detection gets it wrong.")
    geocoders = app.geocoder_names()
    options.selectbox("Geocoder", list(geocoders), key="geocoder",
                      format_func=app.geocoder_label,
                      on_change=lambda: ss.update(pending="rebuild"),
                      help="Where place names are looked up. The embedded gazetteer works "
                           "offline; online geocoders are used when you search for a place "
                           "to add" + (" and to resolve mentions." if app.core_takes_geocoder()
                                       else "."))


# -- the map and the panel ------------------------------------------------------------------


def current_markers() -> list[dict[str, Any]]:
    key = ("markers", ss.rev)
    if ss.get("markers_key") != key:
        ss.markers = app_markers(ss.story)
        ss.markers_key = key
    markers: list[dict[str, Any]] = ss.markers
    return markers


def map_event(out: dict[str, Any] | None) -> bool:
    """Handle a marker click (focus its places) or a map click (the point for a new place).
    The component's last value is in session state when the run starts, so the panel and the
    highlight reflect a click in the same run. True when something new was handled."""
    if not out:
        return False
    changed = False
    count = out.get("last_object_clicked_count")
    clicked = out.get("last_object_clicked")
    if count and clicked and ss.get("click_seen") != (ss.map_key, count):
        ss.click_seen = (ss.map_key, count)
        ids = app.marker_for_click(current_markers(), float(clicked["lat"]),
                                   float(clicked["lng"]), out.get("last_object_clicked_tooltip"))
        if ids:
            focus_places(ids, center=False)
            changed = True
    point = out.get("last_clicked")
    if point and ss.get("map_click_seen") != (ss.map_key, point["lat"], point["lng"]):
        ss.map_click_seen = (ss.map_key, point["lat"], point["lng"])
        if ss.get("add_mode") == "map":
            ss.picked = (round(float(point["lat"]), 5), round(float(point["lng"]), 5))
            changed = True
    return changed


# The map's initial value: what streamlit-folium's map reports before any click, in the order
# its frontend reports it. st_folium's own default has `None` for the click count where the
# frontend says 0, so every page load sent a "new" value back and ran the script once more.
MAP_DEFAULT = {"last_clicked": None, "last_object_clicked": None,
               "last_object_clicked_count": 0, "last_object_clicked_tooltip": None}
assert set(MAP_DEFAULT) == set(RETURNED)


def story_fingerprint(story: Story) -> str:
    """A digest of the story on screen, computed once per story object (kept in the session
    across runs): hashing a long article's story on every click would cost milliseconds."""
    if ss.get("fingerprint_of") is not story:
        ss.fingerprint = hashlib.sha1(pickle.dumps(story), usedforsecurity=False).hexdigest()
        ss.fingerprint_of = story
    return str(ss.fingerprint)


@st.cache_resource(max_entries=16, show_spinner=False)
def map_payload(fingerprint: str, _story: Story) -> dict[str, Any]:
    """What streamlit-folium sends for a story's map (its HTML, script, asset links and
    component key), built once per story and shared by every session: st_folium renders the
    whole map again on every run, a tenth of a second on each page load and each click."""
    m = render_app(_story)
    m.get_root().render()
    m.render()  # type: ignore[no-untyped-call]  # folium is untyped
    html_, header = _get_html(m), _get_header(m)
    script = _get_map_string(m)  # after this, the map's id is streamlit-folium's "map_div"

    def walk(el: Any) -> Any:
        yield el
        for child in getattr(el, "_children", {}).values():
            yield from walk(child)

    elements = list(walk(m))
    return {
        "script": script, "header": header, "html": html_,
        "id": get_full_id(m),
        "key": generate_js_hash(script, "map", False),
        "css_links": list(dict.fromkeys(h for e in elements
                                        for _, h in getattr(e, "default_css", []))),
        "js_links": list(dict.fromkeys(h for e in elements
                                       for _, h in getattr(e, "default_js", []))),
    }


def folium_map(story: Story, *, center: tuple[float, float] | None, zoom: float | None,
               highlight: folium.FeatureGroup) -> dict[str, Any]:
    """st_folium(render_app(story), key="map", ...) with the rendered map cached per story and
    the true initial value (MAP_DEFAULT): the same component, arguments and key, so a new
    story mounts a new map and a click, a step or a selection only moves the mounted one."""
    if _component_func is None:
        return st_folium(render_app(story), key="map", height=MAP_HEIGHT,
                         use_container_width=True, returned_objects=RETURNED, center=center,
                         zoom=zoom, feature_group_to_add=highlight) or {}
    payload = map_payload(story_fingerprint(story), story)
    hash_key = payload["key"]

    def on_change() -> None:  # as st_folium's: the last value under the "map" key
        ss["map"] = ss.get(hash_key, {})

    out = _component_func(
        script=payload["script"], header=payload["header"], html=payload["html"],
        id=payload["id"], key=hash_key, height=MAP_HEIGHT, width=None,
        returned_objects=RETURNED, default=MAP_DEFAULT, zoom=zoom, center=center,
        feature_group=_get_feature_group_string(highlight, map=folium.Map(tiles=None), idx=0),
        return_on_hover=False, layer_control=None, pixelated=False,
        css_links=payload["css_links"], js_links=payload["js_links"], on_change=on_change,
        wrap_longitude=False,
    )
    return dict(out or {})


def show_map(story: Story) -> None:
    if ss.get("map_key") != ss.rev:
        # a new story gets a new map: clicks on the old one are history
        ss.map_key = ss.rev
        ss["map"] = None
    map_event(ss.get("map"))
    focus = ss.focus
    if focus.get("mode") == "place":
        ids = list(focus["ids"])
    elif focus.get("mode") == "step":
        steps = story.steps()
        ids = [p.id for p in steps[focus["step"]][1]] if focus["step"] < len(steps) else []
    else:
        ids = []
    rings = app.marker_positions(story, ids)
    highlight = highlight_layer(rings)
    picked = ss.get("picked")
    if picked is not None:
        folium.CircleMarker([picked[0], picked[1]], radius=7, color="#1f4e79", weight=3,
                            fill=True, fill_color="#ffffff", fill_opacity=1,
                            interactive=False).add_to(highlight)
    view = ss.get("view")
    center = zoom = None
    if view:
        eps = view["nonce"] * 1e-9  # a new value each time, so the same place re-centres
        center = (view["lat"] + eps, view["lon"])
        zoom = view["zoom"] + eps
    out = folium_map(story, center=center, zoom=zoom, highlight=highlight)
    if map_event(out):
        st.rerun()  # only when the event came in after this run started
    legend = "".join(
        f'<span><i style="background:{c}"></i>{n}</span>'
        for n, c in (("country (at its capital when it acts)", "#b03a2e"), ("city", "#2e6da4"),
                     ("region", "#1e8449"), ("landmark", "#7d3c98"), ("water", "#1b9fc6"))
    )
    st.html(f'<div class="sm-legend">{legend}<span>Click a marker for its passages.'
            "</span></div>")


def place_pills(story: Story, ids: list[str], key: str, label: str) -> None:
    if not ids:
        return
    lang = story.language
    labels = {pid: p.label(lang) if (p := story.place(pid)) is not None else pid for pid in ids}
    st.pills(label, ids, key=key, format_func=lambda pid: labels[pid],
             on_change=on_pill, args=(key,))


def show_panel(story: Story) -> None:
    steps = story.steps()
    focus = ss.focus
    nav = st.columns([1, 1, 1])
    nav[0].button("◀ Previous", key="prev", on_click=step_by, args=(-1,),
                  width="stretch", disabled=not steps)
    nav[1].button("Overview", key="overview", on_click=overview, width="stretch")
    nav[2].button("Next ▶", key="next", on_click=step_by, args=(1,),
                  width="stretch", disabled=not steps)
    if steps:
        ss.step_slider = focus["step"] + 1 if focus.get("mode") == "step" else 0
        st.select_slider("Story step", list(range(len(steps) + 1)), key="step_slider",
                         on_change=on_step_slider,
                         format_func=lambda i: "Overview" if i == 0 else f"{i}",
                         help="Walk through the passages that mention places.")
    lang = story.language
    panel = st.container(key="passage_panel")
    with panel:
        if focus.get("mode") == "place":
            ids = [i for i in focus["ids"] if story.place(i) is not None]
            places = [p for i in ids if (p := story.place(i)) is not None]
            if not places:
                st.info("That place is no longer in the story.")
                return
            title = " · ".join(dict.fromkeys(p.label(lang) for p in places))
            sub = " | ".join(app.describe_place(p, lang).split(" — ", 1)[1] for p in places)
            passages = app.passages_of(story, ids)
            st.html(f'<p class="sm-place-head"><span class="sm-dot"></span>{_esc(title)}</p>'
                    f'<p class="sm-place-sub">{_esc(sub)} · mentioned in {len(passages)} '
                    f'passage{"s" if len(passages) != 1 else ""}</p>')
            body = "".join(app.passage_html(story, i, selected=ids) for i in passages)
            st.html(f'<div class="sm-card sm-place-passages">{body}</div>')
        elif focus.get("mode") == "step" and focus["step"] < len(steps):
            passage, places = steps[focus["step"]]
            st.caption(f"Step {focus['step'] + 1} of {len(steps)}")
            st.html('<div class="sm-card">'
                    + app.passage_html(story, passage.index, selected=[p.id for p in places])
                    + "</div>")
            place_pills(story, [p.id for p in places], f"pills_step_{ss.rev}",
                        "Places in this passage")
        else:
            st.caption("Overview")
            st.markdown(
                f"**{len(story.places)} places** in {len(steps)} passages. Click a marker "
                "to read what the article says there, or walk through the story with "
                "**Next ▶**."
            )
            place_pills(story, [p.id for p in story.places], f"pills_all_{ss.rev}",
                        "Go to a place")


def _esc(text: str) -> str:
    return html.escape(text)


# -- corrections ----------------------------------------------------------------------------


def show_corrections(story: Story) -> None:
    lang = story.language
    st.markdown("**Places in the story.** Tick *Not a place* to drop a wrong one.")
    rows = app.places_table(story)
    if rows:
        import pandas as pd

        df = pd.DataFrame(rows).set_index("id")
        edited = st.data_editor(
            df,
            key=f"places_{ss.rev}",
            width="stretch",
            hide_index=True,
            disabled=[c for c in df.columns if c != "Not a place"],
            column_config={
                "Not a place": st.column_config.CheckboxColumn(
                    "Not a place", help="Drop this place and all its mentions"),
                "Confidence": st.column_config.ProgressColumn(
                    "Confidence", min_value=0.0, max_value=1.0, format="%.2f"),
                "Latitude": st.column_config.NumberColumn(format="%.4f"),
                "Longitude": st.column_config.NumberColumn(format="%.4f"),
            },
        )
        dropped = [str(i) for i in edited.index[edited["Not a place"].astype(bool)]]
        if dropped:
            for pid in dropped:
                place = story.place(pid)
                correct(app.drop_place(pid),
                        f"Dropped {place.label(lang) if place else pid}: not a place.")
            st.rerun()
    else:
        st.info("No places yet: add the ones the article names below.")

    left, right = st.columns(2, gap="large")
    with left:
        fix_mention(story)
    with right:
        add_missed_place(story)
    st.divider()
    region_hint(story)
    if ss.get("history"):
        st.button("Undo the last change", key="undo", on_click=undo, icon=":material/undo:")


def fix_mention(story: Story) -> None:
    st.markdown("**Fix a mention**")
    groups = app.mention_groups(story)
    if not groups:
        st.caption("No mentions to fix.")
        return
    lang = story.language

    def group_label(k: int) -> str:
        g = groups[k]
        place = story.place(g.place_id) if g.place_id else None
        target = place.label(lang) if place else "not a place"
        return f"“{g.text}” → {target} ({len(g.spans)} times)"

    key = f"fix_group_{ss.rev}"

    def centre_on_group() -> None:
        chosen = groups[int(ss.get(key) or 0)]
        if chosen.place_id:
            focus_places([chosen.place_id])

    k = st.selectbox("Mention", range(len(groups)), key=key, format_func=group_label,
                     on_change=centre_on_group, help="Choosing one shows it on the map.")
    group = groups[int(k or 0)]
    mention = app.mention_at(story, *group.first)
    if mention is None:
        return
    options: list[Place | None] = [*app.candidates_for(story, mention), None]
    choice = st.radio(
        "It means", range(len(options)), key=f"fix_choice_{ss.rev}_{k}",
        format_func=lambda i: "Not a place" if (o := options[i]) is None
        else app.describe_place(o, lang),
    )
    all_identical = st.checkbox(f"Apply to all {len(group.spans)} identical mentions",
                                value=True, key=f"fix_all_{ss.rev}_{k}",
                                disabled=len(group.spans) < 2)
    if st.button("Apply", key=f"fix_apply_{ss.rev}"):
        place = options[int(choice or 0)]
        correct(app.correct_mention(mention.start, mention.end, place,
                                    all_identical=all_identical),
                f"“{mention.text}” now means "
                f"{place.label(lang) if place else 'not a place'}.")
        st.rerun()


def add_missed_place(story: Story) -> None:
    st.markdown("**Add a missed place**")
    name = st.text_input("Name as written in the article", key="add_name",
                         placeholder="e.g. Pjöngjang")
    mode = st.radio("Where is it?", ["search", "map"], key="add_mode", horizontal=True,
                    format_func=lambda m: "Search by name" if m == "search"
                    else "Click on the map")
    place: Place | None = None
    if mode == "search":
        query = st.text_input("Search for", key="add_query", value="",
                              placeholder="defaults to the name above")
        q = (query or name).strip()
        results: list[Place] = []
        if q:
            try:
                results = app.search_places(q, gazetteer(), geocoder_choice(),
                                            language=story.language)
            except StorymapError as exc:
                st.error(str(exc))
        if q and not results:
            st.caption(f"Nothing called “{q}” in the {app.geocoder_label(geocoder_choice())}. "
                       "Try another spelling, or click on the map.")
        if results:
            k = st.selectbox("Place", range(len(results)), key="add_result",
                             format_func=lambda i: app.describe_place(results[i],
                                                                      story.language))
            place = results[int(k or 0)]
    else:
        picked = ss.get("picked")
        feature = st.selectbox("Kind of place", FEATURES, index=FEATURES.index("city"),
                               key="add_feature")
        if picked is None:
            st.caption("Click the map where the place is.")
        else:
            st.caption(f"Picked {picked[0]:.4f}, {picked[1]:.4f}")
            place = app.user_place(name or "Place", picked[0], picked[1], feature=feature)
    spans = app.find_spans(story, name) if name.strip() else []
    if name.strip() and not spans:
        st.caption(f"“{name.strip()}” does not occur in the article as a whole word.")
    if st.button("Add place", key="add_button", disabled=not (place and spans)):
        assert place is not None
        label = name.strip()
        if place.id.startswith("user:") or story.language not in place.labels:
            place = dataclasses.replace(place, labels={**place.labels, story.language: label})
        correct(app.add_place(place, spans),
                f"Added {label}: {len(spans)} mention{'s' if len(spans) != 1 else ''}.")
        ss.pop("picked", None)
        st.rerun()


def region_hint(story: Story) -> None:
    st.markdown("**Region hint.** Tell the resolver what the article is about; every mention "
                "is resolved again with that bias (your own corrections are kept).")
    names = app.country_names()
    current = tuple(ss.source.get("hint", ()))
    cols = st.columns([3, 1])
    chosen = cols[0].multiselect("This article is about", list(names), default=list(current),
                                 key=f"hint_{ss.rev}", format_func=lambda c: names[c],
                                 placeholder="Choose countries")
    cols[1].markdown("<div style='height:1.8rem'></div>", unsafe_allow_html=True)
    if cols[1].button("Apply hint", key="hint_apply", width="stretch",
                      disabled=tuple(chosen) == current):
        rebuild(tuple(chosen))
        shown = ", ".join(names[c] for c in chosen) or "none"
        notify(f"Region hint: {shown}. Every mention was resolved again.")
        st.rerun()


# -- export ---------------------------------------------------------------------------------


def still_svg(story: Story) -> str:
    """The still locator map, with the story's corrections, legend in the story's language."""
    return still.to_svg(story, ui_language=still.legend_language(story.language))


def still_png(story: Story) -> bytes:
    return still.to_png(story, ui_language=still.legend_language(story.language))


def downloads(story: Story) -> None:
    sb = st.sidebar
    sb.markdown("#### Export")
    files: list[tuple[str, Callable[[Story], str | bytes], str, str]] = [
        ("Story map (HTML)", to_html, ".html", "text/html"),
        ("Places (GeoJSON)", to_geojson, ".geojson", "application/geo+json"),
        ("Story (JSON, re-loadable)", dump_story, ".story.json", "application/json"),
        ("Still map (SVG)", still_svg, ".svg", "image/svg+xml"),
        ("Still map (PNG)", still_png, ".png", "image/png"),
    ]
    for label, func, suffix, mime in files:
        sb.download_button(
            label, data=functools.partial(func, story), file_name=app.download_name(story, suffix),
            mime=mime, key=f"dl{suffix}", width="stretch", on_click="ignore",
            icon=":material/download:",
        )
    n = len(ss.get("log", []))
    sb.caption("Downloads show the story as it is now"
               + (f", with your {n} correction{'s' if n != 1 else ''}." if n else "."))


# -- page -----------------------------------------------------------------------------------


def main() -> None:
    for key in KEPT:  # widgets that are not built while their tab or expander is closed
        if key in ss:
            ss[key] = ss[key]  # keeps the value, which Streamlit would drop with the widget
    st.html(CSS)
    _TOP[:] = [st.container(key="messages")]
    if "story" not in ss:
        load_sample(quiet=True)
        if "story" not in ss:  # the sample itself failed: nothing to show
            st.error(ss.pop("error", "The sample article could not be loaded."))
            st.stop()
    handle_input()
    if ss.pop("pending", None) == "rebuild":
        rebuild()
    story: Story = ss.story

    error = ss.pop("error", None)
    if error:
        messages().error(error, icon=":material/error:")
    notice = ss.pop("notice", None)
    if notice:
        messages().success(notice, icon=":material/check_circle:")

    stats = app.story_stats(story)
    lang_name = app.language_names().get(story.language, story.language)
    hint = ss.source.get("hint", ())
    st.markdown(f"### {_md(story.title) or 'Untitled article'}")
    bits = [lang_name, f"{stats['places']} places", f"{stats['mentions']} mentions",
            f"{stats['steps']} story steps", app.geocoder_label(geocoder_choice())]
    if hint:
        bits.append("region hint: " + ", ".join(app.country_names().get(c, c) for c in hint))
    st.caption(" · ".join(bits) + f" · source: {_md(ss.source.get('name', ''))}")

    map_col, panel_col = st.columns([3, 2], gap="medium")
    with map_col:
        show_map(story)
    with panel_col:
        show_panel(story)

    article_tab, corrections_tab = st.tabs([ARTICLE_TAB, CORRECTIONS_TAB], key="main_tabs",
                                           on_change="rerun")
    with article_tab:
        focus = ss.focus
        selected = focus.get("ids", []) if focus.get("mode") == "place" else []
        st.html(app.article_html(story, selected=selected))
    if corrections_tab.open:  # built only when open: the table editor is heavy to load
        with corrections_tab:
            show_corrections(story)

    # the sidebar last: its inputs were handled above (handle_input), before anything was drawn
    sidebar_inputs()
    downloads(story)
    st.sidebar.caption(GEONAMES_ATTRIBUTION + ". Map © OpenStreetMap contributors.")


def _md(text: str) -> str:
    """Text for st.markdown/caption: Markdown and HTML characters shown as themselves."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$:])", r"\\\1", text)


main()

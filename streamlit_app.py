"""storymap in the browser: read an article, browse its places, correct them, export.

    streamlit run streamlit_app.py

A thin UI over the library: `storymap.app_state` holds the logic (uploads, corrections),
`storymap.export` draws the story map and writes the files. The app shows the very map the
reader downloads (`export.to_html(story, embedded=True)` in `st.iframe`): its markers, clusters,
article text, story steps and flights all run in the browser, with no round trip to the
server. streamlit-folium is used only where the app needs a value back from a map: the point
picked for a place the article names but storymap missed (`st_folium`, its public API).

For a fast first page: the page is built once per story revision and kept in the session, and
widgets that are not in view at first (the Paste and Upload tabs, the language and geocoder
choices) are built only when opened, so the browser loads their code only then.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import logging
import re
from collections.abc import Callable
from typing import Any

import streamlit as st
from streamlit_folium import st_folium

from storymap import app_state as app
from storymap import gazetteer as gazetteer_mod
from storymap import still
from storymap.errors import StorymapError
from storymap.export import dump_story, to_geojson, to_html
from storymap.gazetteer import Gazetteer
from storymap.i18n import UI_LANGUAGES, preferred_languages, translations, ui_language
from storymap.model import FEATURES, GEONAMES_ATTRIBUTION, Place, Story
from storymap.render import render_app
from storymap.story_text import FEATURE_NAMES, StoryText

log = logging.getLogger("storymap.app")

STORY_MAP_HEIGHT = 660
"""The embedded story map's frame (map and story panel side by side; stacked on phones)."""
PICKER_HEIGHT = 360
PICKED = ["last_clicked", "last_object_clicked"]
"""What the point picker's map reports back: a click on the map or on a marker."""
AUTO = "auto"
_TOP: list[Any] = []  # the messages container of this run (see messages())
KEPT = ("language", "geocoder", "sample_name", "paste_text")
UI_LANGUAGE_NAMES = {"en": "English", "de": "Deutsch"}
"""The interface language switch names each language in itself."""

st.set_page_config(page_title="storymap", page_icon=":material/map:", layout="wide",
                   initial_sidebar_state="auto")  # collapsed on phones

CSS = """
<style>
.block-container { padding-top: 3.4rem; padding-bottom: 2rem; }
.st-key-story_map iframe { border: 1px solid #dde1e6; border-radius: 6px; }
</style>
"""


# -- cached work ----------------------------------------------------------------------------


@st.cache_resource(show_spinner=False)  # its progress is the build's status (build_from_text)
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


# -- the reader's language ---------------------------------------------------------------------


def ui_lang() -> str:
    """The interface language: the reader's choice (the sidebar switch), else the browser's
    (its locale, then its Accept-Language header), else English."""
    chosen = ss.get("ui_lang")
    if chosen in UI_LANGUAGES:
        return str(chosen)
    header = st.context.headers.get("Accept-Language") if st.context.headers else None
    return ui_language([st.context.locale, *preferred_languages(header)])


def _(message: str) -> str:
    """`message` (English, as written here) in the interface language (catalog: app.po)."""
    return translations(ui_lang(), "app").gettext(message)


def _n(singular: str, plural: str, n: int, **fields: object) -> str:
    """The singular or plural message for `n`, in the interface language, `{n}` and the
    other `fields` filled in."""
    return translations(ui_lang(), "app").ngettext(singular, plural, n).format(n=n, **fields)


def error_text(exc: StorymapError) -> str:
    """A storymap error's message in the interface language (catalog: storymap.po)."""
    return exc.translated(translations(ui_lang(), "storymap").gettext)


def words(story: Story) -> StoryText:
    """Place names, feature classes and countries in the interface language."""
    return StoryText(story, ui_lang())


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
    ss.pop("picked", None)


def messages() -> Any:
    """The container at the top of the page for progress, errors and notices. It is always
    there, so the elements below it (the map above all) keep their place in the page from
    run to run; a moved map would be mounted again."""
    return _TOP[0] if _TOP else st


def fail(message: str) -> None:
    ss.error = message


def notify(message: str, where: str = "top") -> None:
    """Tell the reader what changed, where they made the change: `where` names the section
    that shows it ("top" of the page, or a correction's own section, see show_notice)."""
    ss.notice = (where, message)


def show_notice(where: str) -> None:
    """The notice of section `where`, if there is one, with an Undo beside it when the
    change can be undone, so the reader need not scroll to see that a correction worked."""
    notice = ss.get("notice")
    if not notice or notice[0] != where:
        return
    ss.pop("notice")
    if where == "top":
        messages().success(notice[1], icon=":material/check_circle:")
        return
    cols = st.columns([5, 1], vertical_alignment="center")
    cols[0].success(notice[1], icon=":material/check_circle:")
    if ss.get("history"):
        cols[1].button(_("Undo"), key=f"undo_{where}", on_click=undo, args=(where,),
                       icon=":material/undo:", width="stretch")


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
    label = _("Building the story map for {name}…").format(name=name)
    with messages().status(label, expanded=False) as status:
        try:
            if len(text) < 2000 and (fetched := _fetch(text, status)) is not None:
                text, name = fetched, text.strip()
            status.update(label=_("Loading the gazetteer (the very first run builds it, "
                                  "about half a minute)…"))
            gazetteer()
            status.update(label=_("Finding and resolving places…"))
            story = cached_story(text, language, geocoder_choice(), hint)
        except StorymapError as exc:
            status.update(label=_("The article could not be read"), state="error")
            fail(error_text(exc))
            return False
        built = built_stories()
        if len(built) >= BUILT_STORIES_CAP:
            built.clear()
        built.add(built_key(text, language, geocoder_choice(), hint))
        status.update(label=_n("Story map ready: {n} place", "Story map ready: {n} places",
                               len(story.named_places())), state="complete")
    set_story(story, source={"text": story.article, "name": name, "language": language,
                             "hint": hint})
    return True


def _fetch(text: str, status: Any) -> str | None:
    status.update(label=_("Fetching the web page…"))
    return app.fetch_url(text)


def rebuild(hint: tuple[str, ...] | None = None) -> None:
    """Re-run the current article (new language, geocoder or region hint) and replay the
    person's corrections on top."""
    source = ss.source
    hint = tuple(source.get("hint", ())) if hint is None else hint
    log_ = list(ss.log)
    history_entry = (ss.story, ss.base, list(ss.log))
    if source.get("loaded") and not hint:
        base = ss.loaded_base
    else:  # a loaded story with a hint is re-read from its article, as any other
        language = ss.loaded_base.language if source.get("loaded") else language_choice()
        with messages(), st.spinner(_("Re-resolving every mention…")):
            try:
                base = cached_story(source["text"], language, geocoder_choice(), hint)
            except StorymapError as exc:
                fail(error_text(exc))
                return
    story = app.apply_corrections(base, log_)
    ss.history = [*ss.get("history", []), history_entry][-20:]
    ss.story, ss.base, ss.log = story, base, log_
    ss.source = {**source, "hint": hint}
    ss.rev += 1


def correct(correction: dict[str, Any], message: str, where: str) -> None:
    try:
        story = app.apply_correction(ss.story, correction)
    except (KeyError, ValueError) as exc:
        fail(_("That correction does not fit the story: {reason}").format(reason=exc))
        return
    ss.history = [*ss.get("history", []), (ss.story, ss.base, list(ss.log))][-20:]
    ss.story = story
    ss.log = [*ss.log, correction]
    ss.rev += 1
    notify(message, where)


def undo(where: str = "undo") -> None:
    history = ss.get("history", [])
    if not history:
        return
    ss.story, ss.base, log_ = history[-1]
    ss.log = list(log_)
    ss.history = history[:-1]
    ss.rev += 1
    notify(_("Undone."), where)


# -- input ----------------------------------------------------------------------------------


def load_sample(name: str = app.SAMPLE_NAME, *, quiet: bool = False) -> None:
    build_from_text(app.sample_text(name), _("the sample article ({name})").format(name=name),
                    language=language_choice(), quiet=quiet)


def handle_upload(upload: Any) -> None:
    name = getattr(upload, "name", "upload")
    data = upload.getvalue()
    try:
        loaded = app.read_upload(name, data)
    except StorymapError as exc:
        fail(error_text(exc))
        return
    if loaded.story is not None:
        set_story(loaded.story, source={"text": loaded.story.article, "name": loaded.name,
                                        "language": loaded.story.language, "hint": (),
                                        "loaded": True})
        ss.loaded_base = loaded.story
        notify(_n("Continuing the saved story from {name}: {n} place, corrections included.",
                  "Continuing the saved story from {name}: {n} places, corrections included.",
                  len(loaded.story.named_places()), name=loaded.name))
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
        build_from_text(str(ss.get("paste_text") or ""), _("the pasted article"),
                        language=language_choice())
    upload = ss.get("upload")
    if upload is not None and ss.get("upload_seen") != upload.file_id:
        ss.upload_seen = upload.file_id
        handle_upload(upload)


def sidebar_inputs() -> None:
    sb = st.sidebar
    sb.markdown("## :material/map: storymap")
    # a row of its own: in a column beside the title one of the two languages scrolled away
    sb.segmented_control(
        _("Interface language"), list(UI_LANGUAGES), key="ui_lang", default=ui_lang(),
        format_func=UI_LANGUAGE_NAMES.__getitem__, label_visibility="collapsed",
        help=_("The language of the app and of the exported map"), width="stretch")
    sb.caption(_("Turn a news article into an interactive story map, offline."))
    # only the open tab is built: the text area's and the file uploader's code is loaded when
    # their tab is opened, not with the page
    sample_tab, paste_tab, upload_tab = sb.tabs([_("Sample"), _("Paste"), _("Upload")],
                                                key="input_tabs", on_change="rerun")
    if sample_tab.open:
        with sample_tab:
            samples = app.sample_names()
            if len(samples) > 1:
                st.selectbox(_("Sample article"), samples, key="sample_name",
                             label_visibility="collapsed")
            st.button(_("Load the sample article"), key="load_sample", width="stretch",
                      on_click=request_input, args=("sample",))
    if paste_tab.open:
        with paste_tab:
            st.text_area(_("Article text"), key="paste_text", height=200,
                         placeholder=_("Paste a news article (title on the first line, then "
                                       "its paragraphs) or its web address."))
            st.button(_("Build story map"), key="build", type="primary", width="stretch",
                      on_click=request_input, args=("paste",))
    if upload_tab.open:
        with upload_tab:
            st.file_uploader(
                _("Article (.txt, .md, .html, .docx) or a saved story (.json)"),
                type=list(app.UPLOAD_TYPES), key="upload",
                help=_("A story JSON downloaded from this app continues where you left off, "
                       "corrections included."))

    # built only when open (the choices are kept meanwhile, see KEPT): the page loads without
    # the select boxes' code
    options = sb.expander(_("Language and geocoder"), key="options_open", on_change="rerun",
                          icon=":material/tune:")
    if not options.open:
        return
    names = app.language_names(ui_lang())
    story: Story | None = ss.get("story")
    detected = _("Auto-detect ({language})").format(
        language=names.get(story.language, story.language)) if story else _("Auto-detect")
    options.selectbox(_("Language of the article"), [AUTO, *names], key="language",
                      format_func=lambda c: detected if c == AUTO else f"{names[c]} ({c})",
                      on_change=lambda: ss.update(pending="rebuild"),
                      help=_("Detected from the text; choose one if detection gets it wrong."))
    geocoders = app.geocoder_names()
    geocoder_labels = {name: app.geocoder_label(name, ui_lang()) for name in geocoders}
    options.selectbox(_("Geocoder"), list[str](geocoders), key="geocoder",
                      format_func=geocoder_labels.__getitem__,
                      on_change=lambda: ss.update(pending="rebuild"),
                      help=_("Where place names are looked up. The embedded gazetteer works "
                             "offline; online geocoders are used when you search for a place "
                             "to add and to resolve mentions."))


# -- the story map and the place list ------------------------------------------------------


def story_page(story: Story) -> str:
    """The exported story map for the story on screen, built once per revision."""
    key = (ss.rev, ui_lang())
    if ss.get("page_key") != key:
        ss.page = to_html(story, ui_language=ui_lang(), embedded=True)
        ss.page_key = key
    page: str = ss.page
    return page


def show_story_map(story: Story) -> None:
    """The exported page in an iframe. Article text in it is escaped like in any export
    (JSON in a script element, put into the page as text only), so embedding it is as safe as
    opening the downloaded file."""
    with st.container(key="story_map"):
        st.iframe(story_page(story), height=STORY_MAP_HEIGHT)


def column_labels() -> dict[str, str]:
    """The place table's columns (app_state.PLACE_COLUMNS) as the reader reads them."""
    return {"place": _("Place"), "name": _("Name"), "feature": _("Kind"),
            "country": _("Country"), "lat": _("Latitude"), "lon": _("Longitude"),
            "confidence": _("Confidence"), "mentions": _("Mentions"), "drop": _("Not a place")}


def show_places(story: Story) -> None:
    named = {p.id for p in story.named_places()}
    rows = [r for r in app.places_table(story, ui_lang()) if r["id"] in named]
    if not rows:
        st.info(_("No places yet: add the ones the article names in Corrections."))
        return
    shown = [{k: v for k, v in r.items() if k not in ("id", "drop")} for r in rows]
    st.dataframe(shown, hide_index=True, width="stretch",
                 column_config={k: v for k, v in column_labels().items() if k != "drop"})


# -- corrections ----------------------------------------------------------------------------


def show_corrections(story: Story) -> None:
    st.markdown(_("**Places in the story.** Tick *Not a place* to drop a wrong one."))
    show_notice("places")
    rows = app.places_table(story, ui_lang())
    if rows:
        import pandas as pd

        df = pd.DataFrame(rows).set_index("id")
        label = column_labels()
        edited = st.data_editor(
            df,
            key=f"places_{ss.rev}",
            width="stretch",
            hide_index=True,
            disabled=[c for c in df.columns if c != "drop"],
            column_config={
                **label,
                "drop": st.column_config.CheckboxColumn(
                    label["drop"], help=_("Drop this place and all its mentions")),
                "confidence": st.column_config.ProgressColumn(
                    label["confidence"], min_value=0.0, max_value=1.0, format="%.2f"),
                "lat": st.column_config.NumberColumn(label["lat"], format="%.4f"),
                "lon": st.column_config.NumberColumn(label["lon"], format="%.4f"),
            },
        )
        dropped = [str(i) for i in edited.index[edited["drop"].astype(bool)]]
        if dropped:
            for pid in dropped:
                place = story.place(pid)
                shown = words(story).name(place) if place else pid
                correct(app.drop_place(pid),
                        _("Dropped {place}: not a place.").format(place=shown), "places")
            st.rerun()
    else:
        st.info(_("No places yet: add the ones the article names below."))

    left, right = st.columns(2, gap="large")
    with left:
        fix_mention(story)
    with right:
        add_missed_place(story)
    st.divider()
    region_hint(story)
    show_notice("undo")
    if ss.get("history"):
        st.button(_("Undo the last change"), key="undo", on_click=undo, icon=":material/undo:")


def fix_mention(story: Story) -> None:
    st.markdown(_("**Fix a mention**"))
    show_notice("fix")
    groups = app.mention_groups(story)
    if not groups:
        st.caption(_("No mentions to fix."))
        return
    named = words(story)

    def group_label(k: int) -> str:
        g = groups[k]
        place = story.place(g.place_id) if g.place_id else None
        target = named.name(place) if place else _("not a place")
        return _n("“{text}” → {target} (once)", "“{text}” → {target} ({n} times)",
                  len(g.spans), text=g.text, target=target)

    key = f"fix_group_{ss.rev}"
    group_labels = [group_label(k) for k in range(len(groups))]
    k = st.selectbox(_("Mention"), range(len(groups)), key=key,
                     format_func=group_labels.__getitem__)
    group = groups[int(k or 0)]
    mention = app.mention_at(story, *group.first)
    if mention is None:
        return
    options: list[Place | None] = [*app.candidates_for(story, mention), None]
    option_labels = [_("Not a place") if o is None else app.describe_place(o, named)
                     for o in options]
    choice = st.radio(_("It means"), range(len(options)), key=f"fix_choice_{ss.rev}_{k}",
                      format_func=option_labels.__getitem__)
    all_identical = st.checkbox(
        _n("Apply to the {n} identical mention", "Apply to all {n} identical mentions",
           len(group.spans)),
        value=True, key=f"fix_all_{ss.rev}_{k}", disabled=len(group.spans) < 2)
    if st.button(_("Apply"), key=f"fix_apply_{ss.rev}"):
        place = options[int(choice or 0)]
        target = named.name(place) if place else _("not a place")
        correct(app.correct_mention(mention.start, mention.end, place,
                                    all_identical=all_identical),
                _("“{text}” now means {target}.").format(text=mention.text, target=target),
                "fix")
        st.rerun()


def add_missed_place(story: Story) -> None:
    st.markdown(_("**Add a missed place**"))
    show_notice("add")
    name = st.text_input(_("Name as written in the article"), key="add_name",
                         placeholder=_("e.g. Pjöngjang"))
    modes = {"search": _("Search by name"), "map": _("Click on the map")}
    mode = st.radio(_("Where is it?"), list(modes), key="add_mode", horizontal=True,
                    format_func=modes.__getitem__)
    place: Place | None = None
    if mode == "search":
        query = st.text_input(_("Search for"), key="add_query", value="",
                              placeholder=_("defaults to the name above"))
        q = (query or name).strip()
        results: list[Place] = []
        if q:
            try:
                results = app.search_places(q, gazetteer(), geocoder_choice(),
                                            language=story.language)
            except StorymapError as exc:
                st.error(error_text(exc))
        if q and not results:
            st.caption(_("Nothing called “{query}” in the {geocoder}. Try another spelling, "
                         "or click on the map.").format(
                query=q, geocoder=app.geocoder_label(geocoder_choice(), ui_lang())))
        if results:
            named = words(story)
            k = st.selectbox(_("Place"), range(len(results)), key="add_result",
                             format_func=lambda i: app.describe_place(results[i], named))
            place = results[int(k or 0)]
    else:
        kinds = translations(ui_lang(), "storymap").gettext
        feature = st.selectbox(_("Kind of place"), FEATURES, index=FEATURES.index("city"),
                               key="add_feature",
                               format_func=lambda f: kinds(FEATURE_NAMES.get(f, f)))
        pick_point(story)
        picked = ss.get("picked")
        if picked is None:
            st.caption(_("Click the map where the place is."))
        else:
            st.caption(_("Picked {lat}, {lon}").format(lat=f"{picked[0]:.4f}",
                                                       lon=f"{picked[1]:.4f}"))
            place = app.user_place(name or _("Place"), picked[0], picked[1], feature=feature)
    spans = app.find_spans(story, name) if name.strip() else []
    if name.strip() and not spans:
        st.caption(_("“{name}” does not occur in the article as a whole word.").format(
            name=name.strip()))
    if st.button(_("Add place"), key="add_button", disabled=not (place and spans)):
        assert place is not None
        label = name.strip()
        if place.id.startswith("user:") or story.language not in place.labels:
            place = dataclasses.replace(place, labels={**place.labels, story.language: label})
        correct(app.add_place(place, spans),
                _n("Added {name}: {n} mention.", "Added {name}: {n} mentions.",
                   len(spans), name=label), "add")
        ss.pop("picked", None)
        st.rerun()


def pick_point(story: Story) -> None:
    """A small map to click where a missed place lies (a marker's point counts too)."""
    out = st_folium(render_app(story), key=f"picker_{ss.rev}", height=PICKER_HEIGHT,
                    use_container_width=True, returned_objects=PICKED) or {}
    point = out.get("last_object_clicked") or out.get("last_clicked")
    if point and "lat" in point and "lng" in point:
        picked = (round(float(point["lat"]), 5), round(float(point["lng"]), 5))
        if ss.get("picked") != picked:
            ss.picked = picked
            st.rerun()


def region_hint(story: Story) -> None:
    st.markdown(_("**Region hint.** Tell the resolver what the article is about; every "
                  "mention is resolved again with that bias (your own corrections are kept)."))
    show_notice("hint")
    names = app.country_names(ui_lang())
    current = tuple(ss.source.get("hint", ()))
    cols = st.columns([3, 1], vertical_alignment="bottom")
    chosen = cols[0].multiselect(_("This article is about"), list(names),
                                 default=list(current), key=f"hint_{ss.rev}",
                                 format_func=lambda c: names[c],
                                 placeholder=_("Choose countries"))
    if cols[1].button(_("Apply hint"), key="hint_apply", width="stretch",
                      disabled=tuple(chosen) == current):
        rebuild(tuple(chosen))
        shown = ", ".join(names[c] for c in chosen) or _("none")
        notify(_("Region hint: {countries}. Every mention was resolved again.").format(
            countries=shown), "hint")
        st.rerun()


# -- export ---------------------------------------------------------------------------------


def still_svg(story: Story) -> str:
    """The still locator map, with the story's corrections, legend in the UI language."""
    return still.to_svg(story, ui_language=ui_lang())


def still_png(story: Story) -> bytes:
    return still.to_png(story, ui_language=ui_lang())


def story_html(story: Story) -> str:
    """The downloaded story map: the one on screen, in the UI language."""
    return to_html(story, ui_language=ui_lang())


def downloads(story: Story) -> None:
    sb = st.sidebar
    sb.markdown("#### " + _("Export"))
    files: list[tuple[str, Callable[[Story], str | bytes], str, str]] = [
        (_("Story map (HTML)"), story_html, ".html", "text/html"),
        (_("Places (GeoJSON)"), to_geojson, ".geojson", "application/geo+json"),
        (_("Story (JSON, re-loadable)"), dump_story, ".story.json", "application/json"),
        (_("Still map (SVG)"), still_svg, ".svg", "image/svg+xml"),
        (_("Still map (PNG)"), still_png, ".png", "image/png"),
    ]
    for label, func, suffix, mime in files:
        sb.download_button(
            label, data=functools.partial(func, story), file_name=app.download_name(story, suffix),
            mime=mime, key=f"dl{suffix}", width="stretch", on_click="ignore",
            icon=":material/download:",
        )
    n = len(ss.get("log", []))
    sb.caption(_n("Downloads show the story as it is now, with your correction.",
                  "Downloads show the story as it is now, with your {n} corrections.", n)
               if n else _("Downloads show the story as it is now."))


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
            st.error(ss.pop("error", _("The sample article could not be loaded.")))
            st.stop()
    handle_input()
    if ss.pop("pending", None) == "rebuild":
        rebuild()
    story: Story = ss.story

    error = ss.pop("error", None)
    if error:
        messages().error(error, icon=":material/error:")
    show_notice("top")

    stats = app.story_stats(story)
    lang_name = app.language_names(ui_lang()).get(story.language, story.language)
    hint = ss.source.get("hint", ())
    title = _md(story.title) or _("Untitled article")
    st.markdown(f"### {title}")
    bits = [lang_name, _n("{n} place", "{n} places", stats["places"]),
            _n("{n} mention", "{n} mentions", stats["mentions"]),
            _n("{n} story step", "{n} story steps", stats["steps"]),
            app.geocoder_label(geocoder_choice(), ui_lang())]
    if hint:
        countries = app.country_names(ui_lang())
        bits.append(_("region hint: {countries}").format(
            countries=", ".join(countries.get(c, c) for c in hint)))
    bits.append(_("source: {name}").format(name=_md(ss.source.get("name", ""))))
    st.caption(" · ".join(bits))

    show_story_map(story)

    places_tab, corrections_tab = st.tabs(
        [":material/location_on: " + _("Places"), ":material/edit: " + _("Corrections")],
        key="main_tabs", on_change="rerun")
    with places_tab:
        show_places(story)
    if corrections_tab.open:  # built only when open: the table editor is heavy to load
        with corrections_tab:
            show_corrections(story)

    # the sidebar last: its inputs were handled above (handle_input), before anything was drawn
    if ss.get("notice"):  # its section was not drawn (a closed tab): show it at the top
        ss.notice = ("top", ss.notice[1])
        show_notice("top")
    sidebar_inputs()
    downloads(story)
    st.sidebar.caption(_(GEONAMES_ATTRIBUTION) + ". " + _("Map © OpenStreetMap contributors."))


def _md(text: str) -> str:
    """Text for st.markdown/caption: Markdown and HTML characters shown as themselves."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$:])", r"\\\1", text)


main()

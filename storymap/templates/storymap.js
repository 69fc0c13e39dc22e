/* storymap page script: builds markers, popups, the story panel and story mode from the
 * story JSON embedded in the page. It holds no words of its own: every label comes
 * translated in the payload (storymap/story_text.py). Article text only ever reaches the DOM
 * through textContent / attribute setters: never innerHTML, never a Leaflet string content.
 * It never scrolls an ancestor frame (the app shows this page in an iframe): the panel is
 * scrolled by setting its own scrollTop. */
(function () {
  "use strict";

  var el = storymapCommon.el, readJson = storymapCommon.readJson;

  var reduceMotion = !!(window.matchMedia &&
    window.matchMedia("(prefers-reduced-motion: reduce)").matches);
  var narrowQuery = window.matchMedia ? window.matchMedia("(max-width: 720px)") : null;

  /* A marker whose icon carries an accessible name (set as an attribute, never as markup). */
  var StoryMarker = L.Marker.extend({
    _initIcon: function () {
      L.Marker.prototype._initIcon.call(this);
      if (this._icon && this.options.ariaLabel) {
        this._icon.setAttribute("aria-label", this.options.ariaLabel);
      }
    }
  });

  window.storymapInit = function (map, opts) {
    var timings = { start: performance.now() };
    var data = readJson("storymap-data");
    var basemap = readJson("storymap-basemap");
    var T = data.t;
    var places = data.places;
    var passages = data.passages;
    var steps = data.steps;
    var spreadZoom = data.spreadZoom;

    /* Default icons from data: URIs (the inlined leaflet.css cannot point at image files). */
    if (opts.icons && opts.icons.length === 3) {
      L.Icon.Default.imagePath = "";
      L.Icon.Default.mergeOptions({
        iconUrl: opts.icons[0], iconRetinaUrl: opts.icons[1], shadowUrl: opts.icons[2]
      });
    }
    L.control.zoom({ zoomInTitle: T.zoomIn, zoomOutTitle: T.zoomOut }).addTo(map);
    L.control.scale({ metric: true, imperial: data.lang === "en" }).addTo(map);
    /* the layer control comes after this script (folium adds it last): name its toggle then */
    setTimeout(function () {
      var toggle = map.getContainer().querySelector(".leaflet-control-layers-toggle");
      if (toggle) { toggle.title = T.layers; toggle.setAttribute("aria-label", T.layers); }
    }, 0);
    if (map.attributionControl) {
      map.attributionControl.setPrefix(
        '<a href="https://leafletjs.com" target="_blank" rel="noopener">Leaflet</a>');
    }
    storymapCommon.addAttributionAndBasemap(map, opts.attribution, basemap, "smBasemap",
                                            L.svg);
    map.on("popupopen", function (e) {
      var close = e.popup.getElement().querySelector(".leaflet-popup-close-button");
      if (close) { close.setAttribute("aria-label", T.close); close.title = T.close; }
    });

    function sheetMode() { return !!(opts.panel && narrowQuery && narrowQuery.matches); }

    /* ---- popups and the place sheet ---- */
    var passageText = {};
    for (var q = 0; q < passages.length; q++) { passageText[passages[q][0]] = passages[q][1]; }

    function snippetItem(snip) {
      var text = passageText[snip[0]] || "";
      var a = snip[1], b = snip[2], spans = snip[3];
      var li = el("li");
      li.setAttribute("dir", "auto");
      li.appendChild(el("span", "sm-pnum", snip[0] === 0 ? T.title : "\u00b6 " + snip[0]));
      if (a > 0) { li.appendChild(document.createTextNode("\u2026 ")); }
      var cursor = a;
      for (var k = 0; k < spans.length; k++) {
        var s = Math.max(spans[k][0], cursor), e = Math.min(spans[k][1], b);
        if (e <= s) { continue; }
        li.appendChild(document.createTextNode(text.slice(cursor, s)));
        li.appendChild(el("mark", null, text.slice(s, e)));
        cursor = e;
      }
      li.appendChild(document.createTextNode(text.slice(cursor, b)));
      if (b < text.length) { li.appendChild(document.createTextNode(" \u2026")); }
      return li;
    }

    function placeContent(i) {
      var p = places[i];
      var root = el("div", "sm-popup");
      var h = el("h3", null, p.title);
      h.setAttribute("dir", "auto");
      root.appendChild(h);
      root.appendChild(el("div", "sm-sub", p.sub));
      if (p.seatNote) { root.appendChild(el("div", "sm-sub", p.seatNote)); }
      var list = el("ol", "sm-snips");
      for (var k = 0; k < p.snips.length; k++) { list.appendChild(snippetItem(p.snips[k])); }
      root.appendChild(list);
      root.appendChild(el("div", "sm-sub", p.counted));
      return root;
    }

    var sheet = document.getElementById("sm-sheet");
    var sheetBody = document.getElementById("sm-sheet-body");
    var sheetClose = document.getElementById("sm-sheet-close");
    if (sheet) {
      sheet.setAttribute("aria-label", T.sheet);
      sheetClose.setAttribute("aria-label", T.close);
      sheetClose.title = T.close;
      sheetClose.addEventListener("click", function () { closeSheet(); });
    }
    function closeSheet() {
      if (sheet && !sheet.hidden) { sheet.hidden = true; sheetBody.textContent = ""; }
    }

    /* One popup for the page, filled when it opens (article text via textContent only). */
    var popup = new L.Popup({ maxWidth: 380, minWidth: 240, autoPanPadding: [30, 30],
                              offset: [0, -8] });
    var active = null;
    function markActive(i) {
      if (active !== null && markers[active]._icon) {
        markers[active]._icon.classList.remove("sm-active");
      }
      active = i;
      if (i !== null && markers[i]._icon) { markers[i]._icon.classList.add("sm-active"); }
    }

    /* A place's passages: in a popup at its marker, or on a narrow screen in the sheet below
       the map (a popup there would cover the map it belongs to). */
    function openPlace(i, riding) {
      markActive(i);
      if (sheetMode()) {
        map.closePopup();
        sheetBody.textContent = "";
        sheetBody.appendChild(placeContent(i));
        sheet.hidden = false;
        sheetBody.scrollTop = 0;
        return;
      }
      closeSheet();
      /* opened at a click, before the flight, the popup must not pan the map (that would
         stop the flight): it rides along with its point, and pans once there */
      popup.options.autoPan = !riding;
      popup.setLatLng(markers[i].getLatLng())
        .setContent(placeContent(i))
        .openOn(map);
    }

    /* ---- markers ---- */
    var markers = new Array(places.length);
    for (var i = 0; i < places.length; i++) {
      (function (i) {
        var p = places[i];
        var cls = "sm-marker sm-f-" + p.feature + (p.atSeat ? " sm-seat" : "");
        var size = p.atSeat ? 18 : 22;
        var icon = L.divIcon({
          className: cls, html: "", iconSize: [size, size], iconAnchor: [size / 2, size / 2],
          tooltipAnchor: [size / 2 + 1, 0]
        });
        var m = new StoryMarker([p.lat, p.lon], {
          icon: icon, keyboard: true, riseOnHover: true, ariaLabel: p.aria
        });
        m.smIndex = i;
        m.bindTooltip(function () {
          var node = el("span", "sm-tip", p.title);
          node.setAttribute("dir", "auto");
          return node;
        }, { direction: "right" });
        function choose() { flight++; selectPlace(i, true); openPlace(i); }
        m.on("click", choose);
        /* Leaflet turns Enter on a marker into a click only for a bound popup */
        m.on("keypress", function (e) {
          var key = e.originalEvent && e.originalEvent.key;
          if (key === "Enter" || key === " ") { L.DomEvent.preventDefault(e.originalEvent); choose(); }
        });
        m.on("add", function () { if (active === i && m._icon) { m._icon.classList.add("sm-active"); } });
        markers[i] = m;
      })(i);
    }

    timings.markers = performance.now();
    var layer;
    var readyMarked = false;
    function markReady() {
      if (readyMarked) { return; }
      readyMarked = true;
      api.readyCount = opts.cluster ? layer.getLayers().length : markers.length;
      api.readyAt = performance.now();
      document.documentElement.setAttribute("data-storymap-ready", "1");
    }

    var spread = null;  // the cluster whose markers are spread around its point
    if (opts.cluster) {
      layer = L.markerClusterGroup({
        maxClusterRadius: data.clusterRadius,
        showCoverageOnHover: false,
        zoomToBoundsOnClick: false,
        spiderfyOnMaxZoom: false,
        chunkedLoading: true,
        chunkInterval: 500,
        chunkDelay: 5,
        chunkProgress: function (done, total) {
          if (total === markers.length && done >= total) { settle(markReady); }
        },
        iconCreateFunction: function (c) {
          var n = c.getChildCount();
          var size = n < 10 ? "small" : n < 100 ? "medium" : "large";
          var inner = el("div");
          var span = el("span", null, String(n));
          span.appendChild(el("span", "sm-sr", " " + T.cluster.replace("{n}", String(n))));
          inner.appendChild(span);
          return L.divIcon({
            html: inner, className: "marker-cluster marker-cluster-" + size,
            iconSize: L.point(40, 40)
          });
        }
      });
      layer.on("spiderfied", function (e) { spread = e.cluster; });
      layer.on("unspiderfied", function () { spread = null; });
      /* A group opens by zooming to its markers, but never closer than spreadZoom: markers
         that would still be grouped there (or share one point) are spread instead. */
      layer.on("clusterclick", function (e) {
        var c = e.layer, b = c.getBounds();
        var fit = map.getBoundsZoom(b.pad(0.3));
        if (fit > spreadZoom || fit <= map.getZoom()) { c.spiderfy(); return; }
        fly({ bounds: b, maxZoom: spreadZoom });
      });
    } else {
      layer = L.featureGroup();
    }

    /* ---- the story panel ---- */
    var article = document.getElementById("sm-article");
    var scroller = document.getElementById("sm-scroll");
    var passageEls = {};
    var mentionButtons = [];   // index in data.mentions -> button (or null)
    if (article) {
      var byPassage = {};
      for (var j = 0; j < data.mentions.length; j++) {
        var pm = data.mentions[j][0];
        (byPassage[pm] = byPassage[pm] || []).push(j);
        mentionButtons.push(null);
      }
      for (var pi = 0; pi < passages.length; pi++) {
        var index = passages[pi][0], text = passages[pi][1];
        var node = el(index === 0 ? "h1" : "p");
        node.id = "sm-p-" + index;
        node.setAttribute("dir", "auto");
        var cursor = 0, list = byPassage[index] || [];
        for (var t = 0; t < list.length; t++) {
          var mention = data.mentions[list[t]];
          var s = mention[1], e = mention[2], place = mention[3];
          if (s < cursor) { continue; }
          node.appendChild(document.createTextNode(text.slice(cursor, s)));
          var span;
          if (place >= 0) {
            span = el("button", "sm-mention sm-k-" + mention[4], text.slice(s, e));
            span.type = "button";
            span.setAttribute("data-place", String(place));
            span.setAttribute("dir", "auto");
            span.title = places[place].show;
            mentionButtons[list[t]] = span;
          } else {
            span = el("span", "sm-unresolved", text.slice(s, e));
            span.title = T.unresolved;
          }
          node.appendChild(span);
          cursor = e;
        }
        node.appendChild(document.createTextNode(text.slice(cursor)));
        passageEls[index] = node;
        article.appendChild(node);
      }
      article.addEventListener("click", function (ev) {
        var target = ev.target.closest ? ev.target.closest(".sm-mention") : null;
        if (!target) { return; }
        ev.preventDefault();
        var idx = parseInt(target.getAttribute("data-place"), 10);
        selectPlace(idx, false);
        showPlace(idx, !sheetMode());
      });
    }

    /* Scroll the panel (only the panel) so that `node` is in view. */
    function scrollToNode(node, center) {
      if (!scroller || !node) { return; }
      var box = scroller.getBoundingClientRect(), r = node.getBoundingClientRect();
      if (!center && r.top >= box.top && r.bottom <= box.bottom) { return; }
      var top = scroller.scrollTop + r.top - box.top -
        (center ? (box.height - r.height) / 2 : 8);
      if (scroller.scrollTo) {
        scroller.scrollTo({ top: Math.max(0, top), behavior: reduceMotion ? "auto" : "smooth" });
      } else { scroller.scrollTop = Math.max(0, top); }
    }

    timings.panel = performance.now();
    var selected = [];
    function selectPlace(i, scroll) {
      for (var k = 0; k < selected.length; k++) { selected[k].classList.remove("sm-selected"); }
      selected = [];
      var mi = places[i].mi || [];
      for (var k2 = 0; k2 < mi.length; k2++) {
        var b = mentionButtons[mi[k2]];
        if (b) { b.classList.add("sm-selected"); selected.push(b); }
      }
      if (scroll && selected.length && !sheetMode()) { scrollToNode(selected[0], true); }
    }

    /* ---- moving the map ---- */
    function animating() {
      return !!map.getContainer().querySelector(".leaflet-cluster-anim, .leaflet-zoom-anim");
    }

    /* Call `then` once the map and the cluster layer have stopped animating. */
    function settle(then) {
      var tries = 0;
      (function check() {
        if (animating() && tries++ < 60) { setTimeout(check, 40); return; }
        setTimeout(then, 0);
      })();
    }

    /* Make marker i clickable where the map is now: if it sits in a group, spread the group
       around its point (never zoom further: that is how a shared point became an empty
       max-zoom view). */
    function reveal(i, then) {
      var m = markers[i];
      if (!opts.cluster) { then(); return; }
      /* markercluster refuses to spread a group while it animates: wait for it first */
      settle(function () {
        var parent = layer.getVisibleParent(m);
        if (!parent || parent === m || parent === spread) { then(); return; }
        afterLayerEvent("spiderfied", 800, then);  // a refused spiderfy still lands somewhere
        parent.spiderfy();
      });
    }

    /* Call `then` (once, settled) when the cluster layer fires `event`, or after `ms` if it
       never does. */
    function afterLayerEvent(event, ms, then) {
      var called = false;
      function go() { if (!called) { called = true; settle(then); } }
      layer.once(event, go);
      setTimeout(go, ms);
    }

    function pointOf(i) { return L.latLng(places[i].lat, places[i].lon); }

    /* Fly to a view and call `then` when the map has settled there. Each flight replaces
       the one before: a callback of an interrupted flight never runs (a pan that a new
       flight stops ends with a "moveend" of its own, which must not count as arriving). */
    var flight = 0;

    /* Close a spread group before the map moves: markercluster loses the spread markers when
       a flight (which has no zoom animation) changes the zoom while they are spread. */
    function gather(then) {
      if (!opts.cluster || !spread) { then(); return; }
      afterLayerEvent("unspiderfied", 600, then);
      layer.unspiderfy();
    }

    function fly(target, then) {
      var mine = ++flight;
      gather(function () { if (mine === flight) { flyNow(mine, target, then); } });
      return mine;
    }

    function flyNow(mine, target, then) {
      var done = false;
      var center, zoom;
      if (target.bounds) {
        zoom = Math.min(map.getBoundsZoom(target.bounds, false, L.point(80, 80)),
                        target.maxZoom);
        center = target.bounds.getCenter();
      } else {
        center = target.center; zoom = target.zoom;
      }
      if (target.lift) {  // the point below the centre, so that its open popup fits above it
        center = map.unproject(map.project(center, zoom).subtract(L.point(0, target.lift)),
                               zoom);
      }
      function finish() {
        if (done) { return; }
        done = true;
        map.off("moveend", onEnd);
        clearTimeout(timer);
        if (mine === flight) { settle(function () { if (mine === flight && then) { then(); } }); }
      }
      function onEnd() { if (Math.abs(map.getZoom() - zoom) < 0.01) { finish(); } }
      var timer = null;
      if (Math.abs(map.getZoom() - zoom) < 0.01 && map.getCenter().distanceTo(center) < 1) {
        finish(); return;
      }
      if (reduceMotion) {
        map.setView(center, zoom, { animate: false });
        finish();
        return;
      }
      map.flyTo(center, zoom, { duration: data.flightSeconds });
      map.on("moveend", onEnd);
      /* a flight the reader interrupts (a drag, a wheel) still ends somewhere */
      timer = setTimeout(function () {
        if (!done && mine === flight) { map.setView(center, zoom, { animate: false }); finish(); }
      }, 3000);
    }

    /* The view that fits place i: a country its outline, anything else its point. */
    function viewOf(i) {
      var p = places[i];
      if (p.extent) { return { bounds: L.latLngBounds(p.extent), maxZoom: p.zoom }; }
      return { center: pointOf(i), zoom: p.zoom };
    }

    var shown = 0;
    function markShown(i) {
      shown += 1;
      api.shownPlace = places[i].id;
      document.documentElement.setAttribute("data-storymap-shown", String(shown));
    }

    function showPlace(i, open) {
      /* the answer to a click is at once visible (the marker marked, its passages open);
         the flight follows */
      if (open) { openPlace(i, true); } else { map.closePopup(); markActive(i); }
      document.documentElement.setAttribute("data-storymap-target", places[i].id);
      var view = viewOf(i);
      var box = open && !sheetMode() && popup.getElement();
      if (box) { view.lift = Math.min(box.offsetHeight / 2, map.getSize().y / 4); }
      var mine = fly(view, function () {
        reveal(i, function () {
          if (mine !== flight) { return; }  // the reader has moved on
          if (open) { openPlace(i); } else { markActive(i); }
          markShown(i);
        });
      });
    }

    /* ---- story mode ---- */
    var step = -1;
    var prevBtn = document.getElementById("sm-prev");
    var nextBtn = document.getElementById("sm-next");
    var overviewBtn = document.getElementById("sm-overview");
    var status = document.getElementById("sm-status");
    var current = null;

    function updateControls() {
      if (prevBtn) { prevBtn.disabled = step <= 0; }
      if (nextBtn) { nextBtn.disabled = !steps.length || step >= steps.length - 1; }
      if (overviewBtn) { overviewBtn.setAttribute("aria-pressed", String(step < 0)); }
      if (status) { status.textContent = step < 0 ? data.overview : data.stepText[step]; }
    }

    function setCurrent(node) {
      if (current) { current.classList.remove("sm-current"); current.removeAttribute("aria-current"); }
      current = node || null;
      if (current) {
        current.classList.add("sm-current");
        current.setAttribute("aria-current", "step");
        scrollToNode(current, false);
      }
    }

    function goTo(k) {
      if (!steps.length) { return; }
      k = Math.max(0, Math.min(steps.length - 1, k));
      step = k;
      var ids = steps[k][1];
      closeSheet();
      setCurrent(passageEls[steps[k][0]]);
      map.closePopup();
      markActive(null);
      function arrived() { document.documentElement.setAttribute("data-storymap-step", String(k)); }
      var mine;
      if (ids.length === 1) {
        /* one place: its own marker, spread from its group, stands out */
        mine = fly(viewOf(ids[0]), function () {
          reveal(ids[0], function () { if (mine === flight) { markActive(ids[0]); arrived(); } });
        });
      } else {
        var bounds = L.latLngBounds([]), maxZoom = spreadZoom;
        ids.forEach(function (x) {
          var v = viewOf(x);
          bounds.extend(v.bounds || v.center);
          maxZoom = Math.min(maxZoom, v.maxZoom || v.zoom);
        });
        fly({ bounds: bounds, maxZoom: maxZoom }, arrived);
      }
      updateControls();
    }

    function fitOverview(animate) {
      if (!data.bounds) { return; }
      var b = L.latLngBounds(data.bounds).pad(0.1);
      if (!animate) {
        map.fitBounds(b, { padding: [30, 30], maxZoom: data.fitZoom, animate: false });
        return;
      }
      var mine = ++flight;
      gather(function () {
        if (mine !== flight) { return; }
        if (reduceMotion) {
          map.fitBounds(b, { padding: [30, 30], maxZoom: data.fitZoom, animate: false });
        } else {
          map.flyToBounds(b, { padding: [30, 30], maxZoom: data.fitZoom,
                                 duration: data.flightSeconds });
        }
      });
    }

    function overview() {
      step = -1;
      setCurrent(null);
      closeSheet();
      map.closePopup();
      markActive(null);
      fitOverview(true);
      updateControls();
    }

    function next() { if (step < steps.length - 1) { goTo(step + 1); } }
    function prev() { if (step > 0) { goTo(step - 1); } }
    if (prevBtn) { prevBtn.addEventListener("click", prev); }
    if (nextBtn) { nextBtn.addEventListener("click", next); }
    if (overviewBtn) { overviewBtn.addEventListener("click", overview); }
    document.addEventListener("keydown", function (ev) {
      if (ev.defaultPrevented || ev.altKey || ev.ctrlKey || ev.metaKey || ev.shiftKey) { return; }
      var target = ev.target;
      if (target && target.closest && (target.closest(".leaflet-container") ||
          target.closest("input, textarea, select, [contenteditable]"))) { return; }
      if (ev.key === "ArrowRight") { ev.preventDefault(); next(); }
      else if (ev.key === "ArrowLeft") { ev.preventDefault(); prev(); }
      else if (ev.key === "Escape") { closeSheet(); }
    });
    updateControls();

    var api = {
      map: map,
      layer: layer,
      markers: markers,
      places: places,
      steps: steps,
      readyAt: null,
      shownPlace: null,
      timings: timings,
      markerCount: function () { return opts.cluster ? layer.getLayers().length : markers.length; },
      indexOf: function (id) {
        for (var k = 0; k < places.length; k++) { if (places[k].id === id) { return k; } }
        return -1;
      },
      reveal: function (id, callback) { reveal(api.indexOf(id), callback || function () {}); },
      showPlace: function (id) { showPlace(api.indexOf(id), true); },
      openPlace: function (id) { openPlace(api.indexOf(id)); },
      step: function () { return step; },
      next: next,
      prev: prev,
      goTo: goTo,
      overview: overview
    };
    window.storymap = api;

    /* the overview first, then the markers: a cluster layer already on the map would
       animate its groups for the change of view (and the map is ready only after that) */
    fitOverview(false);
    layer.addTo(map);
    if (opts.cluster) { layer.addLayers(markers); }
    else { markers.forEach(function (m) { layer.addLayer(m); }); }
    if (!opts.cluster || !markers.length) { setTimeout(markReady, 0); }
  };
})();

/* storymap page script: builds markers, popups, the story panel and story mode from the
 * story JSON embedded in the page. Article text only ever reaches the DOM through
 * textContent / attribute setters: never innerHTML, never a Leaflet string content. */
(function () {
  "use strict";

  var FEATURE_NAMES = {
    country: "country", region: "region", city: "city", landmark: "landmark",
    water: "water", mountain: "mountain", island: "island", continent: "continent",
    other: "place"
  };

  var el = storymapCommon.el, readJson = storymapCommon.readJson;

  var reduceMotion = !!(window.matchMedia &&
    window.matchMedia("(prefers-reduced-motion: reduce)").matches);

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
    var places = data.places;
    var passages = data.passages;
    var steps = data.steps;

    /* Default icons from data: URIs (the inlined leaflet.css cannot point at image files). */
    if (opts.icons && opts.icons.length === 3) {
      L.Icon.Default.imagePath = "";
      L.Icon.Default.mergeOptions({
        iconUrl: opts.icons[0], iconRetinaUrl: opts.icons[1], shadowUrl: opts.icons[2]
      });
    }
    storymapCommon.addAttributionAndBasemap(map, opts.attribution, basemap, "smBasemap",
                                            L.svg);

    /* ---- markers ---- */
    function featureName(p) { return FEATURE_NAMES[p.feature] || "place"; }

    function ariaLabel(p) {
      var label = p.label + ", " + featureName(p);
      if (p.seat) { label += ", shown at its seat of government " + p.seat; }
      return label;
    }

    function tooltipContent(p) {
      var node = el("span", "sm-tip");
      node.setAttribute("dir", "auto");
      node.appendChild(el("strong", null, p.label));
      if (p.name && p.name !== p.label) {
        node.appendChild(el("span", "sm-tip-en", " (" + p.name + ")"));
      }
      return node;
    }

    function snippetItem(snip) {
      var text = passageText[snip[0]] || "";
      var a = snip[1], b = snip[2], spans = snip[3];
      var li = el("li");
      li.setAttribute("dir", "auto");
      li.appendChild(el("span", "sm-pnum", snip[0] === 0 ? "Title" : "\u00b6 " + snip[0]));
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

    function popupContent(i) {
      var p = places[i];
      var root = el("div", "sm-popup");
      var h = el("h3", null, p.label);
      h.setAttribute("dir", "auto");
      root.appendChild(h);
      var sub = [];
      if (p.name && p.name !== p.label) { sub.push(p.name); }
      sub.push(featureName(p));
      if (p.country && p.feature !== "country") {
        sub.push(p.countryLabel && p.countryLabel !== p.country
          ? p.countryLabel + " / " + p.country : p.country);
      }
      root.appendChild(el("div", "sm-sub", sub.join(" \u00b7 ")));
      if (p.seat) {
        root.appendChild(el("div", "sm-sub", "Shown at its seat of government, " + p.seat));
      }
      if (p.seatOf) {
        root.appendChild(el("div", "sm-sub", "Seat of government of " + p.seatOf));
      }
      var list = el("ol", "sm-snips");
      for (var k = 0; k < p.snips.length; k++) { list.appendChild(snippetItem(p.snips[k])); }
      root.appendChild(list);
      root.appendChild(el("div", "sm-sub",
        "Mentioned " + p.count + (p.count === 1 ? " time" : " times")));
      return root;
    }

    var passageText = {};
    for (var q = 0; q < passages.length; q++) { passageText[passages[q][0]] = passages[q][1]; }

    var markers = new Array(places.length);
    for (var i = 0; i < places.length; i++) {
      (function (i) {
        var p = places[i];
        var cls = "sm-marker sm-f-" + p.feature + (p.seat ? " sm-seat" : "");
        var icon = L.divIcon({
          className: cls, html: "", iconSize: [22, 22], iconAnchor: [11, 11],
          popupAnchor: [0, -10], tooltipAnchor: [12, 0]
        });
        var m = new StoryMarker([p.lat, p.lon], {
          icon: icon, keyboard: true, riseOnHover: true, ariaLabel: ariaLabel(p)
        });
        m.smIndex = i;
        m.bindTooltip(function () { return tooltipContent(p); }, { direction: "right" });
        m.bindPopup(function () { return popupContent(i); },
          { maxWidth: 380, minWidth: 240, autoPanPadding: [30, 30] });
        m.on("click", function () { selectPlace(i, true); });
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

    if (opts.cluster) {
      layer = L.markerClusterGroup({
        maxClusterRadius: 40,
        showCoverageOnHover: false,
        spiderfyOnMaxZoom: true,
        chunkedLoading: true,
        chunkInterval: 500,
        chunkDelay: 5,
        chunkProgress: function (done, total) {
          if (total === markers.length && done >= total) { setTimeout(markReady, 0); }
        },
        iconCreateFunction: function (c) {
          var n = c.getChildCount();
          var size = n < 10 ? "small" : n < 100 ? "medium" : "large";
          var inner = el("div");
          var span = el("span", null, String(n));
          span.appendChild(el("span", "sm-sr", n === 1 ? " place" : " places"));
          inner.appendChild(span);
          return L.divIcon({
            html: inner, className: "marker-cluster marker-cluster-" + size,
            iconSize: L.point(40, 40)
          });
        }
      });
    } else {
      layer = L.featureGroup();
    }
    layer.addTo(map);

    /* ---- the story panel ---- */
    var article = document.getElementById("sm-article");
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
            span.title = "Show " + places[place].label + " on the map";
            mentionButtons[list[t]] = span;
          } else {
            span = el("span", "sm-unresolved", text.slice(s, e));
            span.title = "Place not resolved";
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
        showPlace(idx, true);
      });
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
      if (scroll && selected.length) {
        selected[0].scrollIntoView({ block: "center", behavior: reduceMotion ? "auto" : "smooth" });
      }
    }

    /* ---- moving the map ---- */
    function allAtOnePoint(cluster) {
      var children = cluster.getAllChildMarkers();
      var first = children[0].getLatLng();
      for (var k = 1; k < children.length; k++) {
        if (!children[k].getLatLng().equals(first, 1e-6)) { return false; }
      }
      return true;
    }

    function reveal(m, callback) {
      if (!opts.cluster || (m._icon && map.getBounds().contains(m.getLatLng()))) {
        callback(); return;
      }
      var parent = layer.getVisibleParent(m);
      if (parent && parent !== m && parent.getAllChildMarkers &&
          map.getBounds().contains(parent.getLatLng()) && allAtOnePoint(parent)) {
        layer.once("spiderfied", function () { callback(); });
        parent.spiderfy();
        return;
      }
      layer.zoomToShowLayer(m, callback);
    }

    function move(center, zoom, then) {
      var done = false;
      function finish() { if (!done) { done = true; if (then) { then(); } } }
      var same = map.getZoom() === zoom && map.getCenter().distanceTo(center) < 1;
      if (same) { finish(); return; }
      map.once("moveend", finish);
      if (reduceMotion) { map.setView(center, zoom, { animate: false }); }
      else { map.flyTo(center, zoom, { duration: 0.8 }); }
    }

    function showPlace(i, openPopup) {
      var m = markers[i];
      move(m.getLatLng(), places[i].zoom, function () {
        reveal(m, function () { if (openPopup) { m.openPopup(); } });
      });
    }

    /* ---- story mode ---- */
    var step = -1;
    var prevBtn = document.getElementById("sm-prev");
    var nextBtn = document.getElementById("sm-next");
    var status = document.getElementById("sm-status");
    var current = null;

    function updateControls() {
      if (prevBtn) { prevBtn.disabled = step <= 0; }
      if (nextBtn) { nextBtn.disabled = step >= steps.length - 1; }
      if (status) {
        status.textContent = step < 0
          ? "Overview \u00b7 " + places.length + (places.length === 1 ? " place" : " places")
            + " \u00b7 " + steps.length + " steps"
          : "Step " + (step + 1) + " of " + steps.length;
      }
    }

    function goTo(k) {
      if (!steps.length) { return; }
      k = Math.max(0, Math.min(steps.length - 1, k));
      step = k;
      var passageIndex = steps[k][0], ids = steps[k][1];
      if (current) { current.classList.remove("sm-current"); current.removeAttribute("aria-current"); }
      current = passageEls[passageIndex] || null;
      if (current) {
        current.classList.add("sm-current");
        current.setAttribute("aria-current", "step");
        current.scrollIntoView({ block: "nearest", behavior: reduceMotion ? "auto" : "smooth" });
      }
      map.closePopup();
      if (ids.length === 1) {
        var p = places[ids[0]];
        move(markers[ids[0]].getLatLng(), Math.min(p.zoom, 7));
      } else {
        var bounds = L.latLngBounds(ids.map(function (x) { return markers[x].getLatLng(); }));
        map.flyToBounds(bounds, {
          padding: [50, 50], maxZoom: 7, duration: reduceMotion ? 0 : 0.8,
          animate: !reduceMotion
        });
      }
      updateControls();
    }

    function next() { goTo(step + 1); }
    function prev() { if (step > 0) { goTo(step - 1); } }
    if (prevBtn) { prevBtn.addEventListener("click", prev); }
    if (nextBtn) { nextBtn.addEventListener("click", next); }
    document.addEventListener("keydown", function (ev) {
      if (ev.defaultPrevented || ev.altKey || ev.ctrlKey || ev.metaKey || ev.shiftKey) { return; }
      var target = ev.target;
      if (target && target.closest && (target.closest(".leaflet-container") ||
          target.closest("input, textarea, select, [contenteditable]"))) { return; }
      if (ev.key === "ArrowRight") { ev.preventDefault(); next(); }
      else if (ev.key === "ArrowLeft") { ev.preventDefault(); prev(); }
    });
    updateControls();

    var api = {
      map: map,
      layer: layer,
      markers: markers,
      places: places,
      steps: steps,
      readyAt: null,
      timings: timings,
      markerCount: function () { return opts.cluster ? layer.getLayers().length : markers.length; },
      indexOf: function (id) {
        for (var k = 0; k < places.length; k++) { if (places[k].id === id) { return k; } }
        return -1;
      },
      reveal: function (id, callback) {
        var k = api.indexOf(id);
        reveal(markers[k], callback || function () {});
      },
      showPlace: function (id) { showPlace(api.indexOf(id), true); },
      step: function () { return step; },
      next: next,
      prev: prev,
      goTo: goTo
    };
    window.storymap = api;

    if (data.bounds) {
      map.fitBounds(L.latLngBounds(data.bounds).pad(0.15), { maxZoom: 7, animate: false });
    }
    if (opts.cluster) { layer.addLayers(markers); }
    else { markers.forEach(function (m) { layer.addLayer(m); }); }
    if (!opts.cluster || !markers.length) { setTimeout(markReady, 0); }
  };
})();

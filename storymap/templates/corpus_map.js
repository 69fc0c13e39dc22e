/* storymap corpus map: circles sized by the number of articles, lazy popups listing them, a
 * time slider. Document text reaches the DOM only through textContent (never innerHTML, never
 * a Leaflet string content). */
(function () {
  "use strict";

  var COLOURS = {
    country: "#b03a2e", region: "#1e8449", city: "#2e6da4", landmark: "#7d3c98",
    water: "#1b9fc6", mountain: "#8d6e63", island: "#16a085", continent: "#566573",
    other: "#707b7c"
  };
  var R_MIN = 4, R_MAX = 28, POPUP_MAX = 100;

  var el = storymapCommon.el, readJson = storymapCommon.readJson;

  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }

  window.corpusmapInit = function (map, opts) {
    var data = readJson("corpusmap-data");
    var basemap = readJson("corpusmap-basemap");
    var docs = data.docs, places = data.places, dates = data.dates;

    storymapCommon.addAttributionAndBasemap(map, opts.attribution, basemap, "cmBasemap",
                                            L.svg);

    /* ---- the time range ---- */
    var range = { lo: 0, hi: dates.length - 1, undated: true };
    function inRange(k) {
      var d = docs[k][2];
      if (d === null) { return range.undated; }
      if (!dates.length) { return true; }
      return d >= dates[range.lo] && d <= dates[range.hi];
    }
    function articlesOf(i) {
      var p = places[i], out = [];
      for (var j = 0; j < p.d.length; j++) { if (inRange(p.d[j])) { out.push(j); } }
      return out;
    }

    /* ---- circles ---- */
    var maxArticles = 1;
    places.forEach(function (p) { maxArticles = Math.max(maxArticles, p.d.length); });
    function radius(n) { return R_MIN + (R_MAX - R_MIN) * Math.sqrt(n / maxArticles); }

    var renderer = L.canvas({ padding: 0.5 });
    var circles = places.map(function (p, i) {
      var c = L.circleMarker([p.lat, p.lon], {
        renderer: renderer,
        radius: radius(p.d.length),
        color: "#ffffff",
        weight: 1,
        fillColor: COLOURS[p.feature] || COLOURS.other,
        fillOpacity: 0.6
      });
      c.bindTooltip(function () { return tooltipNode(i); }, { direction: "top" });
      c.bindPopup(function () { return popupNode(i); }, { maxWidth: 380, minWidth: 240 });
      c.smIndex = i;
      return c;
    });

    function tooltipNode(i) {
      var p = places[i], n = articlesOf(i).length;
      var node = el("span", "cm-tip");
      node.setAttribute("dir", "auto");
      node.appendChild(el("strong", null, p.name));
      node.appendChild(document.createTextNode(" \u2014 " + plural(n, "article", "articles")));
      return node;
    }

    function excerptNode(text, surface) {
      var node = el("p", "cm-excerpt");
      node.setAttribute("dir", "auto");
      var at = surface ? text.indexOf(surface) : -1;
      if (at < 0) { node.textContent = text; return node; }
      node.appendChild(document.createTextNode(text.slice(0, at)));
      node.appendChild(el("mark", null, surface));
      node.appendChild(document.createTextNode(text.slice(at + surface.length)));
      return node;
    }

    function popupNode(i) {
      var p = places[i], js = articlesOf(i);
      js.sort(function (a, b) {
        var da = docs[p.d[a]][2], db = docs[p.d[b]][2];
        if (da !== db) {
          if (da === null) { return 1; }
          if (db === null) { return -1; }
          return da < db ? 1 : -1;
        }
        return p.d[a] - p.d[b];
      });
      var mentions = 0;
      js.forEach(function (j) { mentions += p.m[j]; });
      var box = el("div", "cm-popup");
      box.appendChild(el("h3", "cm-name", p.name));
      var meta = [p.feature === "other" ? "place" : p.feature];
      if (p.country && p.feature !== "country") { meta.push(p.country); }
      box.appendChild(el("div", "cm-meta", meta.join(" \u00b7 ")));
      box.appendChild(el("div", "cm-count", plural(js.length, "article", "articles") + ", " +
        plural(mentions, "mention", "mentions")));
      var list = el("ol", "cm-articles");
      js.slice(0, POPUP_MAX).forEach(function (j) {
        var doc = docs[p.d[j]];
        var li = el("li");
        var head = el("div", "cm-head");
        head.appendChild(el("strong", "cm-title", doc[1]));
        if (doc[2]) { head.appendChild(el("span", "cm-date", doc[2])); }
        li.appendChild(head);
        if (doc[1] !== doc[0]) { li.appendChild(el("div", "cm-id", doc[0])); }
        if (p.x[j]) { li.appendChild(excerptNode(p.x[j], p.s[j])); }
        list.appendChild(li);
      });
      box.appendChild(list);
      if (js.length > POPUP_MAX) {
        box.appendChild(el("div", "cm-more", "\u2026 and " + (js.length - POPUP_MAX) + " more"));
      }
      return box;
    }

    /* ---- legend and slider ---- */
    var legend = L.control({ position: "topright" });
    var summary;
    legend.onAdd = function () {
      var box = el("div", "cm-legend leaflet-bar");
      box.appendChild(el("strong", null, document.title));
      summary = el("div", "cm-summary");
      summary.setAttribute("role", "status");
      summary.setAttribute("aria-live", "polite");
      box.appendChild(summary);
      box.appendChild(el("div", "cm-hint", "Circle area: number of articles. Click a circle " +
        "for its articles."));
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    legend.addTo(map);

    var undatedCount = docs.filter(function (d) { return d[2] === null; }).length;
    var slider = null, fromInput = null, toInput = null, label = null, undatedBox = null;
    if (dates.length >= 2) {
      slider = L.control({ position: "bottomleft" });
      slider.onAdd = function () {
        var box = el("div", "cm-slider leaflet-bar");
        box.appendChild(el("strong", null, "Time"));
        label = el("div", "cm-range");
        fromInput = rangeInput("From", range.lo);
        toInput = rangeInput("To", range.hi);
        box.appendChild(label);
        box.appendChild(fromInput.wrap);
        box.appendChild(toInput.wrap);
        if (undatedCount) {
          var lab = el("label", "cm-undated");
          undatedBox = el("input");
          undatedBox.type = "checkbox";
          undatedBox.checked = true;
          undatedBox.addEventListener("change", function () {
            range.undated = undatedBox.checked; update();
          });
          lab.appendChild(undatedBox);
          lab.appendChild(document.createTextNode(" " + plural(undatedCount, "undated article",
            "undated articles")));
          box.appendChild(lab);
        }
        fromInput.input.addEventListener("input", function () {
          setRange(+fromInput.input.value, Math.max(+fromInput.input.value, range.hi));
        });
        toInput.input.addEventListener("input", function () {
          setRange(Math.min(range.lo, +toInput.input.value), +toInput.input.value);
        });
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        return box;
      };
      slider.addTo(map);
    }

    function rangeInput(name, value) {
      var wrap = el("label", "cm-input");
      wrap.appendChild(el("span", null, name));
      var input = el("input");
      input.type = "range";
      input.min = "0";
      input.max = String(dates.length - 1);
      input.step = "1";
      input.value = String(value);
      input.setAttribute("aria-label", name + " date");
      wrap.appendChild(input);
      return { wrap: wrap, input: input };
    }

    function setRange(lo, hi) {
      var last = Math.max(dates.length - 1, 0);
      range.lo = Math.max(0, Math.min(lo, last));
      range.hi = Math.max(range.lo, Math.min(hi, last));
      if (fromInput) { fromInput.input.value = String(range.lo); }
      if (toInput) { toInput.input.value = String(range.hi); }
      update();
    }

    var visible = 0, visibleDocs = 0;
    function update() {
      visible = 0;
      var seen = {};
      circles.forEach(function (c, i) {
        var js = articlesOf(i);
        if (js.length) {
          c.setRadius(radius(js.length));
          if (!map.hasLayer(c)) { c.addTo(map); }
          visible += 1;
          js.forEach(function (j) { seen[places[i].d[j]] = true; });
        } else if (map.hasLayer(c)) {
          c.closePopup();
          map.removeLayer(c);
        }
      });
      visibleDocs = Object.keys(seen).length;
      if (summary) {
        summary.textContent = plural(visibleDocs, "article", "articles") + " with places \u00b7 " +
          plural(visible, "place", "places") + (docs.length > visibleDocs
            ? " (" + docs.length + " documents in all)" : "");
      }
      if (label) {
        label.textContent = dates[range.lo] === dates[range.hi] ? dates[range.lo]
          : dates[range.lo] + " \u2013 " + dates[range.hi];
      }
    }

    /* Big circles first, so small ones are drawn on top and stay clickable. */
    update();
    if (data.bounds) {
      map.fitBounds(L.latLngBounds(data.bounds).pad(0.15), { maxZoom: 7, animate: false });
    }

    window.corpusmap = {
      map: map,
      circles: circles,
      places: places,
      docs: docs,
      dates: dates,
      markerCount: function () { return visible; },
      articleCount: function () { return visibleDocs; },
      radius: function (i) { return circles[i].getRadius(); },
      visible: function (i) { return map.hasLayer(circles[i]); },
      setRange: setRange,
      setUndated: function (on) {
        range.undated = !!on;
        if (undatedBox) { undatedBox.checked = range.undated; }
        update();
      },
      openPopup: function (i) { circles[i].openPopup(); return circles[i].getPopup().getElement(); }
    };
    document.documentElement.setAttribute("data-corpusmap-ready", "1");
  };
})();

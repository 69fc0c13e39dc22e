/* Helpers shared by the story map (storymap.js), the corpus map (corpus_map.js) and the app's
 * map (render.py): prepended to each page script by `render.page_script`. */
var storymapCommon = window.storymapCommon || (function () {
  "use strict";

  /* An element with a class and text, set as textContent (never as markup). */
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  /* The data's credits, and the embedded country outlines in a pane of their own under the
   * tiles, so the map stays readable when the tiles cannot load. */
  function addAttributionAndBasemap(map, attribution, basemap, paneName, makeRenderer) {
    if (attribution && map.attributionControl) {
      map.attributionControl.addAttribution(attribution);
    }
    if (!basemap) { return; }
    var pane = map.createPane(paneName);
    pane.style.zIndex = 150;
    pane.style.pointerEvents = "none";
    pane.classList.add("sm-basemap-pane");
    L.geoJSON(basemap, {
      pane: paneName,
      renderer: makeRenderer({ pane: paneName, padding: 0.5 }),
      interactive: false,
      style: function (f) {
        return f.properties.kind === "land"
          ? { stroke: false, fillColor: "#f4f1ea", fillOpacity: 1 }
          : { color: "#9e9e9e", weight: 0.8, fill: false };
      }
    }).addTo(map);
  }

  return (window.storymapCommon = {
    el: el, readJson: readJson, addAttributionAndBasemap: addAttributionAndBasemap
  });
})();

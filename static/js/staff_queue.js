/* civic311 staff queue: progressive enhancement only. Without it the filters are a GET form,
   the sort and page links are links and the bulk form posts and comes back.
   With it: "select all on this page", a count of the ticked rows, and the map of the list. */
(function () {
  "use strict";

  function rowBoxes() {
    return Array.prototype.slice.call(document.querySelectorAll("#queue-rows input[name=ids]"));
  }

  function syncSelection() {
    var boxes = rowBoxes();
    var ticked = boxes.filter(function (b) { return b.checked; }).length;
    var all = document.getElementById("select-all");
    if (all) {
      all.closest("label").hidden = boxes.length === 0;
      all.checked = boxes.length > 0 && ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
    }
    var count = document.getElementById("selected-count");
    if (count) {
      var tmpl = count.dataset.template || "(%s selected)";
      count.textContent = ticked ? tmpl.replace("%s", ticked) : "";
    }
  }

  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (el.id === "select-all") {
      rowBoxes().forEach(function (b) { b.checked = el.checked; });
      syncSelection();
    } else if (el.name === "ids") {
      syncSelection();
    }
  });

  // The bulk form with nothing ticked: say so instead of a round trip.
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (form.id !== "bulk-form") return;
    if (!rowBoxes().some(function (b) { return b.checked; })) {
      ev.preventDefault();
      var count = document.getElementById("selected-count");
      if (count) count.textContent = count.dataset.none || "— select at least one request first";
    }
  }, true);
  document.addEventListener("htmx:confirm", function (ev) {
    var form = ev.target;
    if (form.id === "bulk-form" && !rowBoxes().some(function (b) { return b.checked; })) {
      ev.preventDefault();
      var count = document.getElementById("selected-count");
      if (count) count.textContent = count.dataset.none || "— select at least one request first";
    }
  });

  // --- Map view ---------------------------------------------------------------------------------
  var map = null;
  var layer = null;

  function mapConfig() {
    var el = document.getElementById("map-config");
    return el ? JSON.parse(el.textContent) : null;
  }

  function initMap() {
    var el = document.getElementById("queue-map");
    var cfg = mapConfig();
    if (!el || !cfg || !window.L) return;
    if (cfg.icons) {
      delete L.Icon.Default.prototype._getIconUrl;
      L.Icon.Default.mergeOptions({ iconUrl: cfg.icons.icon, iconRetinaUrl: cfg.icons.icon2x, shadowUrl: cfg.icons.shadow });
    }
    map = L.map(el, { scrollWheelZoom: false }).setView(cfg.center, cfg.zoom);
    if (cfg.tileUrl) {
      // Tiles are decoration: without them the markers still show on a plain background.
      var tiles = L.tileLayer(cfg.tileUrl, { maxZoom: 19, attribution: cfg.attribution });
      tiles.on("tileerror", function () { el.classList.add("tiles-failed"); });
      tiles.addTo(map);
    }
    layer = L.layerGroup().addTo(map);
    drawPoints();
  }

  function drawPoints() {
    if (!map) return;
    var data = document.getElementById("queue-points");
    if (!data) return;
    layer.clearLayers();
    var bounds = [];
    JSON.parse(data.textContent).forEach(function (p) {
      var colour = p.overdue ? "#b00020" : "#0b4f8a";
      var m = L.circleMarker([p.lat, p.lng], { radius: 8, weight: 2, color: colour, fillOpacity: 0.6, keyboard: false });
      var a = document.createElement("a");
      a.href = p.url;
      a.textContent = p.tn + " · " + p.label;
      m.bindPopup(a);
      m.addTo(layer);
      bounds.push([p.lat, p.lng]);
    });
    if (bounds.length) map.fitBounds(bounds, { maxZoom: 16, padding: [20, 20] });
  }

  document.addEventListener("htmx:afterSettle", function (ev) {
    syncSelection();
    if (ev.detail.target && ev.detail.target.id === "results") drawPoints();
  });

  document.addEventListener("DOMContentLoaded", function () {
    syncSelection();
    initMap();
  });
})();

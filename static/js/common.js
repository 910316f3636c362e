/* civic311: the helpers every page script shares, resident pages and back office alike.
   templates/base.html and templates/staff/base.html load it before their page scripts; on its own
   it does nothing. Like them, it only enhances pages that work without JavaScript. */
(function () {
  "use strict";

  function mapConfig() {
    var el = document.getElementById("map-config");
    return el ? JSON.parse(el.textContent) : null;
  }

  // A Leaflet map whose tiles are decoration: if they fail to load (offline, blocked), the map
  // still takes clicks and shows markers on a plain background. `opts` are Leaflet map options
  // (a `center` and `zoom` there replace the city's).
  function makeMap(el, cfg, opts) {
    if (!window.L || !el || !cfg) return null;
    if (cfg.icons) {
      // Leaflet guesses its marker image path from the CSS URL, which breaks once static files
      // get hashed names; give it the real URLs instead.
      delete L.Icon.Default.prototype._getIconUrl;
      L.Icon.Default.mergeOptions({ iconUrl: cfg.icons.icon, iconRetinaUrl: cfg.icons.icon2x, shadowUrl: cfg.icons.shadow });
    }
    var map = L.map(el, Object.assign({ scrollWheelZoom: false, center: cfg.center, zoom: cfg.zoom }, opts || {}));
    if (cfg.tileUrl) {
      var tiles = L.tileLayer(cfg.tileUrl, { maxZoom: 19, attribution: cfg.attribution });
      tiles.on("tileerror", function () { el.classList.add("tiles-failed"); });
      tiles.addTo(map);
    }
    return map;
  }

  // Requests as circle markers on `layer`, each with a popup linking to the request, and the map
  // fitted to them. `style` gives the marker radius, its colour and popup text for a point, and
  // the closest zoom to fit to.
  function drawPoints(map, layer, points, style) {
    layer.clearLayers();
    var bounds = [];
    points.forEach(function (p) {
      var m = L.circleMarker([p.lat, p.lng], { radius: style.radius, weight: 2, color: style.colour(p), fillOpacity: 0.6, keyboard: false });
      var a = document.createElement("a");
      a.href = p.url;
      a.textContent = style.text(p);
      m.bindPopup(a);
      m.addTo(layer);
      bounds.push([p.lat, p.lng]);
    });
    if (bounds.length) map.fitBounds(bounds, { maxZoom: style.maxZoom, padding: [20, 20] });
  }

  function guardSubmit(form) {
    // Ignore a second submit while the first is on its way (the server is idempotent as well).
    form.addEventListener("submit", function (ev) {
      if (form.dataset.submitting === "1") { ev.preventDefault(); return; }
      form.dataset.submitting = "1";
      setTimeout(function () { form.dataset.submitting = ""; }, 8000);
    });
  }

  // A re-rendered form with errors focuses the first invalid field (autofocus) where the browser
  // did not already; never take focus back from someone who has already moved on.
  function focusAutofocus() {
    var first = document.querySelector("[autofocus]");
    if (first && (!document.activeElement || document.activeElement === document.body)) {
      first.focus();
    }
  }

  window.civic311 = {
    mapConfig: mapConfig,
    makeMap: makeMap,
    drawPoints: drawPoints,
    guardSubmit: guardSubmit,
    focusAutofocus: focusAutofocus
  };
})();

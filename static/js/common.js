/* civic311: the helpers every page script shares, resident pages and back office alike.
   templates/base.html and templates/staff/base.html load it before their page scripts; on its own
   it only adds the character counters (below). Like them, it only enhances pages that work
   without JavaScript. */
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

  // Issue 12: a text box with a limit (data-max-chars, from requests_app.forms.LimitedTextField)
  // gets a count under it: characters left, or how many too many. Nothing is ever cut: the
  // server's message says the same in words if a long text is sent anyway.
  function textLength(value) {
    // As the server counts: by character, and a new line is sent as two (CR LF).
    return Array.from(value).length + (value.match(/\n/g) || []).length;
  }

  function charCounter(input) {
    var max = parseInt(input.dataset.maxChars, 10);
    if (!max || input.dataset.counted) return;
    input.dataset.counted = "1";
    // A page may place the count itself (an empty element with the id "<box id>_count"), where
    // the box sits in a row beside its button and a count after it would push the button out.
    var p = input.id ? document.getElementById(input.id + "_count") : null;
    var placed = !!p;
    if (!p) {
      p = document.createElement("p");
      p.className = "help char-count";
    }
    p.setAttribute("aria-live", "polite");
    if (input.id) {
      p.id = input.id + "_count";
      var described = input.getAttribute("aria-describedby");
      input.setAttribute("aria-describedby", (described ? described + " " : "") + p.id);
    }
    if (!placed) input.insertAdjacentElement("afterend", p);
    var left = input.dataset.charsLeft || "Characters left: %s";
    var over = input.dataset.charsOver || "Characters over the limit: %s";
    var timer;
    function update() {
      var n = max - textLength(input.value);
      p.textContent = n >= 0 ? left.replace("%s", n) : over.replace("%s", -n);
      p.classList.toggle("over", n < 0);
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(update, 400); });
    update();
  }

  function charCounters(root) {
    (root || document).querySelectorAll("[data-max-chars]").forEach(charCounter);
  }

  document.addEventListener("DOMContentLoaded", function () {
    charCounters(document);
    // Forms swapped in by htmx (the staff request page's actions) get theirs too.
    document.body.addEventListener("htmx:afterSettle", function () { charCounters(document); });
  });

  window.civic311 = {
    mapConfig: mapConfig,
    makeMap: makeMap,
    drawPoints: drawPoints,
    guardSubmit: guardSubmit,
    focusAutofocus: focusAutofocus,
    charCounters: charCounters
  };
})();

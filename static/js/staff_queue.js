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

  function initMap() {
    map = civic311.makeMap(document.getElementById("queue-map"), civic311.mapConfig());
    if (!map) return;
    layer = L.layerGroup().addTo(map);
    drawPoints();
  }

  function drawPoints() {
    if (!map) return;
    var data = document.getElementById("queue-points");
    if (!data) return;
    civic311.drawPoints(map, layer, JSON.parse(data.textContent), {
      radius: 8,
      maxZoom: 16,
      colour: function (p) { return p.overdue ? "#b00020" : "#0b4f8a"; },
      text: function (p) { return p.tn + " · " + p.label; }
    });
  }

  document.addEventListener("htmx:afterSettle", function (ev) {
    syncSelection();
    if (ev.detail.target && ev.detail.target.id === "results") drawPoints();
  });

  document.addEventListener("DOMContentLoaded", function () {
    syncSelection();
    initMap();
  });
  // The queue polls only while its tab is visible. Not an hx-trigger filter: htmx evaluates
  // those as code, which the Content-Security-Policy forbids.
  document.addEventListener("htmx:beforeRequest", function (ev) {
    var elt = ev.detail && ev.detail.elt;
    if (elt && elt.hasAttribute("data-poll-when-visible") && document.visibilityState !== "visible") {
      ev.preventDefault();
    }
  });
})();

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

  // The filter panel: open while a filter in it narrows the list (the server says so), and
  // otherwise as the person left it last time (remembered in this browser only).
  var PANEL_KEY = "civic311.queue.filtersOpen";
  function rememberPanel() {
    var panel = document.getElementById("filter-panel");
    if (!panel) return;
    try {
      if (!panel.open && window.localStorage.getItem(PANEL_KEY) === "1") panel.open = true;
    } catch (e) { /* storage refused (private mode): the server's choice stands */ }
    panel.addEventListener("toggle", function () {
      try { window.localStorage.setItem(PANEL_KEY, panel.open ? "1" : "0"); } catch (e) { /* as above */ }
    });
  }

  // With no rows the table and the bulk panel give way to a sentence; the refresh may bring rows
  // (or take the last ones away), so the three follow what the rows hold.
  function syncEmpty() {
    var body = document.getElementById("queue-rows");
    var empty = document.getElementById("queue-empty");
    if (!body || !empty) return;
    var hasRows = !body.querySelector("td.empty");
    empty.hidden = hasRows;
    var wrap = body.closest(".table-wrap");
    if (wrap) wrap.hidden = !hasRows;
    var bulk = document.getElementById("bulk-form");
    if (bulk) bulk.hidden = !hasRows;
  }

  document.addEventListener("htmx:afterSettle", function (ev) {
    syncSelection();
    syncEmpty();
    if (ev.detail.target && ev.detail.target.id === "results") drawPoints();
  });

  document.addEventListener("DOMContentLoaded", function () {
    syncSelection();
    rememberPanel();
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

  // The refresh sends back the ETag of the rows it shows; the server answers "304 Not Modified"
  // with no body while nothing changed, and then the rows stay as they are. (Done here rather
  // than through the browser cache: staff pages are no-store, so nothing is kept on disk.)
  function isPoll(elt) { return elt && elt.id === "queue-rows"; }
  document.addEventListener("htmx:configRequest", function (ev) {
    var elt = ev.detail.elt;
    if (isPoll(elt) && elt.dataset.etag && ev.detail.verb === "get") {
      ev.detail.headers["If-None-Match"] = elt.dataset.etag;
    }
  });
  document.addEventListener("htmx:beforeSwap", function (ev) {
    var elt = ev.detail.elt;
    if (!isPoll(elt)) return;
    var xhr = ev.detail.xhr;
    if (xhr.status === 304) {
      ev.detail.shouldSwap = false;
      ev.detail.isError = false;
      return;
    }
    elt.dataset.etag = xhr.getResponseHeader("ETag") || "";
  });
  // A filter, sort or page change replaces the whole results (and this tbody): its ETag goes too.
})();

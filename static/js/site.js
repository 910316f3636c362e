/* civic311: progressive enhancement for the resident pages.
   Every page works without this file; it adds the map, "use my location", picking an address
   suggestion, using a photo's GPS; common.js has what the back office shares (map, points,
   double-submit guard, character counters). */
(function () {
  "use strict";

  var mapConfig = civic311.mapConfig;
  var makeMap = civic311.makeMap;

  // An error summary link goes to the field's block; put the focus in its first control so the
  // resident can fix it at once (the label or legend stays in view above it).
  function errorSummaryLinks() {
    document.addEventListener("click", function (ev) {
      var link = ev.target.closest(".error-summary a[href^='#']");
      if (!link) return;
      var target = document.getElementById(link.getAttribute("href").slice(1));
      var control = target && target.querySelector("input:not([type=hidden]), textarea, select");
      if (!control) return;
      ev.preventDefault();
      target.scrollIntoView();
      control.focus({ preventScroll: true });
    });
  }

  function initReport() {
    var form = document.getElementById("report-form");
    if (!form) return;
    var lat = form.querySelector("[name=latitude]");
    var lng = form.querySelector("[name=longitude]");
    var address = document.getElementById("id_address");
    var status = document.getElementById("location-status");
    var mapEl = document.getElementById("report-map");
    var map = makeMap(mapEl, mapConfig());
    var marker = null;
    var i18nEl = document.getElementById("js-i18n");
    var t = i18nEl ? JSON.parse(i18nEl.textContent) : {};

    function say(text) { if (status) status.textContent = text; }

    // The "Which streetlight is it?" picker follows the category and the pin.
    function refreshAssets() { if (window.htmx) htmx.trigger(document.body, "refresh-assets"); }

    function place(latv, lngv, label, fromAddress, initial) {
      lat.value = Number(latv).toFixed(6);
      lng.value = Number(lngv).toFixed(6);
      if (map) {
        var ll = [lat.value, lng.value];
        if (!marker) {
          marker = L.marker(ll, {
            draggable: true, keyboard: true, title: t.pin || "Problem location", alt: t.pin || "Problem location"
          }).addTo(map);
          marker.on("dragend", function () {
            var p = marker.getLatLng();
            place(p.lat, p.lng, null, false);
          });
        } else {
          marker.setLatLng(ll);
        }
        map.setView(ll, Math.max(map.getZoom(), 16));
      }
      if (label) {
        address.value = label;
        say((t.locationSet || "Location set:") + " " + label);
      } else if (!fromAddress) {
        lookupNearest(lat.value, lng.value);
      }
      if (!initial) refreshAssets();
    }

    function lookupNearest(latv, lngv) {
      fetch(form.dataset.nearestUrl + "?lat=" + latv + "&lng=" + lngv)
        .then(function (r) { return r.json(); })
        .then(function (data) {
          if (!data.inside) { say(data.message); return; }
          if (data.label) address.value = data.label;
          say((t.pinPlaced || "Pin placed") + (data.label ? " — " + (t.near || "near") + " " + data.label : "."));
        })
        .catch(function () { say(t.pinPlaced || "Pin placed."); });
    }

    if (map) {
      map.on("click", function (ev) { place(ev.latlng.lat, ev.latlng.lng, null, false); });
      // Keyboard users move the map with the arrow keys (Leaflet) and drop the pin at its centre.
      mapEl.addEventListener("keydown", function (ev) {
        if (ev.target !== mapEl || ev.key !== "Enter") return;
        ev.preventDefault();
        var c = map.getCenter();
        place(c.lat, c.lng, null, false);
      });
      document.querySelectorAll(".keyboard-hint").forEach(function (el) { el.hidden = false; });
      if (lat.value && lng.value) {
        marker = null;
        place(lat.value, lng.value, address.value || null, true, true);
      }
    }

    // Typing a new address means the old pin no longer applies until a suggestion is chosen.
    address.addEventListener("input", function () { lat.value = ""; lng.value = ""; });

    form.addEventListener("change", function (ev) {
      if (ev.target.name === "category") refreshAssets();
    });

    // Enter in a search box searches; it must not submit (or review) the whole report.
    form.addEventListener("keydown", function (ev) {
      if (ev.key !== "Enter" || ev.isComposing) return;
      if (ev.target === address) {
        ev.preventDefault();
        var find = document.getElementById("address-find");
        if (find) find.click();
      } else if (ev.target.id === "category-search") {
        ev.preventDefault();
        if (window.htmx) htmx.trigger(ev.target, "search");
      }
    });

    document.addEventListener("click", function (ev) {
      var pick = ev.target.closest(".address-pick");
      if (pick) {
        place(pick.dataset.lat, pick.dataset.lng, pick.dataset.label, true);
        var results = document.getElementById("address-results");
        if (results) results.innerHTML = "";
        address.focus();
        return;
      }
      var usePhoto = ev.target.closest(".use-photo-location");
      if (usePhoto) {
        place(usePhoto.dataset.lat, usePhoto.dataset.lng, null, false);
        return;
      }
      var remove = ev.target.closest(".remove-photo");
      if (remove && remove.closest("#photo-list")) {
        // With JavaScript, removing a photo needs no round trip: drop it from the form.
        ev.preventDefault();
        var item = remove.closest("li");
        item.parentNode.removeChild(item);
        document.getElementById("id_photos").focus();
      }
    });

    var locate = document.getElementById("use-my-location");
    if (locate && navigator.geolocation) {
      locate.hidden = false;
      locate.addEventListener("click", function () {
        say(t.locating || "Finding your location…");
        navigator.geolocation.getCurrentPosition(
          function (pos) { place(pos.coords.latitude, pos.coords.longitude, null, false); },
          function () { say(t.locateFailed || "We couldn't get your location. Type an address or place a pin instead."); },
          { enableHighAccuracy: true, timeout: 10000 }
        );
      });
    }

    // After a photo upload, clear the file input so the same files are not sent again on submit,
    // and offer the first photo's GPS position if no location is set yet.
    document.body.addEventListener("htmx:afterRequest", function (ev) {
      if (ev.detail.elt && ev.detail.elt.id === "id_photos") {
        ev.detail.elt.value = "";
      }
    });
    // A late search result must not replace the list under a resident who has moved on to it
    // (their focus, and the radio they are on, would vanish).
    document.body.addEventListener("htmx:beforeSwap", function (ev) {
      var target = ev.detail.target;
      if (target && target.id === "category-list" && target.contains(document.activeElement)) {
        ev.detail.shouldSwap = false;
      }
    });
    document.body.addEventListener("htmx:afterSwap", function (ev) {
      if (ev.detail.target && ev.detail.target.id === "photo-list" && !lat.value) {
        var gps = ev.detail.target.querySelector(".use-photo-location");
        if (gps) say(t.photoHasLocation || "Your photo has a location. Use the button under it to place the pin there.");
      }
    });
  }

  function initTracker() {
    var el = document.getElementById("tracker-map");
    if (!el) return;
    var map = makeMap(el, mapConfig(), { zoomControl: true });
    if (!map) return;
    var ll = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lng)];
    L.marker(ll, { keyboard: false, alt: el.dataset.pin || "" }).addTo(map);
    map.setView(ll, 16);
  }

  function initBrowse() {
    var el = document.getElementById("browse-map");
    if (!el) return;
    var map = makeMap(el, mapConfig());
    if (!map) return;
    var layer = L.layerGroup().addTo(map);
    function draw() {
      var data = document.getElementById("map-points");
      if (!data) return;
      civic311.drawPoints(map, layer, JSON.parse(data.textContent), {
        radius: 7,
        maxZoom: 15,
        colour: function () { return "#0b4f8a"; },
        text: function (p) { return p.label + " · " + p.tn; }
      });
    }
    draw();
    document.body.addEventListener("htmx:afterSwap", function (ev) {
      if (ev.detail.target && ev.detail.target.id === "results") draw();
    });
    document.body.addEventListener("htmx:afterSettle", draw);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-guard-submit]").forEach(civic311.guardSubmit);
    errorSummaryLinks();
    initReport();
    initTracker();
    initBrowse();
    civic311.focusAutofocus();
  });
})();

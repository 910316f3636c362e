/* civic311 back office: the request page and the operator intake.
   Both pages work without this file; it adds the map, response-template insertion, HTMX
   re-rendering of refused actions, and the keyboard paths of the intake form. */
(function () {
  "use strict";

  // The request's pin and, on the intake page, the open requests nearby.
  function initMap(root) {
    var el = root.querySelector ? root.querySelector("#detail-map") : null;
    if (!el && root.id === "detail-map") el = root;
    var cfg = civic311.mapConfig();
    if (!el || !window.L || !cfg || el.dataset.ready) return;
    el.dataset.ready = "1";
    var here = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lng)];
    var map = civic311.makeMap(el, cfg, { center: here, zoom: 17 });
    L.marker(here, { keyboard: false, alt: el.dataset.pin || "" }).addTo(map);
    document.querySelectorAll(".nearby-list li[data-lat]").forEach(function (li) {
      var link = li.querySelector("a");
      L.circleMarker([parseFloat(li.dataset.lat), parseFloat(li.dataset.lng)], {
        radius: 7, weight: 2, color: "#8a4b00", fillOpacity: 0.5, keyboard: false
      }).bindTooltip(link ? link.textContent : "").addTo(map);
    });
  }

  // --- Response templates: the chosen reply goes into the message box, to edit before sending.
  function initTemplates(root) {
    root.querySelectorAll(".use-template").forEach(function (b) { b.hidden = true; });
  }

  document.addEventListener("change", function (ev) {
    var select = ev.target.closest ? ev.target.closest("select[data-insert-into]") : null;
    if (!select) return;
    var option = select.options[select.selectedIndex];
    var box = document.getElementById(select.dataset.insertInto);
    if (!box || !option || !option.dataset.body) return;
    var typed = box.value.trim();
    // Replace an empty box or one still holding the last template; never throw away typing.
    if (!typed || typed === (box.dataset.inserted || "").trim()) {
      box.value = option.dataset.body;
    } else {
      box.value = box.value.replace(/\s+$/, "") + "\n\n" + option.dataset.body;
    }
    box.dataset.inserted = option.dataset.body;
    var reason = select.dataset.reasonSelect && document.getElementById(select.dataset.reasonSelect);
    if (reason && option.dataset.reason && !reason.value) reason.value = option.dataset.reason;
    var status = select.closest(".template-picker").querySelector(".template-status");
    if (status) status.textContent = status.dataset.inserted || "Template inserted in the message. Edit it before sending.";
  });

  // --- HTMX: a refused action (409 conflict, 422 error) comes back as the page to show.
  document.addEventListener("htmx:beforeSwap", function (ev) {
    var status = ev.detail.xhr.status;
    if (status === 409 || status === 422) {
      ev.detail.shouldSwap = true;
      ev.detail.isError = false;
    }
    // A late search result must not replace the list under the operator's focus.
    var target = ev.detail.target;
    if (target && target.id === "category-list" && target.contains(document.activeElement)) {
      ev.detail.shouldSwap = false;
    }
  });

  // After an action re-renders the page, put the focus where the news is: the conflict, the
  // first field in error, or the confirmation.
  document.addEventListener("htmx:afterSettle", function (ev) {
    var detail = document.getElementById("detail");
    if (!detail || ev.detail.target !== detail && !detail.contains(ev.detail.elt)) return;
    var focus = detail.querySelector(".conflict") || detail.querySelector("[autofocus]") ||
      detail.querySelector("[data-focus-after-swap]");
    if (focus) {
      var opened = focus.closest("details");
      if (opened) opened.open = true;
      focus.focus();
    }
  });

  // --- Intake: keyboard paths through category search and address type-ahead.
  function initIntake() {
    var form = document.getElementById("intake-form");
    if (!form) return;
    var address = document.getElementById("id_address");
    var lat = document.getElementById("id_latitude");
    var lng = document.getElementById("id_longitude");
    var status = document.getElementById("location-status");

    function refreshNearby() { if (window.htmx) htmx.trigger(document.body, "refresh-nearby"); }

    function pick(button) {
      lat.value = button.dataset.lat;
      lng.value = button.dataset.lng;
      address.value = button.dataset.label;
      document.getElementById("address-results").innerHTML = "";
      if (status) status.textContent = (status.dataset.set || "Location set:") + " " + button.dataset.label;
      refreshNearby();
      var next = document.getElementById("id_description");
      (next || address).focus();
    }

    address.addEventListener("input", function () { lat.value = ""; lng.value = ""; });

    form.addEventListener("keydown", function (ev) {
      var t = ev.target;
      if (ev.isComposing) return;
      if (t.id === "category-search") {
        if (ev.key === "Enter") {
          ev.preventDefault();
          if (window.htmx) htmx.trigger(t, "search");
        } else if (ev.key === "ArrowDown") {
          var radio = form.querySelector("[name=category]:checked") || form.querySelector("[name=category]");
          if (radio) { ev.preventDefault(); radio.focus(); }
        }
      } else if (t === address) {
        var first = document.querySelector("#address-results .address-pick");
        if (ev.key === "Enter") {
          ev.preventDefault();
          if (first) pick(first); else if (window.htmx) htmx.trigger(address, "search");
        } else if (ev.key === "ArrowDown" && first) {
          ev.preventDefault();
          first.focus();
        }
      } else if (t.classList.contains("address-pick") && (ev.key === "ArrowDown" || ev.key === "ArrowUp")) {
        ev.preventDefault();
        var li = t.closest("li");
        var sibling = ev.key === "ArrowDown" ? li.nextElementSibling : li.previousElementSibling;
        if (sibling) sibling.querySelector("button").focus(); else if (ev.key === "ArrowUp") address.focus();
      }
    });

    form.addEventListener("click", function (ev) {
      var button = ev.target.closest(".address-pick");
      if (button) { ev.preventDefault(); pick(button); }
    });

    // Delegated on the form, so a radio swapped in by a late search result still loads its
    // questions (a handler on the radio itself could be missed).
    form.addEventListener("change", function (ev) {
      if (ev.target.name !== "category" || !window.htmx) return;
      htmx.ajax("GET", form.dataset.questionsUrl, {
        target: "#questions", swap: "outerHTML", values: { category: ev.target.value }
      });
      refreshNearby();
    });
  }

  function onLoad(root) {
    initMap(root);
    initTemplates(root);
  }

  if (window.htmx) {
    htmx.onLoad(onLoad);
  } else {
    document.addEventListener("DOMContentLoaded", function () { onLoad(document.body); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-guard-submit]").forEach(civic311.guardSubmit);
    initIntake();
    civic311.focusAutofocus();
  });
})();

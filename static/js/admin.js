/* civic311: accessibility repairs to Django's own admin widgets, on every admin page
   (templates/admin/base_site.html). The widgets are built by scripts after the page loads (and
   again for each inline row added), so the repairs run whenever the page's content changes. */
(function () {
  "use strict";

  function repair() {
    // The filter_horizontal picker (SelectFilter2) puts aria-label on a bare <span> icon; ARIA
    // forbids a label on an element with no role (axe: aria-prohibited-attr). As an image, its
    // label (what the search box does) is allowed and read.
    document.querySelectorAll(".search-label-icon[aria-label]:not([role])").forEach((icon) => {
      icon.setAttribute("role", "img");
    });
    // The autocomplete widget (Select2) is a combobox named by the text of its choice, so an
    // empty one has no name (axe: aria-input-field-name): name it by the original <select>'s
    // label, then its choice.
    document.querySelectorAll("select.admin-autocomplete").forEach((select) => {
      const box = select.parentElement.querySelector(".select2-selection[role=combobox]");
      const shown = box && box.querySelector(".select2-selection__rendered[id]");
      const label = select.id && document.querySelector('label[for="' + CSS.escape(select.id) + '"]');
      if (!box || box.dataset.named) return;
      box.dataset.named = "1";
      if (label) {
        label.id = label.id || select.id + "_label";
        box.setAttribute("aria-labelledby", shown ? label.id + " " + shown.id : label.id);
        // (A reference's own aria-labelledby is not followed from the box's, so the box still
        // reads the choice from this element's text.)
        if (shown) shown.setAttribute("aria-labelledby", label.id);
      } else if (select.getAttribute("aria-label")) {
        box.removeAttribute("aria-labelledby");
        box.setAttribute("aria-label", select.getAttribute("aria-label"));
        if (shown) shown.setAttribute("aria-label", select.getAttribute("aria-label"));
      }
    });
    // The date field's "Today" link: Django 6's Spanish catalogue lacks "Today (%(date)s)", so
    // the link reads "Hoy" but is named "Today (...)" (axe: label-content-name-mismatch). Its
    // name starts with its visible text again, the date kept.
    document.querySelectorAll(".datetimeshortcuts a[aria-label]").forEach((link) => {
      const text = link.textContent.trim();
      const label = link.getAttribute("aria-label");
      if (text && !label.startsWith(text)) {
        const date = label.match(/\(([^)]*)\)\s*$/);
        link.setAttribute("aria-label", date ? text + " (" + date[1] + ")" : text);
      }
    });
  }

  let queued = false;
  function soon() {
    if (queued) return;
    queued = true;
    setTimeout(() => { queued = false; repair(); }, 0);
  }
  document.addEventListener("DOMContentLoaded", () => {
    repair();
    new MutationObserver(soon).observe(document.body, {childList: true, subtree: true});
  });
  window.addEventListener("load", soon);
})();

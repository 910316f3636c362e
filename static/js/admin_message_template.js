/* Admin: the message template form's Preview and Load default buttons. */
(function () {
  const form = document.getElementById("messagetemplate_form");
  const out = document.getElementById("template-preview");
  document.getElementById("template-preview-button").addEventListener("click", async (e) => {
    const response = await fetch(e.target.dataset.url, {method: "POST", body: new FormData(form)});
    out.innerHTML = await response.text();
  });
  document.getElementById("template-default-button").addEventListener("click", async (e) => {
    const kind = form.elements.kind.value, channel = form.elements.channel.value;
    if (!kind || !channel) { out.textContent = "Choose a kind and a channel first."; return; }
    const filled = ["subject", "body_text", "body_html"].some((n) => form.elements[n].value.trim());
    if (filled && !confirm("Replace the current text with the default wording?")) return;
    const response = await fetch(e.target.dataset.url + "?" + new URLSearchParams({kind, channel}));
    const data = await response.json();
    for (const name of ["subject", "body_text", "body_html"]) form.elements[name].value = data[name] || "";
    if (!data.body_text) out.textContent = "There is no default for this kind and channel.";
  });
})();

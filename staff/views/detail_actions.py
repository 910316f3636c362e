"""The request page's action forms as HTML, built in Python.

Why not a template: the actions panel is up to fourteen small forms, each a form tag with two
URLs, the CSRF field, its hidden fields, a field partial per visible field and a reply picker:
about 900 template nodes and 40 `{% translate %}` lookups a page, 40 % of the page's template
time at 1M requests. Written out with f-strings it costs a small part of that. Every value goes
through `esc` (what autoescaping runs) and the widgets through the forms' own
BoundField (staff.form_html), so the markup is what templates/staff/detail.html's
`action-form` and `action-field` partials produced, byte for byte: tests/staff/test_detail_actions
keeps those partials verbatim and compares both on every form, bound and unbound, with errors,
templates and staged photos, in English and Spanish."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.forms import BoundField
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from staff.form_html import esc
from staff.forms import ActionForm


def actions_html(
    forms: Sequence[ActionForm],
    *,
    tracking_number: str,
    csrf_token: str,
    open_action: str,
    onsite_photos: Iterable = (),
    photo_errors: Iterable[str] = (),
    max_photos: int,
) -> SafeString:
    """Each form in a <details> (or, with no visible field, a quick one-button block)."""
    words = {
        "incomplete": esc(_("The form was incomplete. Reload the page and try again.")),
        "required": esc(_("required")),
        "error": esc(_("Error:")),
    }
    csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{esc(csrf_token)}">'
    out = []
    for f in forms:
        visible = f.visible
        form = _form(
            f,
            visible,
            tracking_number=tracking_number,
            csrf=csrf,
            words=words,
            onsite_photos=onsite_photos,
            photo_errors=photo_errors,
            max_photos=max_photos,
        )
        action = esc(f.action)
        if visible:
            is_open = " open" if open_action == f.action else ""
            out.append(
                "\n            \n            "
                f'<details class="action" id="action-{action}"{is_open}>'
                f"\n              <summary>{esc(f.title)}</summary>\n              {form}"
                "\n            </details>\n            \n          "
            )
        else:
            out.append(
                f'\n            \n            <div class="action quick" id="action-{action}">'
                f"{form}</div>\n            \n          "
            )
    return mark_safe("".join(out))  # noqa: S308 - every value is escaped above


def _form(
    f: ActionForm,
    visible: list[BoundField],
    *,
    tracking_number: str,
    csrf: str,
    words: dict[str, str],
    onsite_photos: Iterable,
    photo_errors: Iterable[str],
    max_photos: int,
) -> str:
    url = esc(reverse("staff:action", args=[tracking_number, f.action]))
    onsite = f.action == "onsite"
    enctype = 'enctype="multipart/form-data" hx-encoding="multipart/form-data"' if onsite else ""
    hidden = "".join(
        f'{h}<p class="error-message" role="alert">{words["incomplete"]}</p>'
        if h.errors
        else str(h)
        for h in f.hidden_fields()
    )
    errors = "".join(
        f'<p class="error-message" role="alert">{esc(e)}</p>' for e in f.non_field_errors()
    )
    fields = "".join(_field(field, words) for field in visible)
    return (
        f'\n<form method="post" action="{url}" class="action-form" novalidate'
        f'\n      hx-post="{url}" hx-target="#detail" hx-swap="outerHTML"'
        f"\n      {enctype}>\n  {csrf}\n  {hidden}\n  {errors}\n  {_picker(f)}\n  {fields}"
        f"\n  {_photos(onsite_photos, photo_errors, max_photos) if onsite else ''}"
        f'\n  <button type="submit" class="button {"primary" if visible else "secondary"}">'
        f"{esc(f.button)}</button>\n</form>\n"
    )


def _picker(f: ActionForm) -> str:
    """The canned replies' select (the Comment and Resolve forms)."""
    templates = getattr(f, "templates", None)
    if not templates:
        return ""
    action = esc(f.action)
    chosen = str(f["template"].value())
    reason_select = ' data-reason-select="resolve-closure_reason"' if f.action == "resolve" else ""
    options = "".join(
        f'<option value="{esc(t.id)}" data-body="{esc(t.body)}"'
        + (f' data-reason="{esc(t.closure_reason_id)}"' if t.closure_reason_id else "")
        + (" selected" if chosen == str(t.id) else "")
        + f">{esc(t.name)}</option>"
        for t in templates
    )
    inserted = esc(_("Template inserted in the message. Edit it before sending."))
    return (
        '\n  <div class="field template-picker">'
        f'\n    <label for="{action}-template">{esc(_("Response template"))}</label>'
        '\n    <div class="address-row">'
        f'\n      <select name="template" id="{action}-template"'
        f' data-insert-into="{action}-message"{reason_select}>'
        f'\n        <option value="">{esc(_("Choose a reply…"))}</option>'
        f"\n        {options}"
        "\n      </select>"
        '\n      <button type="submit" name="use_template" value="1"'
        f' class="button secondary use-template" formnovalidate>{esc(_("Use template"))}</button>'
        "\n    </div>"
        f'\n    <p class="help template-status" role="status" data-inserted="{inserted}"></p>'
        "\n  </div>\n  "
    )


def _field(field: BoundField, words: dict[str, str]) -> str:
    auto_id = esc(field.auto_id)
    has_error = " has-error" if field.errors else ""
    required = f' <span class="req">({words["required"]})</span>' if field.field.required else ""
    help_text = (
        f'<p class="help" id="{auto_id}_helptext">{esc(field.help_text)}</p>'
        if field.help_text
        else ""
    )
    errors = (
        f'<p class="error-message" id="{auto_id}_error">'
        + "".join(
            f'<span class="visually-hidden">{words["error"]}</span> {esc(e)} ' for e in field.errors
        )
        + "</p>"
        if field.errors
        else ""
    )
    return (
        f'\n<div class="field{has_error}" id="field-{auto_id}">'
        f'\n  <label for="{esc(field.id_for_label)}">{esc(field.label)}{required}</label>'
        f"\n  {help_text}\n  {errors}\n  {field}\n</div>\n"
    )


def _photos(onsite_photos: Iterable, photo_errors: Iterable[str], max_photos: int) -> str:
    """The site visit's photo input, with the photos staged so far."""
    photo_errors, onsite_photos = list(photo_errors), list(onsite_photos)
    # {% blocktranslate %}: the values are escaped, the translated words are not.
    label = _("Photos (up to %(n)s)") % {"n": esc(max_photos)}
    errors = "".join(f'<p class="error-message" role="alert">{esc(e)}</p>' for e in photo_errors)
    staged = ""
    if onsite_photos:
        waiting = esc(_("A photo waiting to be saved with this visit"))
        items = "".join(
            f'<li><input type="hidden" name="photo_id" value="{esc(p.uuid)}">'
            f'<img src="{esc(reverse("requests_app:photo", args=[p.uuid, "thumb"]))}"'
            f' alt="{waiting}" width="120"></li>'
            for p in onsite_photos
        )
        staged = f'\n    <ul class="photo-list">{items}</ul>\n    '
    return (
        f'\n  <div class="field{" has-error" if photo_errors else ""}">'
        f'\n    <label for="onsite-photos">{label}</label>'
        f"\n    {errors}\n    {staged}"
        '\n    <input type="file" name="photos" id="onsite-photos"'
        ' accept="image/*,.heic,.heif" multiple>'
        "\n  </div>\n  "
    )

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

import contextlib
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.forms import BoundField
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from requests_app.models import ServiceRequest
from staff import detail_selectors as selectors
from staff.form_html import esc
from staff.forms import ACTION_FORMS, ActionForm

# --- The page's panel, kept per process -------------------------------------------------------
#
# On a GET every form is unbound, and what it shows is a function of a few things the page reads
# anyway: the request's own fields below, the assign form's people and teams, the reply
# templates (read on every page), the reference snapshot's lists (closure reasons, categories,
# departments: its config stamp) and the language. The panel is kept under a key made of all of
# them, so a change to any of them is a new key, never a stale panel; only the request's
# address, its version, the CSRF token and the site visit's draft key differ between two pages
# with the same key, and they are written into the panel as markers and filled in on each page.
# PostgreSQL text cannot hold a NUL character, so no stored value can look like a marker.
# Constructing the fourteen forms (Form.__init__ deep-copies every field) and writing them out
# was about a third of the page's CPU.

_URL, _CSRF, _VERSION, _DRAFT = "\x00u", "\x00c", "\x00v", "\x00d"
_PANELS: OrderedDict[tuple, str] = OrderedDict()
PANELS_KEPT = 500  # about 15 KB each


def _panel_key(sr: ServiceRequest, names: tuple[str, ...]) -> tuple | None:
    ref = getattr(sr, "_reference", None)
    if ref is None or ref.version is None:
        return None  # no config stamp: nothing is kept
    people, teams = selectors.assign_rows(request=sr) if "assign" in names else ((), ())
    replies = ()
    if "comment" in names or "resolve" in names:
        replies = tuple(
            (t.id, t.name, t.body, t.closure_reason_id)
            for resolve in (False, True)
            for t in selectors.response_templates(request=sr, for_resolve=resolve)
        )
    return (
        get_language(),
        settings.PHOTO_MAX_COUNT,
        ref.version,
        names,
        sr.category_id,
        sr.department_id,
        sr.priority,
        sr.assignee_id,
        sr.team_id,
        tuple((u.pk, u.get_full_name() or u.get_username()) for u in people),
        tuple((t.pk, t.name) for t in teams),
        replies,
    )


def actions_panel(sr: ServiceRequest, names: Sequence[str], *, csrf_token: str) -> SafeString:
    """The page's panel of unbound action forms (`names`, in order): what actions_html writes
    for `ACTION_FORMS[name](service_request=sr)` each, kept per process (see above)."""
    names = tuple(names)
    key = _panel_key(sr, names)
    panel = _PANELS.get(key) if key is not None else None
    if panel is None:
        marked = {"version": _VERSION, "draft_key": _DRAFT}
        panel = actions_html(
            [ACTION_FORMS[n](service_request=sr, initial=marked) for n in names],
            tracking_number=sr.tracking_number,
            csrf_token=_CSRF,
            open_action="",
            max_photos=settings.PHOTO_MAX_COUNT,
            detail_url=_URL,
        )
        if key is not None:
            _PANELS[key] = panel
            if len(_PANELS) > PANELS_KEPT:
                _PANELS.popitem(last=False)
    else:
        with contextlib.suppress(KeyError):  # another thread may have just dropped it
            _PANELS.move_to_end(key)
    filled = (
        panel.replace(_URL, esc(reverse("staff:detail", args=[sr.tracking_number])))
        .replace(_CSRF, esc(csrf_token))
        .replace(_VERSION, str(sr.version))
        .replace(_DRAFT, str(uuid.uuid4()))
    )
    return mark_safe(filled)  # noqa: S308 - the markers' values are escaped or plain


def panels_forget() -> None:
    """Drop every kept panel (tests that stand for a second web process)."""
    _PANELS.clear()


def actions_html(
    forms: Sequence[ActionForm],
    *,
    tracking_number: str,
    csrf_token: str,
    open_action: str,
    onsite_photos: Iterable = (),
    photo_errors: Iterable[str] = (),
    max_photos: int,
    detail_url: str | None = None,
) -> SafeString:
    """Each form in a <details> (or, with no visible field, a quick one-button block).
    `detail_url` is the request page's address (reversed here when not given): each form posts
    to it plus its action."""
    if detail_url is None:
        detail_url = reverse("staff:detail", args=[tracking_number])
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
            detail_url=detail_url,
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
    detail_url: str,
    csrf: str,
    words: dict[str, str],
    onsite_photos: Iterable,
    photo_errors: Iterable[str],
    max_photos: int,
) -> str:
    # reverse("staff:action", args=[number, action]): the action's names need no quoting.
    url = esc(f"{detail_url}{f.action}/")
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

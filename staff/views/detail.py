"""The staff request page and the actions on it.

Every action is a small form posted to `staff:action` with the request version the user saw.
Success redirects back (303) with a message; a stale version re-renders the page as it is now
with the user's text kept and the ConflictError message on top (409); anything else refused
re-renders with the error beside the form (422). With HTMX the same view returns only the
`#detail` fragment."""

from __future__ import annotations

import uuid
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from civic311.http import HtmxHttpRequest, see_other
from requests_app import services
from requests_app.configcache import config_snapshot
from requests_app.maps import map_config
from requests_app.models import Photo, ServiceRequest
from requests_app.permissions import request_for_work, staff_required
from requests_app.services import ConflictError, TransitionError, WorkflowError
from requests_app.templatetags.user_text import bdi
from routing.scoring import score_explain
from staff import detail_selectors as selectors
from staff.form_html import esc
from staff.forms import ACTION_FORMS, ActionForm
from staff.views.detail_actions import actions_html, actions_panel
from staff.views.detail_body import detail_body
from staff.views.detail_layout import detail_page


@staff_required
@require_GET
def detail(request: HtmxHttpRequest, tracking_number: str) -> HttpResponse:
    # One read of the config stamp for the page: the reference snapshot (the request's
    # category, department, areas, closure reason and the forms' lists) is checked once.
    with config_snapshot():
        sr = selectors.request_get_for_staff(tracking_number=tracking_number)
        if sr is None:
            raise Http404
        if sr.tracking_number != tracking_number:
            # A number typed into the address bar without its hyphen: one address per request.
            return redirect(reverse("staff:detail", args=[sr.tracking_number]))
        return _render(request, sr)


@staff_required
@require_POST
def action(request: HtmxHttpRequest, tracking_number: str, action: str) -> HttpResponse:
    form_class = ACTION_FORMS.get(action)
    if form_class is None:
        raise Http404
    sr = request_for_work(request, selectors.request_get_for_staff(tracking_number=tracking_number))

    if "use_template" in request.POST and hasattr(form_class, "add_templates"):
        return _render(request, sr, form=_with_template(form_class, request, sr))

    form = form_class(request.POST, service_request=sr)
    photos, photo_errors = _onsite_photos(request, form) if action == "onsite" else ([], [])
    if not form.is_valid() or photo_errors:
        return _render(request, sr, form=form, photos=photos, photo_errors=photo_errors, status=422)
    try:
        _perform(action, sr, request, form.cleaned_data, photos)
    except ConflictError as exc:
        # Show the request as it is now; keep what the user typed, against the new version.
        fresh = selectors.request_get_for_staff(tracking_number=tracking_number)
        data = request.POST.copy()
        data["version"] = str(fresh.version)
        retry = form_class(data, service_request=fresh)
        retry.is_valid()
        return _render(request, fresh, form=retry, photos=photos, conflict=str(exc), status=409)
    except (WorkflowError, TransitionError) as exc:
        form.add_error(None, str(exc))
        fresh = selectors.request_get_for_staff(tracking_number=tracking_number)
        return _render(request, fresh, form=form, photos=photos, status=422)
    messages.success(request, form.success)
    return see_other(reverse("staff:detail", args=[sr.tracking_number]))


def _perform(action: str, sr: ServiceRequest, request: HttpRequest, data: dict, photos) -> None:
    """Call the one service the action stands for."""
    common = {"request": sr, "actor": request.user, "expected_version": data["version"]}
    calls = {
        "acknowledge": lambda: services.request_acknowledge(**common),
        "assign": lambda: services.request_assign(
            **common, assignee=data["assignee"], team=data["team"]
        ),
        "priority": lambda: services.request_priority_change(
            **common, priority=data["priority"], reason=data["reason"], override=True
        ),
        "priority_automatic": lambda: services.request_priority_override_clear(**common),
        "comment": lambda: services.request_comment(**common, message=data["message"], public=True),
        "note": lambda: services.request_comment(**common, message=data["message"], public=False),
        "onsite": lambda: services.request_onsite_attempt(
            **common,
            public_message=data["public_message"],
            internal_notes=data["internal_notes"],
            photos=photos,
        ),
        "hold": lambda: services.request_hold(**common, message=data["message"]),
        "resume": lambda: services.request_resume(**common),
        "resolve": lambda: services.request_resolve(
            **common, closure_reason=data["closure_reason"], message=data["message"]
        ),
        "duplicate": lambda: services.request_mark_duplicate(**common, original=data["original"]),
        "reopen": lambda: services.request_reopen(**common, reason=data["reason"]),
        "recategorise": lambda: services.request_recategorise(
            **common, category=data["category"], reason=data["reason"]
        ),
        "transfer": lambda: services.request_transfer(
            **common, department=data["department"], reason=data["reason"]
        ),
    }
    calls[action]()


def _with_template(form_class: type[ActionForm], request: HttpRequest, sr: ServiceRequest):
    """Without JavaScript, 'Use template' comes back with the template in the message box."""
    initial = request.POST.dict()
    form = form_class(initial=initial, service_request=sr)
    chosen = form.template_chosen_from(initial.get("template", ""))
    if chosen is not None:
        form.initial["message"] = chosen.body
        if chosen.closure_reason_id and "closure_reason" in form.fields:
            form.initial["closure_reason"] = chosen.closure_reason_id
    return form


def _onsite_photos(request: HttpRequest, form: ActionForm) -> tuple[list[Photo], list[str]]:
    """Photos already staged under the form's draft key plus those attached to this POST."""
    try:
        draft_key = uuid.UUID(str(request.POST.get("draft_key")))
    except ValueError:
        return [], []
    photos = services.photos_for_draft(draft_key=draft_key, uuids=request.POST.getlist("photo_id"))
    errors: list[str] = []
    for upload in request.FILES.getlist("photos"):
        if len(photos) >= settings.PHOTO_MAX_COUNT:
            errors.append(_(services.TOO_MANY_PHOTOS) % {"max": settings.PHOTO_MAX_COUNT})
            break
        try:
            photos.append(services.photo_stage(upload=upload, draft_key=draft_key))
        except ValidationError as exc:
            errors.extend(exc.messages)
    return photos, errors


def _nearby_rows(sr: ServiceRequest) -> list[ServiceRequest]:
    """The nearby list, with each row's coordinates (`|stringformat:'.6f'`), link and status
    label made here rather than by template filters, a `{% url %}` and a get_status_display()
    per row."""
    rows = selectors.nearby_open_requests(
        point=sr.location, within_m=selectors.NEARBY_DETAIL_M, exclude=sr, coordinates=True
    )
    # Tracking numbers are digits and a hyphen: nothing for reverse() to quote.
    detail_url = reverse("staff:detail", args=["0"])[: -len("0/")]
    for n in rows:
        n.lat, n.lng = f"{n.latitude:.6f}", f"{n.longitude:.6f}"
        n.staff_url = f"{detail_url}{n.tracking_number}/"
        n.status_label = selectors.field_label(n, "status")
    return rows


# The timeline's and the nearby list's rows, written here to the byte what their template
# loops wrote (about 1.5 ms of template a page for ten nearby rows and a few events):
#   <li{% if e.internal %} class="internal"{% endif %}>
#     <time datetime="{{ e.at_iso }}">{{ e.at_text }}</time>
#     <strong>{{ e.title }}</strong>{% if e.internal %} <span class="badge internal-badge">
#     {% translate "Internal" %}</span>{% endif %}
#     <span class="by">{% blocktranslate with who=e.actor %}by {{ who }}{% endblocktranslate %}
#     </span>
#     {% if e.message %}<p class="prewrap">{{ e.message|bdi }}</p>{% endif %}
#   </li>
# and
#   <li data-lat="{{ n.lat }}" data-lng="{{ n.lng }}">
#     <a href="{{ n.staff_url }}">{{ n.tracking_number }}</a>
#     {{ n.category.tr_name }} · {{ n.status_label }} · {% blocktranslate with
#     d=n.distance.m|floatformat:0 %}{{ d }} m away{% endblocktranslate %}
#     {% if n.address %}<span class="muted">· {{ n.address|bdi }}</span>{% endif %}
#   </li>
# (tests/staff/test_detail_rows.py renders both loops with the template engine and compares).
_ROW_START = "\n          "
_ROW_INDENT = "\n            "


def timeline_html(entries) -> SafeString:
    internal = _("Internal")
    by = _("by %(who)s")
    out = []
    for e in entries:
        cls = ' class="internal"' if e.internal else ""
        badge = f' <span class="badge internal-badge">{internal}</span>' if e.internal else ""
        message = f'<p class="prewrap">{bdi(e.message)}</p>' if e.message else ""
        out.append(
            f"{_ROW_START}<li{cls}>"
            f'{_ROW_INDENT}<time datetime="{esc(e.at_iso)}">{esc(e.at_text)}</time>'
            f"{_ROW_INDENT}<strong>{esc(e.title)}</strong>{badge}"
            f'{_ROW_INDENT}<span class="by">{by % {"who": esc(e.actor)}}</span>'
            f"{_ROW_INDENT}{message}"
            f"{_ROW_START}</li>{_ROW_START}"
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


_ONE = Decimal(1)


def _whole(value: float) -> str:
    """`|floatformat:0` of a distance: floatformat's own rounding (the float's shortest text as
    a Decimal, half up) without its locale look-ups, which show no separator for a whole number
    while USE_THOUSAND_SEPARATOR is off; anything else goes to the filter itself."""
    if settings.USE_THOUSAND_SEPARATOR or not 0 <= value < 1e15:
        return floatformat(value, 0)
    return str(int(Decimal(str(value)).quantize(_ONE, rounding=ROUND_HALF_UP)))


def nearby_html(rows) -> SafeString:
    away = _("%(d)s m away")
    out = []
    for n in rows:
        address = f'<span class="muted">· {bdi(n.address)}</span>' if n.address else ""
        distance = away % {"d": _whole(n.distance.m)}
        out.append(
            f'{_ROW_START}<li data-lat="{esc(n.lat)}" data-lng="{esc(n.lng)}">'
            f'{_ROW_INDENT}<a href="{esc(n.staff_url)}">{esc(n.tracking_number)}</a>'
            f"{_ROW_INDENT}{esc(n.category.tr_name)} · {esc(n.status_label)} · {distance}"
            f"{_ROW_INDENT}{address}"
            f"{_ROW_START}</li>{_ROW_START}"
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


def _render(
    request: HtmxHttpRequest,
    sr: ServiceRequest,
    *,
    form: ActionForm | None = None,
    photos=(),
    photo_errors=(),
    conflict: str = "",
    status: int = 200,
) -> HttpResponse:
    profile = request.staff
    can_work = profile.can_work_on(sr)
    can_contact = profile.can_see_contact(sr)
    names = selectors.actions_available(request=sr) if can_work else []
    # The page's short reads (photos, events, supporters, messages, reply templates, people and
    # teams) in one round trip; the selectors below and the forms find their rows there.
    selectors.detail_read_ahead(
        request=sr, can_work=can_work, can_contact=can_contact, actions=names
    )
    csrf_token = get_token(request)
    if form is None and not photos and not photo_errors:
        # A GET: every form unbound, the panel kept per process (detail_actions.actions_panel).
        actions = actions_panel(sr, names, csrf_token=csrf_token)
    else:
        forms = {name: ACTION_FORMS[name](service_request=sr) for name in names}
        if form is not None:
            if form.is_bound and form.errors:
                form.mark_errors()
            forms[form.action] = form
        # The forms are written out in Python (staff.views.detail_actions): about 900 template
        # nodes a page otherwise.
        actions = actions_html(
            [forms[n] for n in selectors.ACTION_ORDER if n in forms],
            tracking_number=sr.tracking_number,
            csrf_token=csrf_token,
            open_action=form.action if form is not None else "",
            onsite_photos=photos,
            photo_errors=photo_errors,
            max_photos=settings.PHOTO_MAX_COUNT,
        )
    # get_<field>_display() without rebuilding each field's choices on every call.
    sr.labels = {
        name: selectors.field_label(sr, name)
        for name in ("status", "priority", "channel", "language", "contact_method")
    }
    nearby = _nearby_rows(sr)
    resident_photos, staff_photos = selectors.photos_split(request=sr, include_private=can_work)
    context = {
        "sr": sr,
        "can_work": can_work,
        "can_contact": can_contact,
        "answers": selectors.answers_with_prompts(request=sr),
        "resident_photos": resident_photos,
        "staff_photos": staff_photos,
        "timeline_html": timeline_html(
            selectors.timeline_staff(request=sr, include_internal=can_work)
        ),
        "supporters": list(selectors.supporter_list(request=sr)) if can_contact else [],
        "message_log": selectors.message_log(request=sr) if can_contact else [],
        "nearby": nearby,
        "nearby_html": nearby_html(nearby),
        "nearby_m": selectors.NEARBY_DETAIL_M,
        "actions_html": actions,
        "open_action": form.action if form is not None else "",
        "conflict": conflict,
        "map_config": map_config(),
        "score": score_explain(request=sr),
    }
    # The fragment is written in Python (staff.views.detail_body); the template adds the layout.
    # The layout's `{% csrf_token %}`s take the token the forms have: the context processor's
    # would mask the secret again (32 random draws, ~66 µs).
    detail_html = detail_body(context, request, csrf_token=csrf_token)
    # The layout from its stencil (staff.views.detail_layout) unless messages are waiting.
    page = (
        None
        if request.htmx
        else detail_page(request, sr, detail_html=detail_html, csrf_token=csrf_token)
    )
    if page is not None:
        response = HttpResponse(page, status=status)
    else:
        body = {"detail_html": detail_html, "sr": sr, "csrf_token": csrf_token}
        template = "staff/detail.html#detail" if request.htmx else "staff/detail.html"
        response = render(request, template, body, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response

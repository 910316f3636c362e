"""Call-centre and walk-in intake: an operator files a request for a caller, or attaches the
caller to an open request of the same kind nearby.

One view serves the page and its HTMX fragments (category filter, questions, address
suggestions, nearby requests), picked by the element the fragment is for. Without JavaScript
the same fragments come back on a full page (`action=edit` re-renders with everything kept)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import floatformat, truncatechars
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from civic311.http import HtmxHttpRequest, see_other
from requests_app import selectors as public_selectors
from requests_app.assets import asset_picker_context
from requests_app.configcache import config_snapshot
from requests_app.models import Category
from requests_app.permissions import staff_required
from requests_app.reference import reference
from requests_app.services import request_submit, request_supporter_add
from requests_app.templatetags.user_text import bdi
from requests_app.when import when_datetime
from staff import detail_selectors as selectors
from staff.form_html import esc
from staff.forms import AttachCallerForm, IntakeForm
from staff.views.intake_layout import intake_blank_page

FRAGMENTS = {
    "category-list": "staff/intake.html#category-list",
    "questions": "staff/intake.html#questions",
    "address-results": "staff/intake.html#address-results",
    "nearby-results": "staff/intake.html#nearby-results",
    "asset-picker": "includes/asset_picker.html",
}


@staff_required
@require_http_methods(["GET", "POST"])
def intake(request: HtmxHttpRequest) -> HttpResponse:
    if request.method == "GET":
        target = request.htmx.target if request.htmx else None
        # One read of the config stamp for the reference snapshot, however often it is asked.
        with config_snapshot():
            if target in FRAGMENTS:
                context = _fragment_context(request, request.GET)
                response = render(request, FRAGMENTS[target], context)
            else:
                # The blank page a call starts with, from its stencil (intake_layout.py).
                page = intake_blank_page(request, lambda key: _blank_context(request, key))
                if page is not None:
                    response = HttpResponse(page)
                else:
                    context = _blank_context(request, uuid.uuid4())
                    response = render(request, "staff/intake.html", context)
        patch_vary_headers(response, ("HX-Request", "HX-Target"))
        return response

    post = request.POST
    category = public_selectors.category_for_form(category_id=post.get("category"))
    if "attach_to" in post:
        return _attach(request, category)
    action = post.get("action", "review")
    if action == "edit" or "pick_address" in post:
        form = IntakeForm(initial=_initial_from(post), category=category)
        return render(request, "staff/intake.html", _page_context(request, form))

    form = IntakeForm(post, category=category)
    if not form.is_valid():
        return render(request, "staff/intake.html", _page_context(request, form), status=422)
    if action != "submit":
        return render(request, "staff/intake.html", _page_context(request, form, review=True))
    submission = form.submission(channel=form.cleaned_data["channel"])
    try:
        created, _new = request_submit(submission=submission, actor=request.user)
    except ValidationError as exc:
        form.add_submit_errors(exc)
        return render(request, "staff/intake.html", _page_context(request, form), status=422)
    messages.success(
        request,
        _("Request %(n)s created. Give the caller this tracking number.")
        % {"n": created.tracking_number},
    )
    return see_other(reverse("staff:detail", args=[created.tracking_number]))


def _attach(request: HttpRequest, category: Category | None) -> HttpResponse:
    """The caller reports a problem already on file: a supporter instead of a new request."""
    form = AttachCallerForm(request.POST)
    if not form.is_valid():
        page = IntakeForm(initial=_initial_from(request.POST), category=category)
        errors = [e for field_errors in form.errors.values() for e in field_errors]
        context = _page_context(request, page, attach_errors=errors)
        return render(request, "staff/intake.html", context, status=422)
    data = form.cleaned_data
    anonymous = data["anonymous"]
    original = data["attach_to"]
    request_supporter_add(
        request=original,
        actor=request.user,
        name="" if anonymous else data["name"],
        email="" if anonymous else data["email"],
        phone="" if anonymous or not data["phone"] else str(data["phone"]),
        channel=data["channel"],
        language=data["language"],
    )
    messages.success(
        request,
        _("The caller was added to request %(n)s. Give them this tracking number.")
        % {"n": original.tracking_number},
    )
    return see_other(reverse("staff:detail", args=[original.tracking_number]))


def _initial_from(post) -> dict:
    """What the operator typed, as initial values for a form shown again without errors."""
    initial = {
        k: (v if len(v) > 1 else v[0]) for k, v in post.lists() if k != "csrfmiddlewaretoken"
    }
    # The review step carries the checkbox as a hidden "True"/"False".
    initial["anonymous"] = str(initial.get("anonymous", "")).lower() in ("true", "on", "1")
    picked = selectors.address_point_get(pk=post.get("pick_address"))
    if picked is not None:
        initial.update(
            address=picked.label, latitude=picked.location.y, longitude=picked.location.x
        )
    return initial


def _nearby(category: Category | None, point: Point | None) -> list:
    if category is None or point is None:
        return []
    return selectors.nearby_open_requests(
        point=point, within_m=selectors.NEARBY_INTAKE_M, category=category
    )


# The nearby panel's rows, written here to the byte what the template's loop wrote (about half
# of the HTMX fragment's time for ten rows); tests/staff/test_detail_rows.py keeps the loop:
#   <li>
#     <a href="{% url 'staff:detail' n.tracking_number %}">{{ n.tracking_number }}</a>
#     · {{ n.address|bdi|default:_("map point") }} · {% blocktranslate with
#     d=n.distance.m|floatformat:0 %}{{ d }} m away{% endblocktranslate %}
#     · {% blocktranslate with at=n.created_at|date:"j M, H:i" %}reported {{ at }}
#     {% endblocktranslate %}
#     {% if n.supporter_count %}· {% blocktranslate count c=n.supporter_count %}{{ c }} other
#     caller{% plural %}{{ c }} other callers{% endblocktranslate %}{% endif %}
#     <p class="muted">{{ n.description|truncatechars:160|bdi }}</p>
#     <button type="submit" name="attach_to" value="{{ n.tracking_number }}"
#     class="button secondary small" formnovalidate>{% blocktranslate with
#     t=n.tracking_number %}Attach caller to {{ t }}{% endblocktranslate %}</button>
#   </li>
_ROW = "\n  "
_IN = "\n    "


def nearby_html(rows) -> SafeString:
    if not rows:
        return mark_safe("")
    # Tracking numbers are digits and a hyphen: nothing for reverse() to quote.
    detail_url = reverse("staff:detail", args=["0"])[: -len("0/")]
    map_point = _("map point")
    away, reported, attach = _("%(d)s m away"), _("reported %(at)s"), _("Attach caller to %(t)s")
    out = []
    for n in rows:
        number = esc(n.tracking_number)
        callers = ""
        if n.supporter_count:
            count = ngettext("%(c)s other caller", "%(c)s other callers", n.supporter_count)
            callers = "· " + count % {"c": esc(localize(n.supporter_count))}
        at = when_datetime(n.created_at, year=False)
        out.append(
            f"{_ROW}<li>"
            f'{_IN}<a href="{esc(detail_url + n.tracking_number + "/")}">{number}</a>'
            f"{_IN}· {bdi(n.address) or map_point} · "
            f"{away % {'d': esc(floatformat(n.distance.m, 0))}}"
            f"{_IN}· {reported % {'at': esc(at)}}"
            f"{_IN}{callers}"
            f'{_IN}<p class="muted">{bdi(truncatechars(n.description, 160))}</p>'
            f'{_IN}<button type="submit" name="attach_to" value="{number}"'
            f' class="button secondary small" formnovalidate>{attach % {"t": number}}</button>'
            f"{_ROW}</li>{_ROW}"
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


def _fragment_context(request: HttpRequest, params) -> dict:
    category = public_selectors.category_for_form(category_id=params.get("category"))
    point = selectors.point_for(
        latitude=params.get("latitude"),
        longitude=params.get("longitude"),
        address=params.get("address", ""),
    )
    query = params.get("q", "").strip()
    address = params.get("address", "").strip()
    nearby = _nearby(category, point)
    groups = public_selectors.category_groups_with_categories(query=query)
    shown = {c.pk for g in groups for c in g.matching}
    return {
        "form": IntakeForm(category=category),
        "category": category,
        "groups": groups,
        "match_count": len(shown),
        # A search must not silently drop the category already chosen.
        "chosen_elsewhere": category is not None and category.pk not in shown,
        "q": query,
        "selected_category": category.pk if category else "",
        "address_query": address,
        "address_results": public_selectors.address_search(query=address) if address else [],
        "nearby": nearby,
        "nearby_html": nearby_html(nearby),
        "nearby_ready": category is not None and point is not None,
        "nearby_m": selectors.NEARBY_INTAKE_M,
        **_asset_context(category, point, params),
    }


# The blank form's values besides its idempotency key: what makes its fields the same on every
# blank page (in one language).
BLANK_INITIAL = {"language": "en"}


def _blank_context(request: HttpRequest, idempotency_key: object) -> dict:
    """The context of a blank page whose form carries `idempotency_key`."""
    form = IntakeForm(initial={"idempotency_key": idempotency_key, **BLANK_INITIAL})
    context = _page_context(request, form)
    context.update(_blank_fragments(request, context))
    return context


def _blank_fragments(request: HttpRequest, context: dict) -> dict:
    """The blank page's category picker and its channel, description and caller fields,
    rendered once per process, reference snapshot and language: about two thirds of the page's
    template time (36 categories in ten groups; two radio lists). Only for a page the operator
    has not typed into yet: nothing chosen, searched or wrong."""
    form = context["form"]
    if (
        request.htmx
        or form.is_bound
        or context["q"]
        or context["selected_category"]
        or form.initial.keys() - {"idempotency_key"} != BLANK_INITIAL.keys()
        or any(form.initial[k] != v for k, v in BLANK_INITIAL.items())
    ):
        return {}
    ref = reference()
    lang = get_language() or settings.LANGUAGE_CODE
    keep = {"form": form, "groups": context["groups"], "selected_category": ""}

    def part(name: str) -> str:
        template = f"staff/intake.html#{name}"
        return ref.fragment((template, lang), lambda: render_to_string(template, keep))

    return {
        "category_list_html": part("category-list"),
        "channel_row_html": part("channel-row"),
        "description_html": part("description-field"),
        "caller_html": part("caller-fields"),
    }


def _asset_context(category: Category | None, point: Point | None, params) -> dict:
    # The resident form's picker, refreshed by the same event as the nearby requests.
    return asset_picker_context(
        category=category,
        point=point,
        picked=str(params.get("asset") or ""),
        url=reverse("staff:intake"),
        trigger="refresh-nearby",
    )


def _page_context(
    request: HttpRequest, form: IntakeForm, *, review: bool = False, attach_errors=()
) -> dict:
    if form.is_bound and form.errors:
        form.mark_errors()
    values = form.data if form.is_bound else form.initial
    context = _fragment_context(request, values)
    category = form.category_obj
    point = form.point if form.is_bound and form.point is not None else None
    if point is None:
        point = selectors.point_for(
            latitude=str(values.get("latitude") or ""),
            longitude=str(values.get("longitude") or ""),
            address=str(values.get("address") or ""),
        )
    # Suggestions only while the address is still being looked for.
    looking = not review and not values.get("latitude") and values.get("action") == "edit"
    context.update(
        form=form,
        category=category,
        selected_category=category.pk if category else "",
        address_results=context["address_results"] if looking else [],
        nearby=_nearby(category, point),
        nearby_ready=category is not None and point is not None,
        **_asset_context(category, point, values),
        review=review,
        answers=form.answer_summary() if review else [],
        attach_errors=list(attach_errors),
    )
    return context

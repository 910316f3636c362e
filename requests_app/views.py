"""Resident-facing pages: home, report form, confirmation, tracker, private link, browse, photos.

Views parse input, call one service or selector and pick a template; with HTMX the same view
returns a fragment (`template#partial`)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civic311.bounds import PAGE_MAX, id_or_none, page_number
from civic311.http import HtmxHttpRequest
from requests_app import selectors
from requests_app.assets import asset_picker_context
from requests_app.browse_page import browse_page, browse_results
from requests_app.configcache import config_snapshot
from requests_app.forms import CommentForm, ReportForm, form_started_token
from requests_app.maps import map_config
from requests_app.models import Channel, IntakeSettings, Photo
from requests_app.permissions import staff_profile
from requests_app.reference import Reference, reference
from requests_app.services import (
    INTAKE_UNACCEPTED,
    OUTSIDE_AREA,
    TOO_MANY_PHOTOS,
    IntakeClient,
    IntakeRefused,
    contact_is_confirmed,
    intake_report_admit,
    photo_stage,
    photo_unstage,
    photos_for_draft,
    request_contact_confirm,
    request_resident_comment,
    request_submit,
)
from requests_app.tracker_page import tracker_page

# The draft keys this browser staged photos under (its session): a staged photo is shown only to
# the browser that staged it, not to whoever learns its address.
STAGED_DRAFTS_SESSION_KEY = "staged_drafts"
STAGED_DRAFTS_KEPT = 20


def _staged_drafts_remember(request: HttpRequest, draft_key: uuid.UUID) -> None:
    drafts = request.session.get(STAGED_DRAFTS_SESSION_KEY, [])
    if str(draft_key) not in drafts:
        request.session[STAGED_DRAFTS_SESSION_KEY] = [*drafts, str(draft_key)][-STAGED_DRAFTS_KEPT:]


def _staged_by_this_browser(request: HttpRequest, photo: Photo) -> bool:
    return str(photo.draft_key) in request.session.get(STAGED_DRAFTS_SESSION_KEY, [])


# A browser's own random id, signed, kept two years: the "per device" intake limit counts it.
DEVICE_COOKIE = "c311_device"
DEVICE_SALT = "requests_app.device"
DEVICE_MAX_AGE = 2 * 365 * 24 * 60 * 60
# The Find box repeats at most this much of what was typed in its "not found" message.
FIND_ECHO_MAX = 40


def _uuid_or_new(value: str | None) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return uuid.uuid4()


def _int_or_none(value: str | None) -> int | None:
    return id_or_none(value)


def _intake_client(request: HttpRequest) -> IntakeClient:
    # REMOTE_ADDR, not X-Forwarded-For: a client can write any forwarded-for header it likes.
    device = request.get_signed_cookie(DEVICE_COOKIE, default="", salt=DEVICE_SALT)
    return IntakeClient(address=request.META.get("REMOTE_ADDR", ""), device=device or "")


def _with_device(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    if not request.get_signed_cookie(DEVICE_COOKIE, default="", salt=DEVICE_SALT):
        response.set_signed_cookie(
            DEVICE_COOKIE,
            uuid.uuid4().hex,
            salt=DEVICE_SALT,
            max_age=DEVICE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


def _fragment(ref: Reference, template: str, context: dict | Callable[[], dict], *key) -> str:
    """A piece of page that depends only on the reference snapshot, the language and `key`,
    rendered once per process and snapshot (an admin edit makes a new snapshot). Rendering the
    category picker was most of the report form's time. `context` may be a function, called
    only when the piece is rendered."""
    lang = get_language() or settings.LANGUAGE_CODE
    return ref.fragment(
        (template, lang, *key),
        lambda: render_to_string(template, context() if callable(context) else context),
    )


def report_keys_html(*, key: uuid.UUID, started: str) -> SafeString:
    """A blank report form's two hidden keys, as `{{ form.idempotency_key }}` and
    `{{ form.started }}` render them (a test compares), without two widget templates."""
    return format_html(
        '<input type="hidden" name="idempotency_key" value="{}" id="id_idempotency_key">\n'
        '  <input type="hidden" name="started" value="{}" id="id_started">',
        key,
        started,
    )


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    ref = reference()
    grid = _fragment(ref, "requests_app/home.html#group-grid", {"groups": ref.groups})
    return render(request, "requests_app/home.html", {"group_grid_html": grid})


# --- Reporting ----------------------------------------------------------------------------------


def _stage_uploads(
    request: HttpRequest, draft_key: uuid.UUID, already: int
) -> tuple[list[Photo], list[str]]:
    """Process the files attached to this POST; returns (staged photos, error messages)."""
    staged, errors = [], []
    for upload in request.FILES.getlist("photos"):
        if already + len(staged) >= settings.PHOTO_MAX_COUNT:
            errors.append(_(TOO_MANY_PHOTOS) % {"max": settings.PHOTO_MAX_COUNT})
            break
        try:
            staged.append(
                photo_stage(upload=upload, draft_key=draft_key, client=_intake_client(request))
            )
        except ValidationError as exc:
            errors.extend(exc.messages)
            if exc.code in ("too_many_photos", "throttled", "blocked"):
                break
    if staged:
        _staged_drafts_remember(request, draft_key)
    return staged, errors


def _point_from(values) -> Point | None:
    try:
        lat, lng = float(values.get("latitude") or ""), float(values.get("longitude") or "")
    except (TypeError, ValueError):
        return None
    if -90 <= lat <= 90 and -180 <= lng <= 180:
        return Point(lng, lat, srid=4326)
    return None


def _report_asset_context(form: ReportForm) -> dict:
    values = form.data if form.is_bound else form.initial
    point = form.point if form.point is not None else _point_from(values)
    return asset_picker_context(
        category=form.category_obj,
        point=point,
        picked=str(values.get("asset") or ""),
        url=reverse("requests_app:report_assets"),
        trigger="refresh-assets",
    )


def _category_list_html(form: ReportForm, ref: Reference) -> str:
    """The category picker, kept per snapshot, language and chosen category; "" (render it in
    the page) when the category has an error or the value sent is not a category."""
    if form.is_bound and form["category"].errors:
        return ""
    value = form["category"].value()
    selected = "" if value in (None, "") else str(value)
    if selected and not (
        selected.isascii() and selected.isdigit() and int(selected) in ref.categories
    ):
        return ""
    context = {"groups": ref.groups, "selected_category": selected}
    return _fragment(ref, "requests_app/report.html#category-list", context, selected)


def _blank_form_fragments(form: ReportForm, ref: Reference) -> dict:
    """A blank form's contact section and description field, rendered once per language: a
    dozen widget templates were a third of the form's time. A bound form (errors, values
    typed) renders them in the page."""
    if form.is_bound:
        return {}
    context = {"form": form}
    return {
        "contact_html": _fragment(ref, "requests_app/report.html#contact-fields", context),
        "description_html": _fragment(ref, "requests_app/report.html#description-field", context),
    }


def _report_context(
    form: ReportForm,
    photo_errors: list[str] | None = None,
    *,
    ref: Reference | None = None,
    **extra,
) -> dict:
    ref = ref or reference()
    category = form.category_obj
    if form.is_bound and form.errors:
        form.mark_errors()
    return {
        **_report_asset_context(form),
        "form": form,
        "groups": ref.groups,
        "category_list_html": _category_list_html(form, ref),
        **_blank_form_fragments(form, ref),
        "category": category,
        "photos": form.staged_photos,
        "photo_errors": photo_errors or [],
        "max_photos": settings.PHOTO_MAX_COUNT,
        "max_photo_mb": settings.PHOTO_MAX_BYTES // (1024 * 1024),
        "map_config": map_config(),
        "js_i18n": {
            "pin": _("Problem location"),
            "locationSet": _("Location set:"),
            "pinPlaced": _("Pin placed"),
            "near": _("near"),
            "locating": _("Finding your location…"),
            "locateFailed": _(
                "We couldn't get your location. Type an address or place a pin instead."
            ),
            "photoHasLocation": _(
                "Your photo has a location. Use the button under it to place the pin there."
            ),
        },
        **extra,
    }


@require_http_methods(["GET", "POST"])
def report(request: HtmxHttpRequest) -> HttpResponse:
    """The report form. POST with action=review shows the review screen; action=submit files it.

    Whatever the outcome, everything entered (including photos, staged server-side under the
    form's idempotency key) comes back on the page."""
    if request.method == "GET":
        ref = reference()
        category = selectors.category_for_form(category_id=request.GET.get("category"), ref=ref)
        key, started = uuid.uuid4(), form_started_token()

        def blank_form() -> ReportForm:
            return ReportForm(
                initial={
                    "idempotency_key": key,
                    "started": started,
                    "category": category,
                    "language": (get_language() or "en")[:2],
                },
                category=category,
            )

        if request.htmx:
            context = _report_context(blank_form(), ref=ref)
        else:
            # A blank form is the same for everyone reading this language with this category
            # chosen (or none), apart from its two keys and the CSRF token: its body is
            # rendered once per snapshot, language and category, and the form itself is only
            # built to render it.
            context = {
                "form_keys_html": report_keys_html(key=key, started=started),
                "form_body_html": _fragment(
                    ref,
                    "requests_app/report.html#form-body",
                    lambda: _report_context(blank_form(), ref=ref),
                    category and category.pk,
                ),
            }
        return _with_device(request, render(request, "requests_app/report.html", context))

    # One read of the config stamp for the whole POST: the reference snapshot, the intake
    # limits, the boundary flag and the due dates all share it (was four reads).
    with config_snapshot():
        return _report_post(request, reference())


def _report_post(request: HtmxHttpRequest, ref: Reference) -> HttpResponse:
    draft_key = _uuid_or_new(request.POST.get("idempotency_key"))
    if request.POST.get("remove_photo"):
        # Removed for good, so it no longer takes one of the draft's places.
        photo_unstage(draft_key=draft_key, photo_uuid=request.POST["remove_photo"])
    kept = [v for v in request.POST.getlist("photo_id") if v != request.POST.get("remove_photo")]
    photos = photos_for_draft(draft_key=draft_key, uuids=kept)
    staged, photo_errors = _stage_uploads(request, draft_key, len(photos))
    photos += staged
    category = selectors.category_for_form(category_id=request.POST.get("category"), ref=ref)
    form = ReportForm(request.POST, category=category, photos=photos)
    action = request.POST.get("action", "review")
    if (
        action in ("edit", "remove")
        or "remove_photo" in request.POST
        or not form.is_valid()
        or photo_errors
    ):
        return render(
            request,
            "requests_app/report.html",
            _report_context(form, photo_errors, ref=ref, edit=action in ("edit", "remove")),
            status=200 if action in ("edit", "remove") or "remove_photo" in request.POST else 422,
        )
    if action != "submit":
        context = _report_context(form, ref=ref, answers=form.answer_summary())
        if "asset" not in request.POST and context["asset_candidates"]:
            # Without JavaScript the picker could not appear before the location was known:
            # show the form again with it, once, before the review.
            return render(request, "requests_app/report.html", {**context, "asset_prompt": True})
        return render(request, "requests_app/report_review.html", context)
    refused, key_new = _intake_refusal(request, form)
    if refused is not None:
        return refused
    try:
        service_request, _created = request_submit(
            submission=form.submission(channel=Channel.WEB, photos=photos),
            actor=None,
            key_new=key_new,
        )
    except ValidationError as exc:
        form.add_submit_errors(exc)
        return render(
            request,
            "requests_app/report.html",
            _report_context(form, photo_errors, ref=ref),
            status=422,
        )
    return redirect("requests_app:confirmation", token=service_request.private_token)


def _intake_refusal(request: HttpRequest, form: ReportForm) -> tuple[HttpResponse | None, bool]:
    """The abuse checks before a public report is filed (issue 10): (None, whether the form's
    idempotency key was looked up and found new) to go ahead, else (the answer, False).

    A robot (hidden field filled in, form sent back too fast) and a blocked sender get the same
    neutral message; a sender over a limit is told to wait (429). Either way nothing is saved
    and the form comes back as it was sent."""
    limits = IntakeSettings.load()
    status, message, key_new = 0, "", False
    if form.looks_automated(min_seconds=limits.min_fill_seconds):
        status, message = 422, _(INTAKE_UNACCEPTED)
    else:
        data = form.cleaned_data
        anonymous = bool(data.get("anonymous"))
        try:
            # An attempt is recorded only for a key not filed yet (a re-sent form passes as None).
            key_new = (
                intake_report_admit(
                    client=_intake_client(request),
                    email="" if anonymous else data.get("email") or "",
                    phone="" if anonymous or not data.get("phone") else str(data["phone"]),
                    idempotency_key=data["idempotency_key"],
                )
                is not None
            )
        except IntakeRefused as exc:
            status, message = (429 if exc.code == "throttled" else 422), exc.message
    if not status:
        return None, key_new
    form.add_error(None, message)
    response = render(request, "requests_app/report.html", _report_context(form), status=status)
    return response, False


@require_GET
def report_categories(request: HttpRequest) -> HttpResponse:
    """HTMX: the category picker narrowed to what the resident typed, best first. One query
    (the search reads the snapshot's version too); the piece is rendered once per snapshot,
    language, words and selection."""
    ref, groups, words = selectors.category_picker_search(query=request.GET.get("q", ""))
    selected = _int_or_none(request.GET.get("category"))
    context = {"groups": groups, "selected_category": selected, "searching": True}
    html = _fragment(ref, "requests_app/report.html#category-list", context, words, selected)
    return HttpResponse(html)


@require_GET
def report_questions(request: HttpRequest) -> HttpResponse:
    category = selectors.category_for_form(category_id=request.GET.get("category"))
    form = ReportForm(category=category)
    return render(
        request, "requests_app/report.html#questions", {"form": form, "category": category}
    )


@require_GET
def report_assets(request: HttpRequest) -> HttpResponse:
    """HTMX: the asset picker for the chosen category around the pin, refreshed as it moves."""
    category = selectors.category_for_form(category_id=request.GET.get("category"))
    context = asset_picker_context(
        category=category,
        point=_point_from(request.GET),
        picked=request.GET.get("asset", ""),
        url=reverse("requests_app:report_assets"),
        trigger="refresh-assets",
    )
    return render(request, "includes/asset_picker.html", context)


@require_GET
def address_search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("address", "").strip()
    results = selectors.address_search(query=query)
    return render(
        request,
        "requests_app/report.html#address-results",
        {"address_results": results, "address_query": query},
    )


@require_GET
def address_nearest(request: HttpRequest) -> JsonResponse:
    """For a dropped pin: is it inside the city, and what is the nearest address?"""
    try:
        point = Point(float(request.GET["lng"]), float(request.GET["lat"]), srid=4326)
    except (KeyError, ValueError):
        return JsonResponse({"error": "lat and lng are required numbers"}, status=400)
    inside = selectors.boundary_contains(point=point)
    nearest = selectors.address_nearest(point=point) if inside else None
    return JsonResponse(
        {
            "inside": inside,
            "label": nearest.label if nearest else "",
            "message": "" if inside else _(OUTSIDE_AREA) % {"city": settings.CITY_NAME},
        }
    )


@require_POST
def photo_upload(request: HttpRequest) -> HttpResponse:
    """HTMX: stage photos as soon as they are picked, so the resident sees thumbnails (and any
    problem with a file) before going on."""
    draft_key = _uuid_or_new(request.POST.get("idempotency_key"))
    already = len(photos_for_draft(draft_key=draft_key, uuids=request.POST.getlist("photo_id")))
    staged, errors = _stage_uploads(request, draft_key, already)
    return render(
        request,
        "requests_app/report.html#photo-items",
        {"photos": staged, "photo_errors": errors, "max_photos": settings.PHOTO_MAX_COUNT},
    )


@require_GET
def confirmation(request: HttpRequest, token: str) -> HttpResponse:
    service_request = selectors.request_get_by_token(token=token)
    if service_request is None:
        raise Http404
    return render(
        request,
        "requests_app/confirmation.html",
        {
            "sr": service_request,
            "private_url": request.build_absolute_uri(
                reverse("requests_app:private", args=[token])
            ),
            # Updates wait until the address is confirmed: say so rather than promise them.
            "email_unconfirmed": bool(service_request.reporter_email)
            and not service_request.contact_confirmed
            and not contact_is_confirmed(channel="email", address=service_request.reporter_email),
        },
    )


# --- Tracking ------------------------------------------------------------------------------------


def _tracker_context(service_request, ref) -> dict:
    events, photos = selectors.public_events_and_photos(request=service_request)
    return {
        "sr": service_request,
        "timeline": selectors.timeline_public(events=events, ref=ref),
        "pipeline": selectors.request_pipeline(request=service_request, events=events, ref=ref),
        "photos": photos,
        # Named even when false: a name missing from the context costs the template an
        # exception each time it is read.
        "private": False,
        "added": False,
    }


@require_GET
def tracker(request: HttpRequest, tracking_number: str) -> HttpResponse:
    found = selectors.request_get_tracker(tracking_number=tracking_number)
    if found is None:
        return _not_found(request, tracking_number)
    service_request, ref, events, photos = found
    if service_request.tracking_number != tracking_number:
        # Typed into the address bar as "26124827" or "2612 4827": one address per request.
        return redirect(service_request.get_absolute_url())
    # tracker.html's page without the template engine (requests_app/tracker_page.py; tests
    # compare the two). The follow box's form address is made once here.
    page = tracker_page(
        request,
        sr=service_request,
        pipeline=selectors.request_pipeline(request=service_request, events=events, ref=ref),
        timeline=selectors.timeline_public(events=events, ref=ref),
        photos=photos,
        follow_url=reverse("notifications:follow", args=[service_request.tracking_number]),
    )
    return HttpResponse(page)


@require_GET
def find(request: HttpRequest) -> HttpResponse:
    """The Find box: a tracking number with any separator or none (the selector normalises it)
    goes to its tracker; anything else is the friendly not-found page, never an error."""
    query = request.GET.get("q", "").strip()
    if not query:
        return render(request, "requests_app/find.html", {"query": ""})
    url = selectors.request_public_url(tracking_number=query)
    if url is None:
        return _not_found(request, query)
    return redirect(url)


def _not_found(request: HttpRequest, typed: str) -> HttpResponse:
    # What was typed is repeated back (escaped, cut short) so the resident can see their slip.
    query = " ".join(typed.split())
    query = query if len(query) <= FIND_ECHO_MAX else query[: FIND_ECHO_MAX - 1] + "…"
    return render(
        request, "requests_app/find.html", {"query": query, "not_found": True}, status=404
    )


@require_http_methods(["GET", "POST"])
def private(request: HttpRequest, token: str) -> HttpResponse:
    """The resident's private page: the tracker plus a form to add a comment or photos."""
    ref = reference()
    service_request = selectors.request_get_by_token(token=token, ref=ref)
    if service_request is None:
        raise Http404
    if request.method == "GET" and request.GET.get("confirm"):
        # Followed from one of our messages: the contact it went to is the resident's.
        request_contact_confirm(request=service_request, code=request.GET["confirm"])
    status = 200
    if request.method == "POST":
        draft_key = _uuid_or_new(request.POST.get("draft_key"))
        photos = photos_for_draft(draft_key=draft_key, uuids=request.POST.getlist("photo_id"))
        staged, photo_errors = _stage_uploads(request, draft_key, len(photos))
        photos += staged
        form = CommentForm(request.POST, has_photos=bool(photos))
        if form.is_valid() and not photo_errors:
            try:
                request_resident_comment(
                    request=service_request, message=form.cleaned_data["message"], photos=photos
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect(f"{reverse('requests_app:private', args=[token])}?added=1")
        status = 422
    else:
        form, photos, photo_errors = CommentForm(initial={"draft_key": uuid.uuid4()}), [], []
    context = _tracker_context(
        selectors.request_get_public(tracking_number=service_request.tracking_number, ref=ref),
        ref,
    )
    context.update(
        private=True,
        comment_form=form,
        staged_photos=photos,
        photo_errors=photo_errors,
        added=request.GET.get("added") == "1",
    )
    return render(request, "requests_app/tracker.html", context, status=status)


def _browse_url(filters: selectors.PublicFilters, **extra) -> str:
    params = {
        "category": filters.category or "",
        "status": filters.status,
        "neighbourhood": filters.neighbourhood or "",
        **extra,
    }
    return "?" + urlencode({k: v for k, v in params.items() if v not in ("", None)})


def _browse_filter_options(filters: selectors.PublicFilters, ref: Reference) -> dict:
    """The filters' category and neighbourhood options (77 at San Francisco's size), rendered
    once per snapshot, language and choice. A choice that is not an option selects nothing, so
    it shares the blank one's rendering."""
    category = filters.category if filters.category in ref.categories else None
    neighbourhood = filters.neighbourhood if filters.neighbourhood in ref.areas else None
    return {
        "category_options_html": _fragment(
            ref,
            "requests_app/browse.html#category-options",
            {"categories": ref.active_categories, "filters": {"category": category}},
            category,
        ),
        "neighbourhood_options_html": _fragment(
            ref,
            "requests_app/browse.html#neighbourhood-options",
            {"neighbourhoods": ref.neighbourhoods, "filters": {"neighbourhood": neighbourhood}},
            neighbourhood,
        ),
    }


def _browse_listing(
    request: HttpRequest,
) -> tuple[selectors.PublicFilters, Reference, selectors.PublicListPage, str, str]:
    """The list's filters from the query string, the rows they pick and the pager's links."""
    status = request.GET.get("status", "")
    after = selectors.list_cursor_parse(request.GET.get("after"))
    filters = selectors.PublicFilters(
        category=_int_or_none(request.GET.get("category")),
        status=status if status in ("open", "closed") else "",
        neighbourhood=_int_or_none(request.GET.get("neighbourhood")),
        page=page_number(request.GET.get("page")),
        after=after,
        before=None if after else selectors.list_cursor_parse(request.GET.get("before")),
    )
    # One statement: the rows and the config stamp the snapshot is checked against.
    page = selectors.public_list_page(filters=filters)
    ref = page.ref
    # Pager links carry the first or last row's cursor (keyset paging) and the page number
    # they show; page 1 needs neither.
    newer_url = older_url = ""
    if filters.page > 1:
        newer = {"page": filters.page - 1}
        if filters.page > 2 and page.first:
            newer["before"] = page.first
        newer_url = _browse_url(filters, **newer)
    if page.has_next and page.last:
        older_url = _browse_url(filters, page=min(filters.page + 1, PAGE_MAX), after=page.last)
    return filters, ref, page, newer_url, older_url


@require_GET
def browse(request: HtmxHttpRequest) -> HttpResponse:
    filters, ref, page, newer_url, older_url = _browse_listing(request)
    # browse.html's page and fragment without the template engine (requests_app/browse_page.py;
    # tests compare the two).
    results = browse_results(
        request,
        cards_html=page.cards_html,
        count=len(page.cards),
        points=page.points,
        has_next=page.has_next,
        page_number=filters.page,
        newer_url=newer_url,
        older_url=older_url,
    )
    if request.htmx:
        return HttpResponse(results)
    options = _browse_filter_options(filters, ref)
    return HttpResponse(
        browse_page(request, status=filters.status, results=results, options=options)
    )


# --- Photos --------------------------------------------------------------------------------------


def _staff_may_see(user, photo: Photo) -> bool:
    """Hidden photos are for staff who work on the request (and city admins)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    profile = getattr(user, "staff_profile", None)
    return profile is not None and profile.can_work_on(photo.request)


@require_GET
def photo(request: HttpRequest, photo_uuid: uuid.UUID, size: str) -> FileResponse:
    """Serve a photo. Attached photos must be public (staff see the rest); a staged photo only to
    the browser that staged it (and to staff, who stage on-site photos on the detail page).
    Only public, attached photos may be cached."""
    item = get_object_or_404(Photo, uuid=photo_uuid)
    if item.request_id is None:
        if not (_staged_by_this_browser(request, item) or staff_profile(request.user)):
            raise Http404
    elif not item.public and not _staff_may_see(request.user, item):
        raise Http404
    field = item.thumbnail if size == "thumb" else item.image
    response = FileResponse(field.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = (
        "public, max-age=86400" if item.public and item.request_id else "private, no-store"
    )
    return response

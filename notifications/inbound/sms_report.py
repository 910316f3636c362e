"""A report made by text message: what is the problem → where is it → an optional photo → filed
through the same intake service as the web form, with channel "sms".

The conversation's state is its SmsConversation row. Lists offered to the resident ("Reply with a
number") are recomputed from what they already said, so nothing extra is stored; pictures sent
during the conversation are staged under a draft key derived from the conversation's id."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from notifications.inbound.replies import photos_from_attachments
from notifications.inbound.twilio import Media
from notifications.models import SmsConversation
from requests_app.category_search import category_search
from requests_app.models import Category, Channel, ContactMethod, Photo, ServiceRequest
from requests_app.selectors import address_resolve, address_search, boundary_contains
from requests_app.services import Reporter, Submission, request_submit

# A conversation left this long is dropped; the next message starts afresh.
CONVERSATION_IDLE = timedelta(hours=24)
# Reports one number may file by text in a day: a runaway script must not flood the queue.
DAILY_LIMIT = 5
# Categories offered when the search finds several close ones; when it finds none, the first
# ones of the picker.
OFFERED = 3
FALLBACK_OPTIONS = 6
# The best match is taken without asking when it scores this many times the second.
CLEAR_LEAD = 1.5
SKIP_WORDS = frozenset({"SKIP", "NO", "NONE", "OMITIR", "SALTAR", "NADA", "NINGUNA"})
OPEN_STEPS = (SmsConversation.Step.PROBLEM, SmsConversation.Step.PLACE, SmsConversation.Step.PHOTO)
_DRAFT_NAMESPACE = uuid.UUID("6f1c2b8e-3d5a-4c1e-9a57-0b3e5d2c7a41")
_LAT_LNG = re.compile(r"^\s*(-?\d{1,2}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*$")


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words of place a text message gives with the problem ("a pothole at the corner of..."): the
# next step asks where, and here they would only find categories that mention corners.
PLACE_WORDS = _wordset(
    "corner corners near outside front block avenue esquina cerca frente afuera cuadra avenida "
    "house casa"
)
_SPANISH = _wordset(
    "hay una el la los las del por que con para esta está muy calle esquina hola gracias favor "
    "bache basura grafiti farola luz árbol arbol agua fuga roto rota acera frente cerca mi "
    "en de y es no se"
)


@dataclass(frozen=True)
class Step:
    reply: str
    request: ServiceRequest | None = None
    note: str = ""
    language: str = "en"


def language_guess(text: str) -> str:
    """Spanish when the first message reads as Spanish (two common Spanish words, or ¿ ¡ ñ)."""
    lowered = (text or "").lower()
    if any(ch in lowered for ch in "¿¡ñ"):
        return "es"
    words = re.findall(r"\w+", lowered)
    return "es" if sum(word in _SPANISH for word in words) >= 2 else "en"


def _draft_key(conversation: SmsConversation) -> uuid.UUID:
    return uuid.uuid5(_DRAFT_NAMESPACE, f"sms-conversation:{conversation.pk}")


# --- Conversations -----------------------------------------------------------------------------


def conversation_open(*, phone: str, now: datetime) -> SmsConversation | None:
    """The number's conversation in progress, or None; one idle too long is marked abandoned."""
    conversation = (
        SmsConversation.objects.select_for_update()
        .filter(phone=phone, step__in=OPEN_STEPS)
        .order_by("-updated_at")
        .first()
    )
    if conversation is None:
        return None
    if now - conversation.updated_at > CONVERSATION_IDLE:
        conversation_abandon(phone=phone)
        return None
    return conversation


def conversation_abandon(*, phone: str) -> int:
    return SmsConversation.objects.filter(phone=phone, step__in=OPEN_STEPS).update(
        step=SmsConversation.Step.ABANDONED
    )


def conversation_start(phone: str, text: str, media: Media, now: datetime) -> Step:
    """Begin a report; the first message usually already says what the problem is."""
    language = language_guess(text)
    with translation.override(language):
        filed_today = ServiceRequest.objects.filter(
            reporter_phone=phone, channel=Channel.SMS, created_at__gte=now - timedelta(days=1)
        ).count()
        if filed_today >= DAILY_LIMIT:
            return Step(
                reply=_(
                    "You have sent several reports today. To report more, please call %(phone)s "
                    "or use %(site)s."
                )
                % {"phone": settings.CITY_PHONE, "site": settings.SITE_URL},
                note="Daily limit of text-message reports reached.",
                language=language,
            )
        conversation = SmsConversation.objects.create(
            phone=phone, language=language, started_at=now, updated_at=now
        )
        _stage(conversation, media)
        if not text.strip():
            return _save(
                conversation,
                now,
                _(
                    "%(city)s 311: what is the problem? For example: pothole, graffiti, "
                    "streetlight out."
                )
                % {"city": settings.CITY_NAME},
            )
        return _problem(conversation, text, now)


def conversation_continue(
    conversation: SmsConversation, text: str, media: Media, now: datetime
) -> Step:
    handlers: dict[str, Callable[[SmsConversation, str, datetime], Step]] = {
        SmsConversation.Step.PROBLEM: _problem,
        SmsConversation.Step.PLACE: _place,
        SmsConversation.Step.PHOTO: _photo,
    }
    with translation.override(conversation.language):
        _stage(conversation, media)
        if conversation.step == SmsConversation.Step.PHOTO and media:
            return _file(conversation, text, now)
        return handlers[conversation.step](conversation, text, now)


def _save(conversation: SmsConversation, now: datetime, reply: str, note: str = "") -> Step:
    conversation.updated_at = now
    conversation.save()
    return Step(
        reply=reply,
        request=conversation.request,
        note=note or f"Text-message report, step: {conversation.step}",
        language=conversation.language,
    )


def _stage(conversation: SmsConversation, media: Media) -> None:
    if not media:
        return
    staged = _staged_photos(conversation)
    photos_from_attachments(
        attachments=media.fetch(),
        limit=max(settings.PHOTO_MAX_COUNT - len(staged), 0),
        draft_key=_draft_key(conversation),
    )


def _staged_photos(conversation: SmsConversation) -> list[Photo]:
    return list(
        Photo.objects.filter(draft_key=_draft_key(conversation), request__isnull=True).order_by(
            "created_at", "id"
        )
    )


# --- Step 1: the problem ---------------------------------------------------------------------


def category_options(*, description: str) -> tuple[list[Category], bool]:
    """Categories for what the resident wrote, best first (the report form's category search,
    requests_app.category_search), and whether the first is a clear winner: the only match, or
    CLEAR_LEAD times the second's score. Unclear: the best OFFERED. Nothing found: the first
    FALLBACK_OPTIONS of the picker."""
    found = category_search(query=description, ignore=PLACE_WORDS)
    if not found.matches:
        return found.ref.active_categories[:FALLBACK_OPTIONS], False
    best = found.matches
    clear = len(best) == 1 or best[0].score >= CLEAR_LEAD * best[1].score
    return [m.category for m in best[:OFFERED]], clear


def _numbered(labels: list[str]) -> str:
    return " ".join(f"{i} {label}" for i, label in enumerate(labels, start=1))


def _choice(text: str, count: int) -> int | None:
    value = text.strip().rstrip(".")
    if value.isdigit() and 1 <= int(value) <= count:
        return int(value) - 1
    return None


def _problem(conversation: SmsConversation, text: str, now: datetime) -> Step:
    if conversation.description and text.strip().isdigit():
        options, _clear = category_options(description=conversation.description)
        index = _choice(text, len(options))
        if index is not None:
            return _category_chosen(conversation, options[index], now)
    else:
        conversation.description = f"{conversation.description}\n{text.strip()}".strip()[:4000]
        options, clear = category_options(description=conversation.description)
        if clear:
            return _category_chosen(conversation, options[0], now)
    labels = [c.tr("name") for c in options]
    return _save(
        conversation,
        now,
        _("Which problem is it? Reply with a number: %(options)s") % {"options": _numbered(labels)},
    )


def _category_chosen(conversation: SmsConversation, category: Category, now: datetime) -> Step:
    if not category.online_submission_allowed:
        conversation.step = SmsConversation.Step.ABANDONED
        message = category.tr("offline_message") or _(
            "This problem can't be reported by text. Please call %(phone)s."
        ) % {"phone": settings.CITY_PHONE}
        return _save(
            conversation, now, message, note=f"{category.code} cannot be reported by text."
        )
    conversation.category = category
    conversation.step = SmsConversation.Step.PLACE
    return _save(
        conversation,
        now,
        _("%(category)s: where is it? Send the street address or the nearest intersection.")
        % {"category": category.tr("name")},
    )


# --- Step 2: the place -------------------------------------------------------------------------


def _place(conversation: SmsConversation, text: str, now: datetime) -> Step:
    """An address or intersection from the address search, a numbered suggestion, or 'lat,lng'."""
    point, label = None, ""
    coordinates = _LAT_LNG.match(text)
    if coordinates:
        point = Point(float(coordinates[2]), float(coordinates[1]), srid=4326)
        label = f"{float(coordinates[1]):.5f}, {float(coordinates[2]):.5f}"
    elif conversation.address and text.strip().isdigit():
        options = address_search(query=conversation.address, limit=3)
        index = _choice(text, len(options))
        if index is not None:
            point, label = options[index].location, options[index].label
    else:
        conversation.address = text.strip()[:200]
        found = address_resolve(query=text)
        if found is not None:
            point, label = found.location, found.label
    if point is None:
        suggestions = address_search(query=conversation.address, limit=3)
        if suggestions:
            reply = _("Did you mean: %(options)s? Reply with a number, or send the address again.")
            return _save(
                conversation, now, reply % {"options": _numbered([a.label for a in suggestions])}
            )
        return _save(
            conversation,
            now,
            _(
                "We could not find that place. Send a street address or an intersection, "
                "like “Valencia St & 16th St”."
            ),
            note="Address not found.",
        )
    if not boundary_contains(point=point):
        conversation.address = ""
        return _save(
            conversation,
            now,
            _("That place is outside %(city)s's service area. Send an address in the city.")
            % {"city": settings.CITY_NAME},
            note="Outside the service area.",
        )
    conversation.address = label[:200]
    conversation.location = point
    conversation.step = SmsConversation.Step.PHOTO
    if _staged_photos(conversation):
        return _file(conversation, "", now)
    return _save(conversation, now, _("Send a photo of the problem, or reply SKIP."))


# --- Step 3: a photo, then file ----------------------------------------------------------------


def _photo(conversation: SmsConversation, text: str, now: datetime) -> Step:
    return _file(conversation, text, now)


def _file(conversation: SmsConversation, text: str, now: datetime) -> Step:
    """File the report. Words sent instead of a photo (other than SKIP) join the description.
    The idempotency key comes from the conversation, so it can never be filed twice."""
    extra = text.strip()
    if extra and extra.upper().rstrip(".!") not in SKIP_WORDS:
        conversation.description = f"{conversation.description}\n{extra}".strip()[:4000]
    submission = Submission(
        category=conversation.category,
        description=conversation.description,
        location=Point(conversation.location.x, conversation.location.y, srid=4326),
        address=conversation.address,
        photos=_staged_photos(conversation)[: settings.PHOTO_MAX_COUNT],
        reporter=Reporter(
            phone=conversation.phone,
            contact_method=ContactMethod.SMS,
            language=conversation.language,
            anonymous=False,
        ),
        channel=Channel.SMS,
        idempotency_key=uuid.uuid5(_DRAFT_NAMESPACE, f"sms-request:{conversation.pk}"),
    )
    try:
        request, _created = request_submit(submission=submission)
    except ValidationError as exc:
        conversation.step = SmsConversation.Step.PLACE
        problems = " ".join(exc.messages)
        return _save(conversation, now, problems, note="Could not file: " + problems)
    conversation.step = SmsConversation.Step.DONE
    conversation.request = request
    tracker = settings.SITE_URL.rstrip("/") + request.get_absolute_url()
    return _save(
        conversation,
        now,
        _(
            "Thank you! Your report number is %(number)s. Follow it at %(url)s "
            "Reply to this number to add details."
        )
        % {"number": request.tracking_number, "url": tracker},
        note=f"Filed {request.tracking_number}.",
    )

"""Every write to a service request, each in one transaction with its event(s)."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from requests_app.assets import asset_type_name
from requests_app.models import (
    Asset,
    Category,
    Channel,
    ContactMethod,
    Photo,
    RequestEvent,
    ServiceRequest,
    Status,
)
from requests_app.photos import photo_process
from requests_app.selectors import ASSET_PICK_MAX_M, areas_for_point, boundary_contains
from requests_app.services.due import request_due_times
from requests_app.services.events import Actor, event_record

# Messages as constants so views and tests share them.
OUTSIDE_AREA = gettext_noop(
    "This location is outside %(city)s's service area. "
    "Move the pin or choose an address inside the city."
)
CATEGORY_OFFLINE = gettext_noop("This problem can't be reported online.")
TOO_MANY_PHOTOS = gettext_noop("You can attach up to %(max)d photos.")
ASSET_NOT_NEARBY = gettext_noop(
    "We can't find %(type)s %(asset_id)s near this location. "
    "Choose one from the list, or “Not sure / not listed”."
)


def tracking_number_candidate(*, at: datetime, digits: int) -> str:
    local = at.astimezone(ZoneInfo(settings.CITY_TIME_ZONE))
    number = secrets.randbelow(9 * 10 ** (digits - 1)) + 10 ** (digits - 1)
    return f"{local:%y%m}-{number}"


# --- Photos --------------------------------------------------------------------------------------


def photo_stage(*, upload: UploadedFile, draft_key: uuid.UUID) -> Photo:
    """Process an upload and keep it against a form's draft key until the request is submitted,
    so a resident never has to attach the same photo twice after a form error."""
    processed = photo_process(upload)
    photo = Photo(
        draft_key=draft_key,
        gps=processed.gps,
        source=Photo.Source.RESIDENT,
        width=processed.width,
        height=processed.height,
    )
    name = photo.uuid.hex
    photo.image.save(f"{name}.jpg", ContentFile(processed.image), save=False)
    photo.thumbnail.save(f"{name}_t.jpg", ContentFile(processed.thumbnail), save=False)
    photo.save()
    return photo


def photos_for_draft(*, draft_key: uuid.UUID | None, uuids: list[str]) -> list[Photo]:
    """The staged photos a form refers to: only those staged under the same draft key."""
    if not draft_key or not uuids:
        return []
    valid = []
    for value in uuids:
        try:
            valid.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    return list(
        Photo.objects.filter(draft_key=draft_key, request__isnull=True, uuid__in=valid).order_by(
            "created_at", "id"
        )
    )


# --- Intake --------------------------------------------------------------------------------------


@dataclass
class Reporter:
    name: str = ""
    email: str = ""
    phone: str = ""
    contact_method: str = ContactMethod.NONE
    language: str = "en"
    anonymous: bool = True


@dataclass
class Submission:
    category: Category
    description: str
    location: Point
    address: str = ""
    answers: dict = field(default_factory=dict)
    photos: list[Photo] = field(default_factory=list)
    reporter: Reporter = field(default_factory=Reporter)
    channel: str = Channel.WEB
    idempotency_key: uuid.UUID | None = None
    asset: Asset | None = None


def request_submit(*, submission: Submission, actor: Actor = None) -> tuple[ServiceRequest, bool]:
    """File a new service request; returns (request, created).

    1. A repeated idempotency key returns the request it already made (double clicks, re-sends).
    2. Domain rules are checked again here, whatever the caller validated: an active category that
       accepts online reports, a point inside the service area, at most PHOTO_MAX_COUNT photos,
       an asset (if any) that is an active one of the category's type near the point.
    3. In one transaction: the request with a fresh tracking number, its areas, its photos, the
       asset's id as filed and the `created` event. Any failure rolls all of it back.
    """
    s = submission
    if s.idempotency_key:
        existing = ServiceRequest.objects.filter(idempotency_key=s.idempotency_key).first()
        if existing:
            return existing, False
    if not s.category.active or (
        not s.category.online_submission_allowed and s.channel in (Channel.WEB, Channel.API)
    ):
        raise ValidationError({"category": _(CATEGORY_OFFLINE)}, code="category_offline")
    if not boundary_contains(point=s.location):
        raise ValidationError(
            {"location": _(OUTSIDE_AREA) % {"city": settings.CITY_NAME}}, code="outside_area"
        )
    if len(s.photos) > settings.PHOTO_MAX_COUNT:
        raise ValidationError(
            {"photos": _(TOO_MANY_PHOTOS) % {"max": settings.PHOTO_MAX_COUNT}}, code="photos"
        )
    if s.asset is not None and not _asset_fits(asset=s.asset, submission=s):
        raise ValidationError(
            {
                "asset": _(ASSET_NOT_NEARBY)
                % {"type": asset_type_name(s.asset.asset_type), "asset_id": s.asset.asset_id}
            },
            code="asset",
        )

    now = timezone.now()
    areas = areas_for_point(point=s.location)
    reporter = s.reporter
    anonymous = reporter.anonymous or not (reporter.name or reporter.email or reporter.phone)
    request = ServiceRequest(
        category=s.category,
        description=s.description.strip(),
        location=s.location,
        address=s.address.strip(),
        neighbourhood=areas.get("neighbourhood"),
        ward=areas.get("ward"),
        channel=s.channel,
        answers=s.answers,
        asset=s.asset,
        asset_ref=s.asset.asset_id if s.asset else "",
        anonymous=anonymous,
        reporter_name="" if anonymous else reporter.name.strip(),
        reporter_email="" if anonymous else reporter.email.strip(),
        reporter_phone="" if anonymous else reporter.phone,
        contact_method=ContactMethod.NONE if anonymous else reporter.contact_method,
        language=reporter.language,
        private_token=secrets.token_hex(32),
        idempotency_key=s.idempotency_key,
        created_at=now,
        updated_at=now,
    )
    request.response_due_at, request.expected_at = request_due_times(request=request)
    # The idempotency key's uniqueness is the database's to enforce (the IntegrityError below):
    # checked here, a double submit that raced past the look-up above would surface as
    # "Service request with this Idempotency key already exists." instead of the confirmation.
    request.full_clean(exclude=["tracking_number", "location", "idempotency_key"])
    try:
        with transaction.atomic():
            _insert_with_tracking_number(request=request, at=now)
            if s.photos:
                Photo.objects.filter(pk__in=[p.pk for p in s.photos]).update(
                    request=request, draft_key=None
                )
            event_record(
                request=request,
                type=RequestEvent.Type.CREATED,
                actor=actor,
                actor_label=_actor_label_for_channel(s.channel, actor),
                public=True,
                to_value=Status.RECEIVED,
                data={
                    "channel": s.channel,
                    "photos": len(s.photos),
                    **({"asset": s.asset.asset_id} if s.asset else {}),
                },
                at=now,
            )
    except IntegrityError:
        # Two submissions with one key raced: the other one won, show the resident that one.
        if s.idempotency_key:
            existing = ServiceRequest.objects.filter(idempotency_key=s.idempotency_key).first()
            if existing:
                return existing, False
        raise
    return request, True


def _asset_fits(*, asset: Asset, submission: Submission) -> bool:
    return (
        bool(submission.category.asset_type)
        and Asset.objects.filter(
            pk=asset.pk,
            active=True,
            asset_type=submission.category.asset_type,
            location__dwithin=(submission.location, ASSET_PICK_MAX_M),
        ).exists()
    )


def _actor_label_for_channel(channel: str, actor: Actor) -> str:
    if actor is not None and actor.is_authenticated:
        return actor.get_username()
    if channel == Channel.API:
        return "Open311 client"
    return "Resident"


def _insert_with_tracking_number(*, request: ServiceRequest, at: datetime) -> None:
    """Insert with a short random `YYMM-NNNN` number; on a clash try again, with one more digit
    every three clashes so a busy month never runs out."""
    for attempt in range(15):
        request.tracking_number = tracking_number_candidate(at=at, digits=4 + attempt // 3)
        try:
            with transaction.atomic():
                request.save(force_insert=True)
            return
        except IntegrityError as exc:
            if "tracking_number" not in str(exc):
                raise
            request.pk = None
    raise RuntimeError("could not allocate a tracking number")


# --- Resident follow-up ---------------------------------------------------------------------------


def request_resident_comment(
    *, request: ServiceRequest, message: str, photos: list[Photo], public: bool = True
) -> RequestEvent:
    """A resident adds a comment and/or photos. From the private link it is public (the form
    says so), like the report itself, and never carries their name. Replies by email or text
    message pass ``public=False``: people sign emails with their name and number, so those stay
    on the staff timeline, photos included, until staff choose what to publish."""
    with transaction.atomic():
        if photos:
            if request.photos.count() + len(photos) > settings.PHOTO_MAX_COUNT * 2:
                raise ValidationError(
                    {"photos": _(TOO_MANY_PHOTOS) % {"max": settings.PHOTO_MAX_COUNT * 2}}
                )
            Photo.objects.filter(pk__in=[p.pk for p in photos]).update(
                request=request, draft_key=None, **({} if public else {"public": False})
            )
        now = timezone.now()
        ServiceRequest.objects.filter(pk=request.pk).update(updated_at=now, resident_replied_at=now)
        return event_record(
            request=request,
            type=RequestEvent.Type.RESIDENT_COMMENT,
            actor_label="Resident",
            public=public,
            message=message.strip(),
            data={"photos": [str(p.uuid) for p in photos]},
        )


def photos_purge_abandoned(*, older_than: timedelta = timedelta(days=2)) -> int:
    """Delete photos staged for forms that were never submitted, files included."""
    cutoff = timezone.now() - older_than
    abandoned = list(Photo.objects.filter(request__isnull=True, created_at__lt=cutoff)[:1000])
    for photo in abandoned:
        photo.image.delete(save=False)
        photo.thumbnail.delete(save=False)
    Photo.objects.filter(pk__in=[p.pk for p in abandoned], request__isnull=True).delete()
    return len(abandoned)

"""Every write to a service request, each in one transaction with its event(s)."""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import logging
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
from django.db import IntegrityError, connection, router, transaction
from django.db.models import Count, Q, Value
from django.db.models.constants import OnConflict
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from requests_app.assets import asset_type_name
from requests_app.configcache import config_snapshot
from requests_app.models import (
    AreaSet,
    Asset,
    BlockedContact,
    Category,
    Channel,
    ConfirmedContact,
    ContactMethod,
    IntakeAttempt,
    IntakeSettings,
    Photo,
    RequestEvent,
    ServiceRequest,
    Status,
)
from requests_app.photos import photo_process
from requests_app.selectors import ASSET_PICK_MAX_M, areas_at, boundary_loaded
from requests_app.services.due import request_due_times
from requests_app.services.events import Actor, event_record
from requests_app.text import location_clean
from requests_app.tracking_numbers import tracking_number_format

logger = logging.getLogger(__name__)

# Messages as constants so views and tests share them.
OUTSIDE_AREA = gettext_noop(
    "This location is outside %(city)s's service area. "
    "Move the pin or choose an address inside the city."
)
CATEGORY_OFFLINE = gettext_noop("This problem can't be reported online.")
TOO_MANY_PHOTOS = gettext_noop("You can attach up to %(max)d photos.")
# Said to the sender of a report refused as a robot or from the block list: the same words and
# status for both, so neither the honeypot nor the block list can be probed from outside.
INTAKE_UNACCEPTED = gettext_noop(
    "We couldn't accept this report. Please check it and send it again, or call 311."
)
INTAKE_THROTTLED = gettext_noop(
    "You have sent a lot of reports in a short time. Your report is kept below: please wait a "
    "while and send it again, or call 311 if it is urgent."
)
PHOTOS_THROTTLED = gettext_noop(
    "Too many photos have been sent from your connection in the last hour. "
    "Please wait a while before adding more."
)
ASSET_NOT_NEARBY = gettext_noop(
    "We can't find %(type)s %(asset_id)s near this location. "
    "Choose one from the list, or “Not sure / not listed”."
)
PHOTO_NOT_STORED = gettext_noop(
    "We couldn't save your photo just now. Nothing was lost from the form: "
    "try attaching it again in a minute, or send the report without it."
)


def tracking_number_candidate(*, at: datetime, digits: int) -> str:
    local = at.astimezone(ZoneInfo(settings.CITY_TIME_ZONE))
    number = secrets.randbelow(9 * 10 ** (digits - 1)) + 10 ** (digits - 1)
    return tracking_number_format(digits=f"{local:%y%m}{number}")


# --- Photos --------------------------------------------------------------------------------------


def photo_stage(
    *, upload: UploadedFile, draft_key: uuid.UUID, client: IntakeClient | None = None
) -> Photo:
    """Process an upload and keep it against a form's draft key until the request is submitted,
    so a resident never has to attach the same photo twice after a form error.

    Checked before any decoding: one draft holds at most a report's photos (PHOTO_MAX_COUNT),
    and a public ``client`` at most IntakeSettings.photos_per_address_per_hour an hour."""
    staged = Photo.objects.filter(draft_key=draft_key, request__isnull=True).count()
    if staged >= settings.PHOTO_MAX_COUNT:
        raise ValidationError(
            _(TOO_MANY_PHOTOS) % {"max": settings.PHOTO_MAX_COUNT}, code="too_many_photos"
        )
    if client is not None:
        intake_photo_admit(client=client)
    processed = photo_process(upload)
    photo = Photo(
        draft_key=draft_key,
        gps=processed.gps,
        source=Photo.Source.RESIDENT,
        width=processed.width,
        height=processed.height,
    )
    name = photo.uuid.hex
    try:
        photo.image.save(f"{name}.jpg", ContentFile(processed.image), save=False)
        photo.thumbnail.save(f"{name}_t.jpg", ContentFile(processed.thumbnail), save=False)
    except OSError as exc:
        # The media disk is full or failing (or S3 refused): keep no half-written file and no
        # row, and tell the resident in the form, which keeps everything else they typed.
        for field_file in (photo.image, photo.thumbnail):
            if field_file.name:
                with contextlib.suppress(OSError):
                    field_file.storage.delete(field_file.name)
        logger.warning("photo not stored: %s", exc)
        raise ValidationError(_(PHOTO_NOT_STORED), code="photo_storage") from exc
    photo.save()
    return photo


def photo_unstage(*, draft_key: uuid.UUID, photo_uuid: str) -> int:
    """A resident removed a staged photo from their form: delete it (files too), so it no longer
    takes one of the draft's places. Only a photo staged under this draft key, never one that
    is already part of a request."""
    try:
        wanted = uuid.UUID(str(photo_uuid))
    except ValueError:
        return 0
    photos = list(Photo.objects.filter(draft_key=draft_key, request__isnull=True, uuid=wanted))
    for photo in photos:
        photo.image.delete(save=False)
        photo.thumbnail.delete(save=False)
        photo.delete()
    return len(photos)


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


def request_submit(
    *, submission: Submission, actor: Actor = None, key_new: bool = False
) -> tuple[ServiceRequest, bool]:
    """File a new service request; returns (request, created).

    1. A repeated idempotency key returns the request it already made (double clicks, re-sends).
       ``key_new``: the caller has just looked the key up and found it new (the report form's
       intake check does), so it is not looked up again; a submission racing past that look-up
       is still caught by the key's unique constraint and answered with the request it made.
    2. Domain rules are checked again here, whatever the caller validated: an active category that
       accepts online reports, a point inside the service area, at most PHOTO_MAX_COUNT photos,
       an asset (if any) that is an active one of the category's type near the point.
    3. In one transaction: the request with a fresh tracking number, its areas, its photos, the
       asset's id as filed and the `created` event. Any failure rolls all of it back.
    """
    # One read of the config stamp for the boundary flag and the due dates.
    with config_snapshot():
        return _request_submit(submission=submission, actor=actor, key_new=key_new)


def _request_submit(
    *, submission: Submission, actor: Actor, key_new: bool
) -> tuple[ServiceRequest, bool]:
    s = submission
    if s.idempotency_key and not key_new:
        existing = ServiceRequest.objects.filter(idempotency_key=s.idempotency_key).first()
        if existing:
            return existing, False
    if not s.category.active or (
        not s.category.online_submission_allowed and s.channel in (Channel.WEB, Channel.API)
    ):
        raise ValidationError({"category": _(CATEGORY_OFFLINE)}, code="category_offline")
    areas = areas_at(point=s.location)
    if boundary_loaded() and AreaSet.Kind.BOUNDARY not in areas:
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
    reporter = s.reporter
    anonymous = reporter.anonymous or not (reporter.name or reporter.email or reporter.phone)
    request = ServiceRequest(
        category=s.category,
        description=s.description.strip(),
        location=s.location,
        address=location_clean(s.address),
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
        contact_confirmed=reporter_contact_confirmed(reporter=reporter, channel=s.channel),
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
    # Rows loaded above need no existence check, and a 256-bit token no uniqueness look-up (the
    # database's constraints still hold): four queries fewer on every report.
    request.full_clean(
        exclude=[
            "tracking_number",
            "location",
            "idempotency_key",
            "category",
            "neighbourhood",
            "ward",
            "asset",
            "private_token",
        ]
    )
    try:
        with transaction.atomic():
            existing = _insert_with_tracking_number(request=request, at=now)
            if existing is not None:
                # A submission with the same key won the race: show the resident that one.
                return existing, False
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


def _insert_with_tracking_number(*, request: ServiceRequest, at: datetime) -> ServiceRequest | None:
    """Insert with a short random `YYMM-NNNN` number; on a clash try again, with one more digit
    every three clashes so a busy month never runs out. Returns None once inserted, or the
    request that already holds the idempotency key (nothing written then).

    INSERT ... ON CONFLICT DO NOTHING RETURNING: a clash writes nothing and returns no row, so
    no savepoint is needed to go on after it (a savepoint and its release were two round trips
    on every report). Only then is the key looked up, to tell its clash from the number's: a
    submission with the same key still uncommitted elsewhere is waited for, then found. The
    model's insert without ``save()``: ServiceRequest overrides no ``save()`` and has no save
    signal receivers (its fields' ``pre_save`` still runs in the insert compiler)."""
    opts = ServiceRequest._meta
    using = router.db_for_write(ServiceRequest)
    fields = [f for f in opts.local_concrete_fields if not f.generated and f is not opts.auto_field]
    returning = opts.db_returning_fields
    for attempt in range(15):
        request.tracking_number = tracking_number_candidate(at=at, digits=4 + attempt // 3)
        rows = ServiceRequest._base_manager._insert(
            [request],
            fields=fields,
            returning_fields=returning,
            using=using,
            on_conflict=OnConflict.IGNORE,
        )
        if rows:
            for value, returned in zip(rows[0], returning, strict=True):
                setattr(request, returned.attname, value)
            request._state.adding, request._state.db = False, using
            return None
        if request.idempotency_key:
            existing = ServiceRequest.objects.filter(
                idempotency_key=request.idempotency_key
            ).first()
            if existing is not None:
                return existing
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


# --- Abuse limits (issue 10) --------------------------------------------------------------------


class IntakeRefused(Exception):
    """A public report or photo refused before anything is saved. ``code`` is "throttled" (a
    limit was hit: the view answers 429), "blocked" or "bot" (both answered the same neutral
    way, so neither can be told apart from outside)."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class IntakeClient:
    """Who is sending, as far as the web can tell: the connection's address (REMOTE_ADDR; a
    forwarded-for header is the client's to write) and the browser's signed device cookie."""

    address: str = ""
    device: str = ""


def _lock(*keys: str) -> None:
    """Serialise concurrent counts for the same sender (30 reports fired at once must not all
    count zero before any is recorded). Sorted, so two senders never wait on each other."""
    ids = []
    for key in sorted(set(keys)):
        digest = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big")
        ids.append(digest - 2**63)
    if not ids:
        return
    # One statement: a select list is evaluated left to right, so the locks are still taken in
    # sorted order (one round trip for the address and the device, was one each).
    locks = ", ".join(["pg_advisory_xact_lock(%s)"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {locks}", ids)


def _count(*, kind: str, since: datetime, **match) -> int:
    return IntakeAttempt.objects.filter(kind=kind, created_at__gte=since, **match).count()


def _over_limit(*, kind: str, checks: list[tuple[int, datetime, dict]]) -> bool:
    """Whether any (limit, since, match) has ``limit`` attempts of this kind or more since
    ``since``: every count in one query (was one each)."""
    if not checks:
        return False
    oldest = min(since for _limit, since, _match in checks)
    counts = IntakeAttempt.objects.filter(kind=kind, created_at__gte=oldest).aggregate(
        **{
            f"c{i}": Count("pk", filter=Q(created_at__gte=since, **match))
            for i, (_limit, since, match) in enumerate(checks)
        }
    )
    return any(counts[f"c{i}"] >= limit for i, (limit, _s, _m) in enumerate(checks))


def _ip(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def intake_blocked(*, client: IntakeClient, email: str = "", phone: str = "") -> bool:
    """Whether the block list refuses this sender: their email, phone, or an address/range
    containing their IP address."""
    return _blocked(client=client, email=email, phone=phone, idempotency_key=None)[0]


_FILED = "filed"  # a row of _blocked's query: the idempotency key is already a request's


def _blocked(
    *, client: IntakeClient, email: str, phone: str, idempotency_key: uuid.UUID | None
) -> tuple[bool, bool]:
    """(whether the block list refuses this sender, whether the idempotency key is filed): the
    block list's rows that could match (this email, this phone, every network) and the key's
    request in one query (was up to four)."""
    email = email.strip().lower()
    phone = str(phone or "").strip()
    ip = _ip(client.address)
    match = Q()
    if email:
        match |= Q(kind=BlockedContact.Kind.EMAIL, value=email)
    if phone:
        match |= Q(kind=BlockedContact.Kind.PHONE, value=phone)
    if ip is not None:
        match |= Q(kind=BlockedContact.Kind.NETWORK)
    if not match and not idempotency_key:
        return False, False
    blocked = BlockedContact.objects.filter(match) if match else BlockedContact.objects.none()
    rows = blocked.values_list("kind", "value")
    if idempotency_key:
        filed = ServiceRequest.objects.filter(idempotency_key=idempotency_key).annotate(
            kind=Value(_FILED), value=Value("")
        )
        rows = rows.union(filed.values_list("kind", "value")[:1], all=True)
    found = list(rows)
    key_filed = any(kind == _FILED for kind, _value in found)
    for kind, _value in found:
        if kind in (BlockedContact.Kind.EMAIL, BlockedContact.Kind.PHONE):
            return True, key_filed
    if ip is None:
        return False, key_filed
    address = ipaddress.ip_address(ip)
    for kind, value in found:
        if kind != BlockedContact.Kind.NETWORK:
            continue
        try:
            if address in ipaddress.ip_network(value, strict=False):
                return True, key_filed
        except ValueError:
            continue
    return False, key_filed


def intake_report_admit(
    *,
    client: IntakeClient,
    email: str = "",
    phone: str = "",
    idempotency_key: uuid.UUID | None = None,
    now: datetime | None = None,
) -> IntakeAttempt | None:
    """Let one public report through, or raise IntakeRefused; records the attempt it counts.
    A form sent again (its idempotency key already filed) passes uncounted: request_submit
    answers it with the request it made.

    1. The block list (email, phone, IP address or range) refuses with the neutral message.
    2. Under a lock per sender, the admin-set limits (IntakeSettings; 0 = off): reports per
       client address and per device in the last hour, per email and per phone in the last day.
    3. Recorded, so the next report counts this one.
    """
    blocked, key_filed = _blocked(
        client=client, email=email, phone=phone, idempotency_key=idempotency_key
    )
    if key_filed:
        return None
    now = now or timezone.now()
    email = email.strip().lower()
    phone = str(phone or "").strip()
    if blocked:
        raise IntakeRefused(_(INTAKE_UNACCEPTED), code="blocked")
    limits = IntakeSettings.load()
    ip = _ip(client.address)
    hour, day = now - timedelta(hours=1), now - timedelta(days=1)
    checks = [
        (ip, limits.reports_per_address_per_hour, hour, {"client_address": ip}),
        (client.device, limits.reports_per_device_per_hour, hour, {"device": client.device}),
        (email, limits.reports_per_contact_per_day, day, {"email": email}),
        (phone, limits.reports_per_contact_per_day, day, {"phone": phone}),
    ]
    with transaction.atomic():
        _lock(*(f"intake:{value}" for value, *_rest in checks if value))
        counted = [(limit, since, match) for value, limit, since, match in checks if value]
        if _over_limit(kind="report", checks=[c for c in counted if c[0]]):
            raise IntakeRefused(_(INTAKE_THROTTLED), code="throttled")
        return IntakeAttempt.objects.create(
            kind=IntakeAttempt.Kind.REPORT,
            client_address=ip,
            device=client.device[:64],
            email=email[:254],
            phone=phone[:32],
            created_at=now,
        )


def intake_photo_admit(*, client: IntakeClient, now: datetime | None = None) -> IntakeAttempt:
    """Let one public photo be processed, or raise ValidationError (the photo's own error list
    shows it); the block list applies to photos too."""
    now = now or timezone.now()
    if intake_blocked(client=client):
        raise ValidationError(_(INTAKE_UNACCEPTED), code="blocked")
    limit = IntakeSettings.load().photos_per_address_per_hour
    ip = _ip(client.address)
    with transaction.atomic():
        if ip and limit:
            _lock(f"photo:{ip}")
            since = now - timedelta(hours=1)
            if _count(kind="photo", since=since, client_address=ip) >= limit:
                raise ValidationError(_(PHOTOS_THROTTLED), code="throttled")
        return IntakeAttempt.objects.create(
            kind=IntakeAttempt.Kind.PHOTO,
            client_address=ip,
            device=client.device[:64],
            created_at=now,
        )


def intake_attempts_purge(*, older_than: timedelta = timedelta(days=2)) -> int:
    """Forget the attempts no limit counts any more (they hold IP addresses)."""
    deleted, _rows = IntakeAttempt.objects.filter(
        created_at__lt=timezone.now() - older_than
    ).delete()
    return deleted


# --- Confirmed contacts -------------------------------------------------------------------------


def contact_is_confirmed(*, channel: str, address: str) -> bool:
    return ConfirmedContact.objects.filter(
        channel=channel, address=_contact_key(channel=channel, address=address)
    ).exists()


def contacts_confirmed(*, pairs: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of these (channel, address) pairs are confirmed, in one query (a reporter's email
    and number were two); the pairs come back as given. Empty addresses are never confirmed."""
    given = [(c, a, _contact_key(channel=c, address=a)) for c, a in pairs if a]
    if not given:
        return set()
    match = Q()
    for channel, _address, key in given:
        match |= Q(channel=channel, address=key)
    found = set(ConfirmedContact.objects.filter(match).values_list("channel", "address"))
    return {(c, a) for c, a, key in given if (c, key) in found}


def contact_confirm(*, channel: str, address: str) -> ConfirmedContact:
    """The owner of this email address or phone number followed a link we sent to it: from
    now on it hears about their requests. Idempotent."""
    row, _created = ConfirmedContact.objects.get_or_create(
        channel=channel, address=_contact_key(channel=channel, address=address)
    )
    return row


def _contact_key(*, channel: str, address: str) -> str:
    address = str(address or "").strip()
    return address.lower() if channel == "email" else address


def reporter_contact_confirmed(*, reporter: Reporter, channel: str) -> bool:
    """Whether a new request's contact counts as confirmed (see ServiceRequest.contact_confirmed):
    staff took it down, it arrived by text from that number, or its owner confirmed it before."""
    if channel not in (Channel.WEB, Channel.API):
        return True
    if reporter.anonymous or not (reporter.email or reporter.phone):
        return True
    pairs = [(c, str(a)) for c, a in (("email", reporter.email), ("sms", reporter.phone)) if a]
    confirmed = contacts_confirmed(pairs=pairs)
    return all(pair in confirmed for pair in pairs)


CONFIRM_SALT = "requests_app.contact-confirm"


def contact_confirm_code(*, request: ServiceRequest, channel: str, address: str) -> str:
    """The code that, added to a reporter's private link in a message to ``address``, proves
    the link came from that mailbox or phone. An HMAC, so the address is not in the URL."""
    key = _contact_key(channel=channel, address=address)
    # SHA-1 named, as the default was: codes in messages already sent must keep working (a
    # 32-hex-digit HMAC truncation is not where SHA-1's weaknesses lie).
    code = salted_hmac(CONFIRM_SALT, f"{request.pk}:{channel}:{key}", algorithm="sha1")
    return code.hexdigest()[:32]


def request_contact_confirm(*, request: ServiceRequest, code: str) -> ConfirmedContact | None:
    """The reporter followed the link from a message: confirm the contact it was sent to, or
    nothing when the code is not one of this request's."""
    pairs = [("email", request.reporter_email), ("sms", str(request.reporter_phone or ""))]
    for channel, address in pairs:
        expected = contact_confirm_code(request=request, channel=channel, address=address)
        if address and code and constant_time_compare(code, expected):
            return contact_confirm(channel=channel, address=address)
    return None

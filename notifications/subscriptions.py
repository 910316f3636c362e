"""Who hears about a request, and how they stop: reporter and supporter subscriptions, followers
with double opt-in, per-request preferences, one-click unsubscribe and "stop everything".

Writes only; the messages themselves are built in notifications.resident."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.db import connection, transaction
from django.utils import timezone

from notifications.models import Channel, ContactPreference, RequestSubscription
from notifications.outbox import ChecksAsked, OutboxChecks, contact_preference_set, rows_insert_new
from requests_app.models import ContactMethod, ServiceRequest, Supporter
from requests_app.prepared import prepared
from requests_app.rows import model_columns, row_convert
from requests_app.services import contacts_confirmed

Role = RequestSubscription.Role


def subscription_token() -> str:
    # 256 bits: the token alone authorises unsubscribing and confirming.
    return secrets.token_urlsafe(32)


def address_normalize(*, channel: str, address: str) -> str:
    """Emails lower-cased, phones as E.164 text: the form every lookup and opt-out uses."""
    address = str(address or "").strip()
    return address.lower() if channel == Channel.EMAIL else address


def reporter_channels(*, request: ServiceRequest) -> list[tuple[str, str]]:
    """The (channel, address) pairs the reporter asked to hear on when filing.

    'phone' means "call me": a call is not consent to texts, so a reporter who chose it gets email
    updates if they gave an email address and nothing otherwise. Anonymous and 'do not contact me'
    reporters get nothing."""
    if request.anonymous:
        return []
    method = request.contact_method
    email, phone = request.reporter_email, str(request.reporter_phone or "")
    if method in (ContactMethod.EMAIL, ContactMethod.PHONE) and email:
        return [(Channel.EMAIL, email)]
    if method == ContactMethod.SMS and phone:
        return [(Channel.SMS, phone)]
    return []


def _subscription_ensure(
    *,
    request: ServiceRequest,
    role: str,
    channel: str,
    address: str,
    language: str,
    confirmed: bool,
    known: list[RequestSubscription] | None = None,
) -> RequestSubscription:
    """One row per (request, channel, address): a second call returns the existing row unchanged
    (so an unsubscribe is never undone by a re-delivered event). ``known``, when given, is every
    subscription of the request, read by the caller: looked in instead of a query, and the row
    made or found here is added to it."""
    address = address_normalize(channel=channel, address=address)
    if known is None:
        existing = RequestSubscription.objects.filter(
            request=request, channel=channel, address=address
        ).first()
    else:
        existing = next((s for s in known if (s.channel, s.address) == (channel, address)), None)
    if existing is not None:
        return existing
    made = _subscription_create(
        request=request,
        role=role,
        channel=channel,
        address=address,
        language=language,
        confirmed=confirmed,
    )
    if known is not None:
        known.append(made)
    return made


def _subscription_create(
    *,
    request: ServiceRequest,
    role: str,
    channel: str,
    address: str,
    language: str,
    confirmed: bool,
) -> RequestSubscription:
    made = RequestSubscription(
        request=request,
        role=role,
        channel=channel,
        address=address,
        language=language or "en",
        token=subscription_token(),
        confirmed_at=timezone.now() if confirmed else None,
    )
    # One INSERT that skips a row made already (was a savepoint around it).
    if rows_insert_new([made], key="token"):
        return made
    # A concurrent worker made it first.
    return RequestSubscription.objects.get(request=request, channel=channel, address=address)


def _confirmed_subscriptions_ensure(
    *,
    request: ServiceRequest,
    role: str,
    pairs: list[tuple[str, str]],
    language: str,
    known: list[RequestSubscription] | None = None,
) -> list[RequestSubscription]:
    return [
        _subscription_ensure(
            request=request,
            role=role,
            channel=channel,
            address=address,
            language=language,
            confirmed=True,
            known=known,
        )
        for channel, address in pairs
    ]


def reporter_subscriptions_ensure(
    *, request: ServiceRequest, known: list[RequestSubscription] | None = None
) -> list[RequestSubscription]:
    """The reporter's subscriptions, confirmed at once: they filed the report themselves.
    ``known``: every subscription of the request, already read (see _subscription_ensure)."""
    return _confirmed_subscriptions_ensure(
        request=request,
        role=Role.REPORTER,
        pairs=reporter_channels(request=request),
        language=request.language,
        known=known,
    )


def reporter_subscriptions_read(
    *,
    request: ServiceRequest,
    ask: Callable[[str, str], ChecksAsked | None] | None = None,
) -> tuple[list[RequestSubscription], dict[tuple[str, str], OutboxChecks]]:
    """Every subscription of the request by id, the reporter's made if missing (as
    ``reporter_subscriptions_ensure``), in one statement: the INSERT ... ON CONFLICT DO
    NOTHING in a CTE beside the read (was a read, then an insert). ``ask(channel, address)``:
    the outbox checks of the message the reporter's subscription is about to get, asked in
    that same statement (was a query of its own); returned by (channel, address).

    The read does not see a row another worker committed while this one waited on it (one
    statement, one snapshot): that row is then read on its own, as a failed insert was."""
    pairs = [
        (channel, address_normalize(channel=channel, address=address))
        for channel, address in reporter_channels(request=request)
    ]
    table = RequestSubscription._meta.db_table
    columns, select, converters = model_columns(
        RequestSubscription,
        [f.attname for f in RequestSubscription._meta.concrete_fields],
        alias="s",
    )
    names = [f.attname for f in columns]
    read = f"SELECT {select} FROM {table} s WHERE s.request_id = %s"  # noqa: S608
    head, params = "", []
    if pairs:
        fields = [f for f in columns if not f.primary_key]
        now = timezone.now()
        made = [
            RequestSubscription(
                request_id=request.pk,
                role=Role.REPORTER,
                channel=channel,
                address=address,
                language=request.language or "en",
                token=subscription_token(),
                confirmed_at=now,
            )
            for channel, address in pairs
        ]
        row = "(" + ", ".join(["%s"] * len(fields)) + ")"
        head = (
            f"WITH new AS (INSERT INTO {table} ({', '.join(f.column for f in fields)}) "  # noqa: S608
            f"VALUES {', '.join([row] * len(made))} ON CONFLICT DO NOTHING "
            f"RETURNING {', '.join(f.column for f in columns)}) "
        )
        params = [
            f.get_db_prep_save(getattr(m, f.attname), connection) for m in made for f in fields
        ]
        read = f"{read} UNION ALL SELECT * FROM new"  # noqa: S608
    params.append(request.pk)
    asked = [(pair, ask(*pair)) for pair in pairs] if ask is not None else []
    asked = [(pair, a) for pair, a in asked if a is not None]
    if asked:
        checks = ", ".join(c for _, a in asked for c in a.columns)
        read = f"SELECT * FROM ({read}) s, (SELECT {checks}) c"  # noqa: S608
        params += [p for _, a in asked for p in a.params]
    sql = f"{head}{read} ORDER BY 1"
    with connection.cursor() as cursor:
        prepared(cursor, [(sql, None, params)])
        rows = cursor.fetchall()
    known = [
        RequestSubscription.from_db(
            connection.alias, names, row_convert(row[: len(columns)], converters)
        )
        for row in rows
    ]
    checked: dict[tuple[str, str], OutboxChecks] = {}
    if rows:
        values = list(rows[0][len(columns) :])
        for pair, a in asked:
            checked[pair] = a.read(values[: len(a.columns)])
            values = values[len(a.columns) :]
    for channel, address in pairs:
        if not any((s.channel, s.address) == (channel, address) for s in known):
            # Committed by another worker while this statement waited on it.
            known.append(
                RequestSubscription.objects.get(request=request, channel=channel, address=address)
            )
    return known, checked


def supporter_subscriptions_ensure(*, supporter: Supporter) -> list[RequestSubscription]:
    """Someone who reported the same problem hears about it on what they gave (email first)."""
    pairs = []
    if supporter.email:
        pairs.append((Channel.EMAIL, supporter.email))
    elif supporter.phone:
        pairs.append((Channel.SMS, str(supporter.phone)))
    return _confirmed_subscriptions_ensure(
        request=supporter.request, role=Role.SUPPORTER, pairs=pairs, language=supporter.language
    )


def follower_subscribe(
    *, request: ServiceRequest, channel: str, address: str, language: str
) -> tuple[RequestSubscription, bool]:
    """An unconfirmed follower subscription; returns (subscription, needs_confirmation).

    An address already on the request (the reporter, or a confirmed follower) gets nothing new,
    and the caller shows the same answer either way so nobody learns who follows what."""
    subscription = _subscription_ensure(
        request=request,
        role=Role.FOLLOWER,
        channel=channel,
        address=address,
        language=language,
        confirmed=False,
    )
    needs = subscription.role == Role.FOLLOWER and subscription.confirmed_at is None
    return subscription, needs


def follower_confirm(*, subscription: RequestSubscription) -> RequestSubscription:
    """Double opt-in, second step: the link from the confirmation message was followed."""
    if subscription.confirmed_at is None:
        subscription.confirmed_at = timezone.now()
        subscription.unsubscribed_at = None
        subscription.full_clean()
        subscription.save(update_fields=["confirmed_at", "unsubscribed_at"])
    return subscription


def subscription_unsubscribe(*, subscription: RequestSubscription) -> RequestSubscription:
    """Stop this subscription (one request, one address). Idempotent."""
    if subscription.unsubscribed_at is None:
        subscription.unsubscribed_at = timezone.now()
        subscription.save(update_fields=["unsubscribed_at"])
    return subscription


def reporter_preferences_set(
    *, request: ServiceRequest, email: bool, sms: bool, phone: str = ""
) -> list[RequestSubscription]:
    """The reporter's choice for this request: email, text messages, both or none.

    A phone number given here is kept on the SMS subscription only (the request's own contact
    details are not changed). Turning a channel on again clears an earlier unsubscribe; for email
    it also lifts an "unsubscribe from everything" on that address, since the reporter asked for
    it from their private link. A texted STOP can only be lifted by texting START (carriers
    enforce it), so SMS opt-outs stay."""
    wanted: dict[str, str] = {}
    if email and request.reporter_email:
        wanted[Channel.EMAIL] = address_normalize(
            channel=Channel.EMAIL, address=request.reporter_email
        )
    sms_address = str(phone or "").strip() or str(request.reporter_phone or "")
    if sms and sms_address:
        wanted[Channel.SMS] = sms_address
    now = timezone.now()
    with transaction.atomic():
        # Rows for what they chose when filing exist first, so the event handler creating them
        # later cannot undo this choice.
        reporter_subscriptions_ensure(request=request)
        current = list(
            RequestSubscription.objects.select_for_update().filter(
                request=request, role=Role.REPORTER
            )
        )
        for subscription in current:
            keep = wanted.get(subscription.channel) == subscription.address
            if not keep and subscription.unsubscribed_at is None:
                subscription.unsubscribed_at = now
                subscription.save(update_fields=["unsubscribed_at"])
            elif keep and subscription.unsubscribed_at is not None:
                subscription.unsubscribed_at = None
                subscription.save(update_fields=["unsubscribed_at"])
        existing = {(s.channel, s.address) for s in current}
        for channel, address in wanted.items():
            if (channel, address) not in existing:
                # A follower row for the same address becomes the reporter's.
                RequestSubscription.objects.update_or_create(
                    request=request,
                    channel=channel,
                    address=address,
                    defaults={
                        "role": Role.REPORTER,
                        "confirmed_at": now,
                        "unsubscribed_at": None,
                        "language": request.language,
                    },
                    create_defaults={
                        "role": Role.REPORTER,
                        "confirmed_at": now,
                        "language": request.language,
                        "token": subscription_token(),
                    },
                )
        if Channel.EMAIL in wanted:
            preference = ContactPreference.objects.filter(
                channel=Channel.EMAIL, address=wanted[Channel.EMAIL], opted_out=True
            ).first()
            if preference is not None:
                contact_preference_set(
                    channel=Channel.EMAIL,
                    address=wanted[Channel.EMAIL],
                    opted_out=False,
                    source="preferences-page",
                    request_id=request.pk,
                )
    return list(RequestSubscription.objects.filter(request=request, role=Role.REPORTER))


def subscriptions_carry_to_original(*, duplicate: ServiceRequest) -> list[RequestSubscription]:
    """Everyone hearing about a request merged into another now hears about the original: the
    reporter and supporters as supporters, followers as followers, already confirmed (they
    agreed to hear about this problem). Addresses already on the original, and anyone who
    unsubscribed, are left as they are. Idempotent."""
    original = duplicate.duplicate_of
    if original is None:
        return []
    carried = []
    for subscription in duplicate.subscriptions.filter(
        confirmed_at__isnull=False, unsubscribed_at__isnull=True
    ):
        role = Role.FOLLOWER if subscription.role == Role.FOLLOWER else Role.SUPPORTER
        carried.append(
            _subscription_ensure(
                request=original,
                role=role,
                channel=subscription.channel,
                address=subscription.address,
                language=subscription.language,
                confirmed=True,
            )
        )
    return carried


def reporter_contact_unconfirmed(*, request: ServiceRequest, channel: str, address: str) -> bool:
    """A reporter's contact typed into the public form that nobody has shown to be theirs:
    anyone can type someone else's email address or number. Such a contact gets the receipt
    (with the link that confirms it) and nothing else: no updates, no survey. Once the resident
    confirms any contact of the request, the private link is theirs, and so are the contacts
    they chose with it."""
    pairs = reporter_contact_pairs(request=request, channel=channel, address=address)
    return pairs is not None and not contacts_confirmed(pairs=pairs)


def reporter_contact_pairs(
    *, request: ServiceRequest, channel: str, address: str
) -> list[tuple[str, str]] | None:
    """The contacts whose confirmation makes a reporter's contact count as confirmed (see
    ``reporter_contact_unconfirmed``), as stored (``address_normalize``); None when the request
    says it is confirmed already."""
    if request.contact_confirmed:
        return None
    contacts = {
        (channel, address),
        (Channel.EMAIL, request.reporter_email),
        (Channel.SMS, str(request.reporter_phone or "")),
    }
    return sorted(
        {(c, address_normalize(channel=c, address=a)) for c, a in contacts if a and str(a).strip()}
    )

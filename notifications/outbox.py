"""The one way a message enters the outbox, and the one record of who said no.

Every producer (resident updates, followers, staff alerts, digests, surveys) calls
``outbox_queue``; the sending machinery (notifications.sending) takes it from there. Every opt-out
and opt-in (STOP/START, unsubscribe links, the preferences page, provider bounces, staff in the
admin) goes through ``contact_preference_set``, which every queue and send then checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection, connections, router, transaction
from django.db.models import BooleanField, Model
from django.db.models.constants import OnConflict
from django.db.models.expressions import RawSQL
from django.utils import timezone

from notifications.models import ContactPreference, OptOutLog, OutboxMessage
from requests_app.dispatch import dispatch_batch
from requests_app.models import ConfirmedContact

# Longer than a send may take; the sweep (notifications.sending) enqueues with it too.
SEND_TASK_TIMEOUT = 30


def dedupe_key_for(*, event_id: int | None, channel: str, recipient: str, extra: str = "") -> str:
    """(event, recipient, channel) identifies a message: the same event never reaches the same
    person twice on the same channel. ``extra`` separates messages not tied to one event."""
    who = recipient.strip().lower()
    base = f"event:{event_id}" if event_id is not None else f"x:{extra}"
    return f"{base}:{channel}:{who}"[:200]


def rows_insert_new[M: Model](rows: list[M], *, key: str) -> list[M]:
    """INSERT ``rows`` (new instances of one model) in one statement, skipping any a unique
    constraint already holds (ON CONFLICT DO NOTHING ... RETURNING): the insert-or-skip of a
    re-delivered event without a savepoint around it (a savepoint and its release are two more
    round trips; outside a transaction, the BEGIN and COMMIT of one). If another transaction
    holds an uncommitted row with the same key, PostgreSQL waits for it, then skips. ``key``
    names a unique field that tells the rows apart. Returns the rows inserted, ids set, in the
    order given."""
    if not rows:
        return []
    model = type(rows[0])
    opts = model._meta
    using = router.db_for_write(model)
    key_field = opts.get_field(key)
    fields = [f for f in opts.concrete_fields if not f.primary_key and not f.generated]
    values = [f.pre_save(row, True) for row in rows for f in fields]
    if any(hasattr(f, "get_placeholder") for f in fields) or any(
        hasattr(v, "resolve_expression") for v in values
    ):
        returned = model._base_manager._insert(
            rows,
            fields=fields,
            returning_fields=[opts.pk, key_field],
            using=using,
            on_conflict=OnConflict.IGNORE,
        )
    else:
        # Plain values (the outbox's, the subscriptions'): the statement the ORM's insert
        # compiler writes, kept per process, with the values it would bind (pre_save, then
        # get_db_prep_save): compiling it cost about half a millisecond of CPU per insert.
        db = connections[using]
        sql = _insert_statement(model, fields, key_field, len(rows))
        params = [
            f.get_db_prep_save(v, connection=db)
            for f, v in zip(fields * len(rows), values, strict=True)
        ]
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            returned = cursor.fetchall()
    ids = {value: pk for pk, value in returned}
    made = []
    for row in rows:
        pk = ids.get(getattr(row, key_field.attname))
        if pk is not None:
            row.pk = pk
            row._state.adding, row._state.db = False, using
            made.append(row)
    return made


_INSERTS: dict[tuple, str] = {}


def _insert_statement(model, fields: list, key_field, count: int) -> str:
    """INSERT of ``count`` rows of ``fields``, ON CONFLICT DO NOTHING RETURNING the pk and the
    key, written once per process for each (model, key, count)."""
    found = _INSERTS.get((model, key_field.name, count))
    if found is None:
        opts, quote = model._meta, connection.ops.quote_name
        row = "(" + ", ".join(["%s"] * len(fields)) + ")"
        found = (
            f"INSERT INTO {quote(opts.db_table)} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608
            f"VALUES {', '.join([row] * count)} ON CONFLICT DO NOTHING "
            f"RETURNING {quote(opts.pk.column)}, {quote(key_field.column)}"
        )
        _INSERTS[(model, key_field.name, count)] = found
    return found


def address_opted_out(*, channel: str, address: str) -> bool:
    return ContactPreference.objects.filter(
        channel=channel, address=address.strip().lower(), opted_out=True
    ).exists()


def address_opted_out_exists(*, channel: str, address_column: str) -> RawSQL:
    """``address_opted_out`` as a boolean column of a read that lists recipients (their
    address in ``address_column``, a quoted table.column of that read). Written out: as an
    ORM EXISTS it cost more Python to build than the rest of the read."""
    prefs = ContactPreference._meta.db_table
    return RawSQL(  # noqa: S611 (table and column names from the models)
        f"EXISTS (SELECT 1 FROM {prefs} p WHERE p.channel = %s "  # noqa: S608
        f"AND p.address = LOWER(TRIM({address_column})) AND p.opted_out)",
        [channel],
        output_field=BooleanField(),
    )


def outbox_queued_or_opted_out(*, dedupe_key: str, channel: str, address: str) -> tuple[bool, bool]:
    """(a message with this dedupe key is queued already, the address opted out of the channel)
    in one query: a producer that checks the first before rendering passes the second on to
    ``outbox_queue`` (was a query each)."""
    checks = outbox_checks(
        outbox_checks_ask(dedupe_key=dedupe_key, channel=channel, address=address)
    )
    return checks.queued, checks.opted_out


@dataclass(frozen=True)
class OutboxChecks:
    queued: bool
    opted_out: bool
    # How many messages of the template the recipient was sent since then (None: not asked).
    sent: int | None = None
    # Whether any of the contacts asked about is confirmed (None: not asked).
    confirmed: bool | None = None


@dataclass(frozen=True)
class ChecksAsked:
    """``outbox_checks_ask``'s questions as columns of a SELECT (``columns``, with ``params``), to
    be asked alone or beside another read in one statement; ``read`` turns the row's values
    (those columns, in order) into the answers."""

    columns: list[str]
    params: list
    sent: bool
    confirmed_pairs: list[tuple[str, str]] | None

    def read(self, values) -> OutboxChecks:
        values = list(values)
        queued, opted_out = bool(values.pop(0)), bool(values.pop(0))
        sent = values.pop(0) if self.sent else None
        pairs = self.confirmed_pairs
        confirmed = bool(values.pop(0)) if pairs else (False if pairs == [] else None)
        return OutboxChecks(queued=queued, opted_out=opted_out, sent=sent, confirmed=confirmed)


def outbox_checks_ask(
    *,
    dedupe_key: str,
    channel: str,
    address: str,
    sent_template: str = "",
    sent_since: datetime | None = None,
    confirmed_pairs: list[tuple[str, str]] | None = None,
) -> ChecksAsked:
    """What a producer asks before rendering one message, as the columns of one SELECT: is it
    queued already (its ``dedupe_key``), did the ``address`` opt out of the ``channel``, and,
    when asked, how many ``sent_template`` messages the address got since ``sent_since`` (not
    counting suppressed ones) and whether any of ``confirmed_pairs`` ((channel, address) as
    stored, see ``requests_app.services.contacts_confirmed``) is a confirmed contact. The
    resident's receipt asked these in three queries. Asked alone (``outbox_checks``) or beside
    another read (``notifications.subscriptions.reporter_subscriptions_read``)."""
    outbox, prefs = OutboxMessage._meta.db_table, ContactPreference._meta.db_table
    columns = [
        f"EXISTS (SELECT 1 FROM {outbox} WHERE dedupe_key = %s)",  # noqa: S608
        f"EXISTS (SELECT 1 FROM {prefs} WHERE channel = %s AND address = %s AND opted_out)",  # noqa: S608
    ]
    params: list = [dedupe_key, channel, address.strip().lower()]
    if sent_since is not None:
        columns.append(
            f"(SELECT COUNT(*) FROM {outbox} WHERE channel = %s AND recipient = %s "  # noqa: S608
            "AND template = %s AND created_at >= %s AND status <> %s)"
        )
        params += [channel, address, sent_template, sent_since, OutboxMessage.Status.SUPPRESSED]
    if confirmed_pairs:
        match = " OR ".join(["(channel = %s AND address = %s)"] * len(confirmed_pairs))
        contacts = ConfirmedContact._meta.db_table
        columns.append(f"EXISTS (SELECT 1 FROM {contacts} WHERE {match})")  # noqa: S608
        params += [value for pair in confirmed_pairs for value in pair]
    return ChecksAsked(
        columns=columns,
        params=params,
        sent=sent_since is not None,
        confirmed_pairs=confirmed_pairs,
    )


def outbox_checks(ask: ChecksAsked) -> OutboxChecks:
    """Ask ``outbox_checks_ask``'s questions on their own (one query)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(ask.columns), ask.params)
        return ask.read(cursor.fetchone())


def contact_preference_set(
    *,
    channel: str,
    address: str,
    opted_out: bool,
    source: str,
    request_id: int | None = None,
    language: str = "",
) -> ContactPreference:
    """Record that an address opted out of (or back into) a channel, and where that came from
    ("sms-keyword", "email-link", "provider", "staff", ...).

    The row is locked, so two changes at once are logged in the order they land; only a change
    is logged (a second STOP, or an opt-in of an address that never opted out, writes no log).
    ``language`` is what the resident last used (an SMS keyword), kept for later answers."""
    address = address.strip().lower()
    now = timezone.now()
    with transaction.atomic():
        preference, _created = ContactPreference.objects.select_for_update().get_or_create(
            channel=channel, address=address
        )
        changed = []
        if language and preference.language != language:
            preference.language = language
            changed.append("language")
        if preference.opted_out != opted_out:
            preference.opted_out = opted_out
            changed.append("opted_out")
            OptOutLog.objects.create(
                channel=channel,
                address=address,
                action=OptOutLog.Action.OPT_OUT if opted_out else OptOutLog.Action.OPT_IN,
                source=source,
                request_id=request_id,
                created_at=now,
            )
        if changed:
            preference.updated_at = now
            preference.save(update_fields=[*changed, "updated_at"])
    return preference


def message_send_enqueue(*, message_id: int) -> None:
    """Hand one outbox row to a worker once the transaction that queued it commits."""

    def enqueue() -> None:
        from django_q.tasks import async_task

        async_task("notifications.tasks.send_message", message_id, timeout=SEND_TASK_TIMEOUT)

    transaction.on_commit(enqueue)


def outbox_queue(
    *,
    channel: str,
    recipient: str,
    template: str,
    language: str,
    body_text: str,
    subject: str = "",
    body_html: str = "",
    request=None,
    event=None,
    user=None,
    subscription=None,
    digest: bool = False,
    dedupe_key: str = "",
    opted_out: bool | None = None,
    not_before: datetime | None = None,
    batch: bool = False,
) -> OutboxMessage | None:
    """Add one message to the outbox and hand it to a worker after commit; with
    ``not_before``, the outbox sweep hands it over once that time has come.

    Idempotent: a second call with the same dedupe key adds nothing and returns None. A recipient
    who opted out of the channel gets a row marked suppressed (visible to staff), never a send.
    With ``batch``, inside an event dispatch, the row is written with the dispatch's other
    messages in one INSERT after its last event (``outbox_batch``): the message comes back
    unsaved, and has its id once written (none if its key was queued already)."""
    key = dedupe_key or dedupe_key_for(
        event_id=event.pk if event is not None else None, channel=channel, recipient=recipient
    )
    # ``opted_out``: read by the caller with its dedupe check (outbox_queued_or_opted_out).
    suppressed = (
        address_opted_out(channel=channel, address=recipient) if opted_out is None else opted_out
    )
    message = OutboxMessage(
        request=request,
        event=event,
        channel=channel,
        recipient=recipient,
        template=template,
        language=language,
        subject=subject[:200],
        body_text=body_text,
        body_html=body_html,
        user=user,
        subscription=subscription,
        digest=digest,
        dedupe_key=key,
        status=(OutboxMessage.Status.SUPPRESSED if suppressed else OutboxMessage.Status.QUEUED),
        last_error="Recipient opted out of this channel." if suppressed else "",
        next_attempt_at=not_before,
    )
    if batch and outbox_batch([message]):
        return message
    # One INSERT that skips a key queued already (was a savepoint around it).
    if not rows_insert_new([message], key="dedupe_key"):
        return None
    if not suppressed and not digest and not_before is None:
        message_send_enqueue(message_id=message.id)
    return message


def outbox_batch(rows: list[OutboxMessage]) -> bool:
    """Hold new outbox rows for the running dispatch's one INSERT of its messages (three round
    trips were one per message: the receipt, the routed update, the staff alert of a new
    request); False when they must be written now (see requests_app.dispatch.dispatch_batch)."""
    return not rows or dispatch_batch(("outbox",), rows, _outbox_write)


def _outbox_write(rows: list[OutboxMessage]) -> list[OutboxMessage]:
    """Write new outbox rows in one INSERT (skipping keys queued already) and hand each that is
    to be sent now to a worker after commit; returns the rows written."""
    created = rows_insert_new(rows, key="dedupe_key")
    for row in created:
        if (
            row.status == OutboxMessage.Status.QUEUED
            and not row.digest
            and row.next_attempt_at is None
        ):
            message_send_enqueue(message_id=row.id)
    return created


def outbox_queue_many(*, messages: list[dict], batch: bool = False) -> list[OutboxMessage]:
    """``outbox_queue`` for several messages at once (each dict holds its keyword arguments,
    with a ``dedupe_key``, and ``opted_out`` when the caller read it with the recipients): one
    opt-out read (none when every message says) and one multi-row insert instead of three
    queries a message. Same rules: opted-out recipients get a suppressed row, and any queued
    already (a re-delivered event) is skipped by the INSERT itself. Returns the rows added."""
    if not messages:
        return []
    opted_out = set()
    if any("opted_out" not in m for m in messages):
        addresses = {m["recipient"].strip().lower() for m in messages}
        opted_out = set(
            ContactPreference.objects.filter(
                channel__in={m["channel"] for m in messages},
                address__in=addresses,
                opted_out=True,
            ).values_list("channel", "address")
        )
    rows = []
    for m in messages:
        suppressed = m.get("opted_out")
        if suppressed is None:
            suppressed = (m["channel"], m["recipient"].strip().lower()) in opted_out
        rows.append(
            OutboxMessage(
                request=m.get("request"),
                event=m.get("event"),
                channel=m["channel"],
                recipient=m["recipient"],
                template=m["template"],
                language=m["language"],
                subject=m.get("subject", "")[:200],
                body_text=m["body_text"],
                body_html=m.get("body_html", ""),
                user=m.get("user"),
                subscription=m.get("subscription"),
                digest=m.get("digest", False),
                dedupe_key=m["dedupe_key"],
                status=(
                    OutboxMessage.Status.SUPPRESSED if suppressed else OutboxMessage.Status.QUEUED
                ),
                last_error="Recipient opted out of this channel." if suppressed else "",
            )
        )
    # With ``batch`` (see outbox_queue), the rows come back unsaved.
    if batch and outbox_batch(rows):
        return rows
    return _outbox_write(rows)

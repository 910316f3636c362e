"""Messaging pages, one module: resident pages (follow a public request with double opt-in,
confirm a follow, choose how to hear about one's own request, unsubscribe in one click), the
closure survey, the staff member's notification settings, and the inbound webhooks with the
development mailbox.

Nothing on the resident pages shows private details: follow pages show only what the public
tracker shows, and addresses are masked.

POST /inbound/email/  a raw MIME message (Content-Type message/rfc822, or a form field "email" /
                      "body-mime"), or a provider's parsed form (sender/recipient/subject/
                      body-plain/body-html plus file attachments; SendGrid's from/to/text/html too).
POST /inbound/sms/    Twilio's messaging webhook; answers with TwiML.
GET  /dev/mailbox/    every outbox message with reply forms (DEV_MAILBOX and staff only).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
from email.parser import BytesHeaderParser
from functools import wraps
from xml.sax.saxutils import escape

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civic311.http import local_url
from notifications.forms import (
    MODE_FIELDS,
    FollowForm,
    MailboxReplyForm,
    MailboxSmsForm,
    PreferencesForm,
    StaffPreferenceForm,
    SurveyForm,
)
from notifications.inbound.replies import Attachment, inbound_email_receive
from notifications.inbound.sms import sms_receive
from notifications.inbound.twilio import twilio_signature_valid
from notifications.models import (
    Channel,
    ContactPreference,
    InboundMessage,
    OutboxMessage,
    RequestSubscription,
)
from notifications.outbox import contact_preference_set
from notifications.replyto import reply_address_make
from notifications.resident import request_follow
from notifications.selectors import dev_mailbox_list, inbound_recent, survey_by_token
from notifications.staff_alerts import staff_preference_get, staff_preference_update
from notifications.subscriptions import (
    follower_confirm,
    reporter_channels,
    reporter_preferences_set,
    subscription_unsubscribe,
)
from notifications.surveys import Outcome, survey_answer
from requests_app import selectors
from requests_app.permissions import staff_required

# --- Resident -------------------------------------------------------------------------------------


# Follow requests per client address and per email/phone, per hour: enough for a household,
# too few to use the form to flood someone's inbox.
FOLLOW_MAX_PER_IP = 10
FOLLOW_MAX_PER_ADDRESS = 3
FOLLOW_WINDOW_SECONDS = 60 * 60
FOLLOW_THROTTLED = gettext_noop(
    "Too many requests to follow from here. Please try again in an hour."
)


def _count(kind: str, value: str) -> int:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    key = f"follow:{kind}:{digest}"
    cache.add(key, 0, FOLLOW_WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, FOLLOW_WINDOW_SECONDS)
        return 1


def _mask(channel: str, address: str) -> str:
    if channel == Channel.EMAIL:
        local, _at, domain = address.partition("@")
        return f"{local[:1]}•••@{domain}"
    return f"•••• {address[-4:]}"


# --- Follow ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def follow(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """GET: the follow form on its own page. POST: start a follow; the same answer whether or not
    the address already follows, so the form never tells who follows what."""
    service_request = selectors.request_get_public(tracking_number=tracking_number)
    if service_request is None:
        raise Http404
    url = reverse("notifications:follow", args=[service_request.tracking_number])
    context = {"sr": service_request, "follow_url": url, "follow_sent": False}
    if request.method == "GET":
        context.update(follow_form=FollowForm(), follow_sent=request.GET.get("sent") == "1")
        return render(request, "notifications/follow.html", context)
    form = FollowForm(request.POST)
    status = 422
    # REMOTE_ADDR, not X-Forwarded-For: a client can write any forwarded-for header it likes.
    if _count("ip", request.META.get("REMOTE_ADDR", "")) > FOLLOW_MAX_PER_IP:
        form.is_valid()
        form.add_error(None, _(FOLLOW_THROTTLED))
        status = 429
    elif form.is_valid():
        channel, address = form.cleaned_data["contact"]
        if _count(channel, address) > FOLLOW_MAX_PER_ADDRESS:
            form.add_error(None, _(FOLLOW_THROTTLED))
            status = 429
        else:
            request_follow(
                request=service_request,
                channel=channel,
                address=address,
                language=get_language() or "en",
            )
            if not request.htmx:
                return redirect(f"{url}?sent=1")
            form = FollowForm()
            context["follow_sent"] = True
    context["follow_form"] = form
    if request.htmx:
        # htmx swaps only 2xx answers; the fragment itself carries the error (role=alert).
        return render(request, "notifications/follow.html#follow-section", context)
    return render(request, "notifications/follow.html", context, status=status)


def _follower_subscription(token: str) -> RequestSubscription:
    return get_object_or_404(
        RequestSubscription.objects.select_related("request__category"),
        token=token,
        role=RequestSubscription.Role.FOLLOWER,
    )


@require_http_methods(["GET", "POST"])
def follow_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The double opt-in link. GET only shows a button (mail scanners open links); POST confirms."""
    subscription = _follower_subscription(token)
    confirmed_now = False
    if request.method == "POST" and subscription.confirmed_at is None:
        follower_confirm(subscription=subscription)
        confirmed_now = True
    return render(
        request,
        "notifications/follow_confirm.html",
        {
            "sr": subscription.request,
            "subscription": subscription,
            "confirmed_now": confirmed_now,
            "masked": _mask(subscription.channel, subscription.address),
        },
    )


# --- Unsubscribe ----------------------------------------------------------------------------------


@csrf_exempt  # RFC 8058 one-click POSTs come from mail clients; the token is the authority.
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what will stop and a button; POST stops this subscription, or with action=all
    every message to the address. GET changes nothing (mail scanners follow links)."""
    subscription = get_object_or_404(
        RequestSubscription.objects.select_related("request__category"), token=token
    )
    done = ""
    if request.method == "POST":
        subscription_unsubscribe(subscription=subscription)
        done = "this"
        if request.POST.get("action") == "all":
            contact_preference_set(
                channel=subscription.channel,
                address=subscription.address,
                opted_out=True,
                source="email-link" if subscription.channel == Channel.EMAIL else "web-link",
                request_id=subscription.request_id,
            )
            done = "all"
    opted_out = ContactPreference.objects.filter(
        channel=subscription.channel, address=subscription.address, opted_out=True
    ).exists()
    return render(
        request,
        "notifications/unsubscribe.html",
        {
            "sr": subscription.request,
            "subscription": subscription,
            "masked": _mask(subscription.channel, subscription.address),
            "done": done,
            "opted_out": opted_out,
        },
    )


# --- The reporter's preferences -------------------------------------------------------------------


def _current_choice(service_request) -> tuple[str, str]:
    """(choice, phone) from the reporter's subscriptions, or from what they chose when filing."""
    rows = list(
        RequestSubscription.objects.filter(
            request=service_request, role=RequestSubscription.Role.REPORTER
        )
    )
    if rows:
        active = {s.channel: s.address for s in rows if s.active}
        phone = next((s.address for s in rows if s.channel == Channel.SMS), "")
    else:
        active = dict(reporter_channels(request=service_request))
        phone = ""
    phone = active.get(Channel.SMS) or phone or str(service_request.reporter_phone or "")
    email, sms = Channel.EMAIL in active, Channel.SMS in active
    choice = {
        (True, True): PreferencesForm.BOTH,
        (True, False): PreferencesForm.EMAIL,
        (False, True): PreferencesForm.SMS,
    }.get((email, sms), PreferencesForm.NONE)
    return choice, phone


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest, token: str) -> HttpResponse:
    """From the reporter's private link: email, text messages, both or none for this request."""
    service_request = selectors.request_get_by_token(token=token)
    if service_request is None:
        raise Http404
    has_email = bool(service_request.reporter_email)
    status = 200
    if request.method == "POST":
        form = PreferencesForm(request.POST, has_email=has_email)
        if form.is_valid():
            phone = form.cleaned_data.get("phone")
            reporter_preferences_set(
                request=service_request,
                email=form.wants_email,
                sms=form.wants_sms,
                phone=str(phone) if phone else "",
            )
            return redirect(f"{reverse('notifications:preferences', args=[token])}?saved=1")
        status = 422
    else:
        choice, phone = _current_choice(service_request)
        form = PreferencesForm(initial={"choice": choice, "phone": phone}, has_email=has_email)
    email = service_request.reporter_email.lower()
    email_opted_out = bool(email) and (
        ContactPreference.objects.filter(
            channel=Channel.EMAIL, address=email, opted_out=True
        ).exists()
    )
    return render(
        request,
        "notifications/preferences.html",
        {
            "sr": service_request,
            "form": form,
            "email_masked": _mask(Channel.EMAIL, email) if email else "",
            "email_opted_out": email_opted_out,
            "saved": request.GET.get("saved") == "1",
            "private_url": reverse("requests_app:private", args=[token]),
        },
        status=status,
    )


# --- Closure survey -------------------------------------------------------------------------------


def _use_survey_language(request: HttpRequest, language: str) -> None:
    # The page opens in the language the survey was sent in, unless the resident picked one.
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        translation.activate(language)
        request.LANGUAGE_CODE = language


@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    found = survey_by_token(token=token)
    if found is None:
        raise Http404
    _use_survey_language(request, found.language)
    context = {"survey": found, "service_request": found.request}
    if found.answered_at is not None:
        # Straight after answering, the redirect says what happened; any other visit (or a
        # second submit) sees that the survey is already answered.
        try:
            outcome = Outcome(request.GET.get("outcome", ""))
        except ValueError:
            outcome = Outcome.ALREADY_ANSWERED
        if request.method == "POST":
            outcome = Outcome.ALREADY_ANSWERED
        return render(request, "notifications/survey_done.html", {**context, "outcome": outcome})
    status = 200
    if request.method == "POST":
        form = SurveyForm(request.POST)
        if form.is_valid():
            outcome = survey_answer(
                survey=found,
                fixed=form.cleaned_data["fixed"] == "yes",
                satisfaction=int(form.cleaned_data["satisfaction"]),
                comment=form.cleaned_data["comment"],
            )
            url = reverse("notifications:survey", args=[token])
            return redirect(f"{url}?outcome={outcome}")
        status = 422
    else:
        form = SurveyForm()
    return render(request, "notifications/survey.html", {**context, "form": form}, status=status)


# --- Staff notification settings ------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def staff_preferences(request: HttpRequest) -> HttpResponse:
    preference = staff_preference_get(user=request.user)
    status = 200
    if request.method == "POST":
        form = StaffPreferenceForm(request.POST)
        if form.is_valid():
            staff_preference_update(preference=preference, **form.cleaned_data)
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notifications:staff_preferences")
        status = 422
    else:
        form = StaffPreferenceForm(
            initial={
                **{name: getattr(preference, name) for name in MODE_FIELDS},
                "digest_times": preference.digest_times.replace(",", ", "),
                "language": preference.language,
            }
        )
    return render(
        request,
        "notifications/staff_preferences.html",
        {"form": form, "preference": preference, "has_email": bool(request.user.email)},
        status=status,
    )


# --- Inbound webhooks -----------------------------------------------------------------------------


# A whole message with its photos; larger posts get 413 before anything is parsed.
MAX_EMAIL_BYTES = 25 * 1024 * 1024
MAX_MMS = 10

FORBIDDEN = "Missing or wrong inbound secret (HTTP basic auth password or ?token=)."
NOT_CONFIGURED = "Inbound endpoints are closed until INBOUND_SECRET is set."
BAD_SIGNATURE = "Invalid X-Twilio-Signature."
UNPARSEABLE = (
    "Expected a raw MIME message (Content-Type message/rfc822, or a form field 'email' or "
    "'body-mime'), or form fields 'sender' and 'recipient'."
)
TOO_LARGE = "The message is larger than the inbound limit."
NO_SENDER = "Expected Twilio's 'From' field."


class _Unparseable(ValueError):
    pass


class _TooLarge(ValueError):
    pass


def _secret_ok(request: HttpRequest) -> bool | None:
    """True/False for a right/wrong secret; None when no secret is configured, which only a
    development site (DEBUG or DEV_MAILBOX) accepts."""
    secret = settings.INBOUND_SECRET
    if not secret:
        return True if (settings.DEBUG or settings.DEV_MAILBOX) else None
    supplied = [request.GET.get("token", "")]
    auth = request.headers.get("Authorization", "")
    if auth[:6].lower() == "basic ":
        with contextlib.suppress(binascii.Error, UnicodeDecodeError):
            supplied.append(base64.b64decode(auth[6:]).decode().partition(":")[2])
    return any(hmac.compare_digest(s.encode(), secret.encode()) for s in supplied if s)


def _refused(request: HttpRequest) -> JsonResponse | None:
    ok = _secret_ok(request)
    if ok is None:
        return JsonResponse({"error": NOT_CONFIGURED}, status=403)
    if not ok:
        return JsonResponse({"error": FORBIDDEN}, status=403)
    return None


def _email_arguments(request: HttpRequest) -> dict:
    """inbound_email_receive's arguments from whichever shape the relay or provider posts."""
    if request.content_type in ("message/rfc822", "text/plain", "application/octet-stream"):
        raw = request.read(MAX_EMAIL_BYTES + 1)
        return {"raw_mime": _raw_checked(raw)}
    if request.content_type not in ("multipart/form-data", "application/x-www-form-urlencoded"):
        raise _Unparseable
    for field in ("email", "body-mime"):
        if field in request.FILES:
            return {"raw_mime": _raw_checked(request.FILES[field].read(MAX_EMAIL_BYTES + 1))}
        if request.POST.get(field):
            return {"raw_mime": _raw_checked(request.POST[field].encode("utf-8"))}
    post = request.POST
    sender = post.get("sender") or post.get("from") or ""
    recipient = post.get("recipient") or post.get("to") or ""
    if not sender or not recipient:
        raise _Unparseable
    attachments = []
    for upload in (f for files in request.FILES.lists() for f in files[1]):
        if upload.size > MAX_EMAIL_BYTES:
            raise _TooLarge
        attachments.append(Attachment(upload.name or "", upload.content_type or "", upload.read()))
    return {
        "sender": sender,
        "recipients": [recipient],
        "subject": post.get("subject", ""),
        "text": post.get("body-plain") or post.get("text") or "",
        "html": post.get("body-html") or post.get("html") or "",
        "attachments": attachments,
        "message_id": post.get("Message-Id") or post.get("message-id") or "",
    }


def _raw_checked(raw: bytes) -> bytes:
    if len(raw) > MAX_EMAIL_BYTES:
        raise _TooLarge
    headers = BytesHeaderParser().parsebytes(raw)
    if not raw.strip() or not (headers.get("From") or headers.get("To")):
        raise _Unparseable
    return raw


@csrf_exempt
@require_POST
def inbound_email(request: HttpRequest) -> JsonResponse:
    """A refused reply still answers 200 with outcome "rejected": retrying would not help."""
    refused = _refused(request)
    if refused is not None:
        return refused
    try:
        arguments = _email_arguments(request)
    except (_TooLarge, RequestDataTooBig):
        return JsonResponse({"error": TOO_LARGE}, status=413)
    except _Unparseable:
        return JsonResponse({"error": UNPARSEABLE}, status=400)
    inbound = inbound_email_receive(**arguments)
    return JsonResponse(_outcome(inbound))


def _outcome(inbound: InboundMessage) -> dict:
    return {
        "outcome": inbound.outcome,
        "request": inbound.request.tracking_number if inbound.request_id else None,
        "reason": inbound.reason,
    }


def _twiml(reply: str) -> HttpResponse:
    body = f"<Message>{escape(reply)}</Message>" if reply else ""
    xml = f'<?xml version="1.0" encoding="UTF-8"?><Response>{body}</Response>'
    return HttpResponse(xml, content_type="text/xml; charset=utf-8")


@csrf_exempt
@require_POST
def inbound_sms(request: HttpRequest) -> HttpResponse:
    """Twilio's webhook. With TWILIO_AUTH_TOKEN set, the X-Twilio-Signature must match the URL
    as Twilio called it (behind a proxy, forward Host and X-Forwarded-Proto); without it the
    INBOUND_SECRET is required, as for email."""
    if settings.TWILIO_AUTH_TOKEN:
        valid = twilio_signature_valid(
            url=request.build_absolute_uri(),
            params=dict(request.POST.lists()),
            signature=request.headers.get("X-Twilio-Signature", ""),
        )
        if not valid:
            return JsonResponse({"error": BAD_SIGNATURE}, status=403)
    else:
        refused = _refused(request)
        if refused is not None:
            return refused
    post = request.POST
    if not post.get("From"):
        return JsonResponse({"error": NO_SENDER}, status=400)
    try:
        count = min(int(post.get("NumMedia") or 0), MAX_MMS)
    except ValueError:
        count = 0
    urls = [post[f"MediaUrl{i}"] for i in range(count) if post.get(f"MediaUrl{i}")]
    result = sms_receive(
        sender=post["From"],
        body=post.get("Body", ""),
        recipient=post.get("To", ""),
        provider_id=post.get("MessageSid") or post.get("SmsSid") or "",
        media_urls=urls,
    )
    return _twiml(result.reply)


# --- Development mailbox --------------------------------------------------------------------------


def dev_mailbox_required(view):
    """Only when DEV_MAILBOX is on (404 otherwise), and only for city admins (403 for other
    staff): it shows every resident's address and number, and replies as them."""

    @wraps(view)
    def admins_only(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.staff.is_city_admin:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not settings.DEV_MAILBOX:
            raise Http404
        return staff_required(admins_only)(request, *args, **kwargs)

    return wrapper


def _back(request: HttpRequest) -> HttpResponse:
    default = reverse("notifications:dev_mailbox")
    return redirect(local_url(request, request.POST.get("next", ""), default=default))


def _form_errors(request: HttpRequest, form) -> None:
    for error in (e for errors in form.errors.values() for e in errors):
        messages.error(request, error)


def _uploads(form) -> list[Attachment]:
    upload = form.cleaned_data.get("photo")
    if not upload:
        return []
    return [Attachment(upload.name or "", upload.content_type or "", upload.read())]


@require_GET
@dev_mailbox_required
def dev_mailbox(request: HttpRequest) -> HttpResponse:
    recipient = request.GET.get("to", "")
    channel = request.GET.get("channel", "")
    context = {
        "entries": dev_mailbox_list(recipient=recipient, channel=channel),
        "inbound": inbound_recent(sender=recipient),
        "to": recipient,
        "channel": channel,
        "channels": OutboxMessage.Channel.choices,
        "sms_form": MailboxSmsForm(),
    }
    return render(request, "notifications/dev_mailbox.html", context)


@require_POST
@dev_mailbox_required
def dev_mailbox_reply(request: HttpRequest, message_id: int) -> HttpResponse:
    """Answer one message as its recipient would: an email to the message's signed reply-to
    address, or a text message from the phone it went to. Same services as the webhooks."""
    message = get_object_or_404(OutboxMessage, pk=message_id)
    form = MailboxReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(request)
    if message.channel == OutboxMessage.Channel.SMS:
        result = sms_receive(
            sender=message.recipient,
            body=form.cleaned_data["text"],
            recipient=settings.TWILIO_FROM_NUMBER,
            attachments=_uploads(form),
        )
        _sms_flash(request, result.inbound, result.reply)
        return _back(request)
    if not message.request_id or message.user_id is not None:
        messages.error(request, _("This message has no reply address."))
        return _back(request)
    inbound = inbound_email_receive(
        sender=message.recipient,
        recipients=[reply_address_make(request_id=message.request_id)],
        subject=f"Re: {message.subject}",
        text=form.cleaned_data["text"],
        attachments=_uploads(form),
    )
    _email_flash(request, inbound)
    return _back(request)


@require_POST
@dev_mailbox_required
def dev_mailbox_sms(request: HttpRequest) -> HttpResponse:
    """A new text message to the city's number, e.g. to try a text-message report."""
    form = MailboxSmsForm(request.POST, request.FILES)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(request)
    result = sms_receive(
        sender=str(form.cleaned_data["phone"]),
        body=form.cleaned_data["body"],
        recipient=settings.TWILIO_FROM_NUMBER,
        attachments=_uploads(form),
    )
    _sms_flash(request, result.inbound, result.reply)
    return _back(request)


def _email_flash(request: HttpRequest, inbound: InboundMessage) -> None:
    if inbound.outcome == InboundMessage.Outcome.THREADED:
        messages.success(
            request,
            _("Reply added to request %(number)s. %(note)s")
            % {"number": inbound.request.tracking_number, "note": inbound.reason},
        )
    else:
        messages.error(request, _("Reply refused: %(reason)s") % {"reason": inbound.reason})


def _sms_flash(request: HttpRequest, inbound: InboundMessage, reply: str) -> None:
    level = messages.ERROR if inbound.outcome == InboundMessage.Outcome.REJECTED else messages.INFO
    messages.add_message(
        request,
        level,
        _("%(outcome)s. 311 answered: “%(reply)s”")
        % {"outcome": inbound.get_outcome_display(), "reply": reply or "—"},
    )

"""Resident messaging pages: follow a public request (double opt-in), confirm a follow, choose how
to hear about one's own request, unsubscribe in one click.

Nothing here shows private details: follow pages show only what the public tracker shows, and
addresses are masked."""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from notifications.forms_resident import FollowForm, PreferencesForm
from notifications.models import Channel, ContactPreference, RequestSubscription
from notifications.resident import request_follow
from notifications.subscriptions import (
    address_opt_out,
    follower_confirm,
    reporter_channels,
    reporter_preferences_set,
    subscription_unsubscribe,
)
from requests_app import selectors

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


# --- Unsubscribe ---------------------------------------------------------------------------------


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
            address_opt_out(
                channel=subscription.channel,
                address=subscription.address,
                source="email-link" if subscription.channel == Channel.EMAIL else "web-link",
                request=subscription.request,
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


# --- The reporter's preferences ----------------------------------------------------------------


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

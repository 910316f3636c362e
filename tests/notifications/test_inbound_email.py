"""Replies to update emails: threaded onto the right request through the signed reply-to address,
quoted text stripped, photos kept without their metadata, forgeries refused, 'no problem found'
reopened within the window, and the endpoint closed to anyone without the secret."""

from __future__ import annotations

import base64
import io
from datetime import timedelta
from email.message import EmailMessage

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from notifications.inbound import replies
from notifications.inbound.replies import Attachment, inbound_email_receive, reply_text_strip
from notifications.models import InboundMessage, MessagingSettings
from notifications.replyto import reply_address_make
from requests_app.models import RequestEvent, ServiceRequest, Status
from requests_app.services import request_resolve, request_route
from tests.conftest import INSIDE
from tests.factories import ClosureReasonFactory
from tests.images import jpeg_bytes, upload
from tests.requests_app.helpers import submit

pytestmark = pytest.mark.django_db
URL = reverse("notifications:inbound_email")
SECRET = "test-inbound-secret"


def raw_reply(
    *,
    to: str,
    text: str = "The hole is bigger now.",
    sender: str = "Rosa Martínez <rosa@example.com>",
    image: bytes | None = None,
    message_id: str = "<reply-1@mail.example.com>",
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = "Re: Your report"
    msg["Message-ID"] = message_id
    msg.set_content(text)
    if image is not None:
        msg.add_attachment(image, maintype="image", subtype="jpeg", filename="IMG_0001.jpg")
    return msg.as_bytes()


def post_raw(client, raw: bytes, *, token: str | None = SECRET):
    url = f"{URL}?token={token}" if token is not None else URL
    return client.post(url, data=raw, content_type="message/rfc822")


def comments(sr) -> list[RequestEvent]:
    return list(RequestEvent.objects.filter(request=sr, type=RequestEvent.Type.RESIDENT_COMMENT))


def no_problem_found_closure(city, staff):
    sr = submit(city)
    request_route(request=sr, department=city.streets)
    reason = ClosureReasonFactory(
        code="no_problem_found",
        name="No problem found",
        public_text="We found no problem — add a photo if it is still there.",
    )
    request_resolve(request=sr, actor=staff.agent, closure_reason=reason)
    sr.refresh_from_db()
    assert sr.status == Status.RESOLVED
    return sr


# --- Threading -----------------------------------------------------------------------------------


def test_a_reply_to_the_signed_address_lands_on_the_request(client, city):
    sr = submit(city)
    response = post_raw(client, raw_reply(to=reply_address_make(request_id=sr.pk)))
    assert response.status_code == 200
    assert response.json() == {"outcome": "threaded", "request": sr.tracking_number, "reason": ""}
    [comment] = comments(sr)
    assert comment.message == "The hole is bigger now."
    # Internal: people sign emails with their name and phone number.
    assert comment.public is False and comment.actor_label == "Resident"
    sr.refresh_from_db()
    assert sr.resident_replied_at is not None


def test_staff_see_resident_replied_in_the_queue_and_timeline(client, city, staff):
    sr = submit(city)
    request_route(request=sr, department=city.streets)
    post_raw(client, raw_reply(to=reply_address_make(request_id=sr.pk), text="Still there."))
    client.force_login(staff.agent)
    queue = client.get(reverse("staff:queue")).content.decode()
    assert "Resident replied" in queue
    detail = client.get(reverse("staff:detail", args=[sr.tracking_number])).content.decode()
    assert "Still there." in detail


def test_a_provider_form_post_is_threaded_too(client, city):
    sr = submit(city)
    response = client.post(
        f"{URL}?token={SECRET}",
        {
            "sender": "rosa@example.com",
            "recipient": reply_address_make(request_id=sr.pk),
            "subject": "Re: update",
            "body-plain": "Thanks, it is near the bus stop.\n\nOn Mon, Jun 3, 2024 at 9:00 AM "
            "City 311 <noreply@city.example> wrote:\n> Your report was received.",
            "attachment-1": upload("IMG_0002.jpg"),
        },
    )
    assert response.json()["outcome"] == "threaded"
    [comment] = comments(sr)
    assert comment.message == "Thanks, it is near the bus stop."
    assert sr.photos.count() == 1


def test_the_same_message_delivered_twice_is_added_once(client, city):
    sr = submit(city)
    raw = raw_reply(to=reply_address_make(request_id=sr.pk))
    post_raw(client, raw)
    response = post_raw(client, raw)
    assert response.json()["outcome"] == "threaded"
    assert len(comments(sr)) == 1
    assert InboundMessage.objects.count() == 1


def test_a_follower_may_reply_but_only_while_subscribed(city):
    from notifications.models import RequestSubscription

    sr = submit(city)
    follower = RequestSubscription.objects.create(
        request=sr,
        role="follower",
        channel="email",
        address="neighbour@example.com",
        token="t" * 40,
        confirmed_at=timezone.now(),
    )
    to = [reply_address_make(request_id=sr.pk)]
    first = inbound_email_receive(sender="neighbour@example.com", recipients=to, text="Me too.")
    assert first.outcome == "threaded"
    follower.unsubscribed_at = timezone.now()
    follower.save()
    second = inbound_email_receive(sender="neighbour@example.com", recipients=to, text="Again.")
    assert second.outcome == "rejected"
    assert second.reason == replies.SENDER_NOT_ALLOWED


# --- Refusals ------------------------------------------------------------------------------------


def _forged(sr) -> str:
    genuine = reply_address_make(request_id=sr.pk)
    local, _at, _domain = genuine.partition("@")
    return f"{local[:-2]}xx@{_domain}"


@pytest.mark.parametrize(
    "address",
    [
        pytest.param(lambda sr: _forged(sr), id="forged signature"),
        pytest.param(lambda sr: f"reply+{sr.pk}@reply.civic311.example", id="unsigned"),
        pytest.param(
            lambda sr: reply_address_make(request_id=sr.pk).split("@")[0] + "@evil.example",
            id="foreign domain",
        ),
        pytest.param(lambda sr: "311@city.example", id="no reply address"),
    ],
)
def test_forged_unsigned_and_foreign_addresses_are_refused_and_change_nothing(
    client, city, address
):
    sr = submit(city)
    before = RequestEvent.objects.filter(request=sr).count()
    response = post_raw(client, raw_reply(to=address(sr)))
    assert response.status_code == 200
    assert response.json()["outcome"] == "rejected"
    assert response.json()["request"] is None
    assert RequestEvent.objects.filter(request=sr).count() == before
    assert InboundMessage.objects.get().reason == replies.NO_REPLY_ADDRESS
    sr.refresh_from_db()
    assert sr.resident_replied_at is None


def test_someone_else_using_a_genuine_address_is_refused(client, city):
    sr = submit(city)
    raw = raw_reply(to=reply_address_make(request_id=sr.pk), sender="mallory@example.net")
    assert post_raw(client, raw).json()["outcome"] == "rejected"
    assert comments(sr) == []
    assert InboundMessage.objects.get().reason == replies.SENDER_NOT_ALLOWED


def test_a_reply_that_only_quotes_the_update_is_refused(client, city):
    sr = submit(city)
    raw = raw_reply(to=reply_address_make(request_id=sr.pk), text="> Your report was received.")
    assert post_raw(client, raw).json()["reason"] == replies.EMPTY_REPLY
    assert comments(sr) == []


# --- Quoted text ---------------------------------------------------------------------------------


def test_english_gmail_quotes_and_signatures_are_stripped():
    text = (
        "It is still there.\n\n-- \nRosa\n\nOn Mon, 3 Jun 2024 at 09:00, City 311 <"
        "noreply@city.example>\nwrote:\n> We inspected it."
    )
    assert reply_text_strip(text) == "It is still there."


def test_a_two_line_attribution_is_recognised():
    text = "Yes, please.\nOn Mon, 3 Jun 2024 at 09:00, City 311 <noreply@city.example>\nwrote:\n> x"
    assert reply_text_strip(text) == "Yes, please."


def test_spanish_quotes_are_stripped():
    text = "Sigue ahí, junto a la parada.\n\nEl lun, 3 jun 2024 a las 9:00, 311 escribió:\n> Hola"
    assert reply_text_strip(text) == "Sigue ahí, junto a la parada."


def test_outlook_quotes_are_stripped():
    outlook = (
        "The crew missed it.\r\n\r\n________________________________\r\nFrom: City 311\r\n"
        "Sent: Monday, June 3, 2024 9:00 AM\r\nTo: Rosa\r\nSubject: Your report\r\n\r\nWe fixed it."
    )
    assert reply_text_strip(outlook) == "The crew missed it."
    headers_only = "Fine.\nFrom: City 311 <noreply@city.example>\nSent: Monday\nSubject: x\nBody"
    assert reply_text_strip(headers_only) == "Fine."
    original = "Thanks\n-----Original Message-----\nFrom: 311"
    assert reply_text_strip(original) == "Thanks"


def test_interleaved_quote_lines_are_dropped_and_sentences_starting_with_on_kept():
    text = "On Monday it got deeper.\n> old text\nA car hit it."
    assert reply_text_strip(text) == "On Monday it got deeper.\nA car hit it."


def test_an_html_only_reply_is_read_without_its_quoted_block(city):
    sr = submit(city)
    log = inbound_email_receive(
        sender="rosa@example.com",
        recipients=[reply_address_make(request_id=sr.pk)],
        html="<p>Still &amp; deeper.</p>"
        "<div class='gmail_quote'><blockquote>old</blockquote></div>",
    )
    assert log.outcome == "threaded"
    assert comments(sr)[0].message == "Still & deeper."


# --- Photos --------------------------------------------------------------------------------------


def test_an_image_attachment_becomes_a_photo_without_its_exif(client, city):
    sr = submit(city)
    raw = raw_reply(
        to=reply_address_make(request_id=sr.pk), image=jpeg_bytes(gps=INSIDE, size=(800, 600))
    )
    assert post_raw(client, raw).json()["outcome"] == "threaded"
    [photo] = sr.photos.all()
    assert photo.source == "resident" and not photo.public
    with photo.image.open("rb") as f:
        stored = Image.open(io.BytesIO(f.read()))
        assert not stored.getexif()
    # The position is kept only in the private field, as for web uploads.
    assert photo.gps is not None
    assert comments(sr)[0].data["photos"] == [str(photo.uuid)]


def test_attachments_that_are_not_photos_are_left_out_and_noted(city):
    sr = submit(city)
    log = inbound_email_receive(
        sender="rosa@example.com",
        recipients=[reply_address_make(request_id=sr.pk)],
        text="See attached.",
        attachments=[Attachment("notes.pdf", "application/pdf", b"%PDF-1.4 " * 200)],
    )
    assert log.outcome == "threaded"
    assert "1 attachment(s)" in log.reason
    assert sr.photos.count() == 0


# --- 'No problem found' ----------------------------------------------------------------------


def reply_days_later(sr, *, days: int, text: str):
    """Rosa replies ``days`` after the closure, with a 7-day window for replies."""
    MessagingSettings.objects.create(no_problem_reply_days=7)
    with time_machine.travel(timezone.now() + timedelta(days=days)):
        return inbound_email_receive(
            sender="rosa@example.com", recipients=[reply_address_make(request_id=sr.pk)], text=text
        )


def test_a_reply_within_the_window_after_no_problem_found_reopens_for_review(city, staff):
    sr = no_problem_found_closure(city, staff)
    log = reply_days_later(sr, days=6, text="It is definitely still there.")
    assert log.outcome == "threaded" and "Reopened" in log.reason
    sr.refresh_from_db()
    assert sr.status == Status.IN_QUEUE
    assert sr.resident_replied_at is not None
    reopened = RequestEvent.objects.get(request=sr, to_value=Status.REOPENED)
    assert reopened.message == replies.REOPEN_REASON
    assert comments(sr)[0].created_at > reopened.created_at


def test_a_reply_after_the_window_is_kept_but_does_not_reopen(city, staff):
    sr = no_problem_found_closure(city, staff)
    log = reply_days_later(sr, days=8, text="Still there.")
    assert log.outcome == "threaded" and log.reason == replies.CLOSED_NOT_REOPENED
    sr.refresh_from_db()
    assert sr.status == Status.RESOLVED
    assert len(comments(sr)) == 1


def test_a_reply_to_a_request_closed_as_repaired_does_not_reopen_it(city, staff):
    sr = submit(city)
    request_route(request=sr, department=city.streets)
    request_resolve(request=sr, actor=staff.agent, closure_reason=city.repaired)
    inbound_email_receive(
        sender="rosa@example.com", recipients=[reply_address_make(request_id=sr.pk)], text="Thx"
    )
    assert ServiceRequest.objects.get(pk=sr.pk).status == Status.RESOLVED


# --- The endpoint ------------------------------------------------------------------------------


def test_the_endpoint_needs_the_secret(client, city):
    sr = submit(city)
    raw = raw_reply(to=reply_address_make(request_id=sr.pk))
    assert post_raw(client, raw, token=None).status_code == 403
    assert post_raw(client, raw, token="wrong").status_code == 403
    assert comments(sr) == []
    basic = base64.b64encode(f"relay:{SECRET}".encode()).decode()
    response = client.post(
        URL, data=raw, content_type="message/rfc822", HTTP_AUTHORIZATION=f"Basic {basic}"
    )
    assert response.status_code == 200
    assert len(comments(sr)) == 1


def test_without_a_secret_only_a_development_site_accepts_posts(client, city, settings):
    settings.INBOUND_SECRET = ""
    settings.DEBUG = settings.DEV_MAILBOX = False
    response = client.post(URL, data=b"From: a@b.c\n\nx", content_type="message/rfc822")
    assert response.status_code == 403


def test_unparseable_posts_get_a_400_with_an_error(client):
    response = client.post(f"{URL}?token={SECRET}", data=b"", content_type="message/rfc822")
    assert response.status_code == 400
    assert "error" in response.json()
    response = client.post(f"{URL}?token={SECRET}", {"subject": "only a subject"})
    assert response.status_code == 400


def test_only_post_is_allowed(client):
    assert client.get(f"{URL}?token={SECRET}").status_code == 405


def test_a_signed_reply_never_reaches_the_public_tracker(client, city):
    sr = submit(city)
    text = "Still there.\n\nRosa Martinez\nCell: 415-555-0199\n12 Oak St"
    post_raw(client, raw_reply(to=reply_address_make(request_id=sr.pk), text=text))
    tracker = client.get(sr.get_absolute_url()).content.decode()
    assert "Still there." not in tracker and "555-0199" not in tracker

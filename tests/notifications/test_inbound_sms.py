"""Text messages to the city's number: Twilio's signature checked, STOP/START/HELP honoured and
recorded, replies threaded onto the sender's latest open request (MMS pictures as photos), and a
provider retry never handled twice."""

from __future__ import annotations

import base64
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse

from notifications.inbound.twilio import sms_media_fetch, twilio_signature
from notifications.models import (
    ContactPreference,
    InboundMessage,
    OptOutLog,
    OutboxMessage,
)
from notifications.outbox import contact_preference_set, outbox_queue
from requests_app.models import RequestEvent, Status
from requests_app.services import request_resolve, request_route
from tests.images import jpeg_bytes
from tests.requests_app.helpers import submit

pytestmark = pytest.mark.django_db
URL = reverse("notifications:inbound_sms")
TOKEN_URL = f"{URL}?token=test-inbound-secret"
ROSA = "+14155550134"


def text(client, body: str, *, sender: str = ROSA, sid: str = "", **extra):
    data = {"From": sender, "To": "+14155550100", "Body": body, "NumMedia": "0", **extra}
    if sid:
        data["MessageSid"] = sid
    return client.post(TOKEN_URL, data)


def comments(sr) -> list[RequestEvent]:
    return list(RequestEvent.objects.filter(request=sr, type=RequestEvent.Type.RESIDENT_COMMENT))


# --- Authentication ------------------------------------------------------------------------------


def test_the_signature_matches_twilios_published_example():
    params = {
        "CallSid": ["CA1234567890ABCDE"],
        "Caller": ["+14158675310"],
        "Digits": ["1234"],
        "From": ["+14158675310"],
        "To": ["+18005551212"],
    }
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert twilio_signature(url=url, params=params, auth_token="12345") == (
        "GvWf1cFY/Q7PnoempGyD5oXAezc="
    )


def test_with_an_auth_token_only_correctly_signed_webhooks_are_accepted(client, city, settings):
    settings.TWILIO_AUTH_TOKEN = "twilio-token"
    data = {"From": ROSA, "To": "+14155550100", "Body": "HELP", "MessageSid": "SM1"}
    params = {k: [v] for k, v in data.items()}
    good = twilio_signature(url=f"http://testserver{URL}", params=params, auth_token="twilio-token")
    response = client.post(URL, data, HTTP_X_TWILIO_SIGNATURE=good)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert b"<Response><Message>" in response.content

    data["MessageSid"] = "SM2"
    forged = client.post(URL, data, HTTP_X_TWILIO_SIGNATURE=good)  # signed other params
    assert forged.status_code == 403
    # The secret does not replace a signature once Twilio's token is configured.
    assert client.post(TOKEN_URL, data).status_code == 403
    assert InboundMessage.objects.count() == 1


def test_without_an_auth_token_the_inbound_secret_is_required(client, city):
    assert client.post(URL, {"From": ROSA, "Body": "HELP"}).status_code == 403
    assert InboundMessage.objects.count() == 0
    assert client.post(TOKEN_URL, {"Body": "no sender"}).status_code == 400


# --- Keywords ----------------------------------------------------------------------------------


def test_stop_is_recorded_and_later_texts_are_suppressed_until_start(client, city):
    sr = submit(city)
    response = text(client, "Stop")
    assert b"START" in response.content
    preference = ContactPreference.objects.get(channel="sms", address=ROSA)
    assert preference.opted_out is True
    log = OptOutLog.objects.get()
    assert (log.action, log.source, log.request) == ("opt_out", "sms-keyword", sr)
    suppressed = outbox_queue(
        channel="sms", recipient=ROSA, template="t", language="en", body_text="x", dedupe_key="a"
    )
    assert suppressed.status == OutboxMessage.Status.SUPPRESSED

    text(client, "START")
    preference.refresh_from_db()
    assert preference.opted_out is False
    assert list(OptOutLog.objects.order_by("created_at").values_list("action", flat=True)) == [
        "opt_out",
        "opt_in",
    ]
    queued = outbox_queue(
        channel="sms", recipient=ROSA, template="t", language="en", body_text="x", dedupe_key="b"
    )
    assert queued.status != OutboxMessage.Status.SUPPRESSED
    # A keyword is not a comment on the request.
    assert comments(sr) == []


def test_a_second_stop_changes_nothing_and_is_logged_once(client, city):
    text(client, "STOP")
    text(client, "STOP")
    assert list(OptOutLog.objects.values_list("action", "source")) == [("opt_out", "sms-keyword")]
    # Staff lifting it in the admin writes through the same service, with its own source.
    contact_preference_set(channel="sms", address=ROSA, opted_out=False, source="staff")
    assert list(OptOutLog.objects.order_by("created_at").values_list("action", "source")) == [
        ("opt_out", "sms-keyword"),
        ("opt_in", "staff"),
    ]


def test_spanish_stop_words_opt_out_in_spanish(client, city):
    text(client, "ALTO")
    preference = ContactPreference.objects.get(channel="sms", address=ROSA)
    assert preference.opted_out is True and preference.language == "es"


def test_help_answers_with_the_citys_311_details(client, city, settings):
    settings.CITY_PHONE = "(415) 701-2311"
    response = text(client, "help")
    assert b"(415) 701-2311" in response.content
    assert InboundMessage.objects.get().outcome == "keyword"


# --- Threading ---------------------------------------------------------------------------------


def test_a_reply_goes_to_the_latest_open_request_of_the_number(client, city, staff):
    older = submit(city, description="Older hole")
    closed = submit(city, description="Fixed hole")
    latest = submit(city, description="Newest hole")
    request_route(request=closed, department=city.streets)
    request_resolve(request=closed, actor=staff.agent, closure_reason=city.repaired)
    request_route(request=latest, department=city.streets)

    response = text(client, "It has got much deeper", sid="SM100")
    assert latest.tracking_number.encode() in response.content
    [comment] = comments(latest)
    assert comment.message == "It has got much deeper"
    assert comments(older) == comments(closed) == []
    latest.refresh_from_db()
    assert latest.resident_replied_at is not None
    inbound = InboundMessage.objects.get()
    assert (inbound.outcome, inbound.request) == ("threaded", latest)


def test_a_twilio_retry_with_the_same_message_sid_is_ignored(client, city):
    sr = submit(city)
    first = text(client, "Still there", sid="SM200")
    second = text(client, "Still there", sid="SM200")
    assert b"<Message>" in first.content
    assert b"<Message>" not in second.content
    assert len(comments(sr)) == 1
    assert InboundMessage.objects.count() == 1


def test_the_answer_is_kept_in_the_outbox_as_sent(client, city):
    sr = submit(city)
    text(client, "Still there", sid="SM300")
    answer = OutboxMessage.objects.get(template="sms_reply")
    assert answer.status == OutboxMessage.Status.SENT
    assert (answer.recipient, answer.request, answer.channel) == (ROSA, sr, "sms")
    assert sr.tracking_number in answer.body_text


def test_new_starts_a_separate_report_even_with_an_open_request(client, city):
    sr = submit(city)
    response = text(client, "NEW")
    assert b"what is the problem" in response.content
    assert comments(sr) == []
    assert InboundMessage.objects.get().outcome == "intake"


def test_with_text_reports_off_an_unknown_number_gets_the_help_text(client, city):
    from notifications.models import MessagingSettings

    MessagingSettings.objects.create(sms_intake_enabled=False)
    response = text(client, "There is graffiti", sender="+14155550199")
    assert b"STOP" in response.content
    assert InboundMessage.objects.get().outcome == "rejected"


# --- MMS -----------------------------------------------------------------------------------------


@pytest.fixture
def media_server(settings):
    """A stand-in for Twilio's media host on localhost (tests never use the internet)."""
    seen: list[str] = []
    image = jpeg_bytes(size=(600, 400))

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.headers.get("Authorization", ""))
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(len(image)))
            self.end_headers()
            self.wfile.write(image)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    settings.TWILIO_API_BASE = base
    settings.TWILIO_ACCOUNT_SID = "AC123"
    yield base, seen
    server.shutdown()
    server.server_close()


def test_an_mms_picture_is_fetched_with_the_account_credentials_and_kept_as_a_photo(
    client, city, media_server, settings
):
    base, seen = media_server
    settings.TWILIO_AUTH_TOKEN = ""  # authenticate the webhook by secret; fetch with SID:token
    sr = submit(city)
    url = f"{base}/2010-04-01/Accounts/AC123/Messages/MM1/Media/ME1"
    text(client, "Photo attached", sid="SM400", NumMedia="1", MediaUrl0=url)
    assert sr.photos.count() == 1
    assert comments(sr)[0].data["photos"] == [str(sr.photos.get().uuid)]
    assert len(seen) == 1


def test_media_is_sent_with_basic_auth_when_credentials_are_set(media_server, settings):
    base, seen = media_server
    settings.TWILIO_AUTH_TOKEN = "secret-token"
    attachment = sms_media_fetch(url=f"{base}/Media/ME2")
    assert attachment is not None and attachment.content_type == "image/jpeg"
    assert seen == ["Basic " + base64.b64encode(b"AC123:secret-token").decode()]


def test_media_outside_the_provider_is_never_fetched(media_server):
    _base, seen = media_server
    assert sms_media_fetch(url="http://169.254.169.254/latest/meta-data") is None
    assert seen == []


def test_a_no_problem_found_closure_is_reopened_by_a_text_reply(client, city, staff):
    from tests.factories import ClosureReasonFactory

    sr = submit(city)
    request_route(request=sr, department=city.streets)
    npf = ClosureReasonFactory(code="no_problem_found", name="No problem found")
    request_resolve(request=sr, actor=staff.agent, closure_reason=npf)
    text(client, "It is still there, by the bus stop", sid="SM500")
    sr.refresh_from_db()
    assert sr.status == Status.IN_QUEUE
    assert len(comments(sr)) == 1

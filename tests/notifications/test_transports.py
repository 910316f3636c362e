"""Transports: email through Django's mailers with the right headers, SMS through Twilio's REST
API (against a fake server on 127.0.0.1, never the internet), a file or the console, and every
provider answer sorted into "try again later" or "never again"."""

from __future__ import annotations

import base64
import io
import json
import smtplib
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.urls import include, path

from notifications import transports
from notifications.models import OutboxMessage, RequestSubscription
from notifications.replyto import reply_address_parse
from notifications.transports import (
    EmailTransport,
    FileSmsTransport,
    PermanentSendError,
    TransientSendError,
    TwilioSmsTransport,
    sms_transport,
)


def email_message(**kwargs) -> OutboxMessage:
    fields = {
        "pk": 41,
        "channel": "email",
        "recipient": "rosa@example.com",
        "template": "status_in_progress",
        "language": "en",
        "subject": "Your report is in progress",
        "body_text": "A crew is on it.",
        "body_html": "<p>A crew is on it.</p>",
        **kwargs,
    }
    return OutboxMessage(**fields)


def sms_message(**kwargs) -> OutboxMessage:
    fields = {
        "pk": 42,
        "channel": "sms",
        "recipient": "+14155550134",
        "template": "received",
        "language": "en",
        "body_text": "We got your report 311-ABC. Track it: http://testserver/r/311-ABC",
        **kwargs,
    }
    return OutboxMessage(**fields)


# --- Email -----------------------------------------------------------------------------------


def unsubscribe_view(request, token):  # pragma: no cover - only reversed
    raise AssertionError


unsubscribe_urls = (
    [path("unsubscribe/<str:token>/", unsubscribe_view, name="unsubscribe")],
    "notifications",
)
urlpatterns = [path("", include(unsubscribe_urls))]


def test_an_email_goes_out_as_text_and_html_with_a_stable_message_id():
    provider_id = EmailTransport().send(email_message())
    sent = mail.outbox[-1]
    assert sent.to == ["rosa@example.com"]
    assert sent.subject == "Your report is in progress"
    assert sent.body == "A crew is on it."
    assert sent.alternatives[0].mimetype == "text/html"
    assert sent.message()["Message-ID"] == "<outbox-41@civic311.example>"
    assert provider_id == "<outbox-41@civic311.example>"


def test_a_residents_update_can_be_answered_by_email(settings):
    EmailTransport().send(email_message(request_id=7))
    (reply_to,) = mail.outbox[-1].reply_to
    assert reply_address_parse(reply_to) == 7


def test_a_staff_alert_has_no_reply_to_the_request():
    EmailTransport().send(email_message(request_id=7, user_id=3))
    assert mail.outbox[-1].reply_to == []


def test_a_subscribers_email_carries_one_click_unsubscribe(settings):
    settings.ROOT_URLCONF = __name__
    message = email_message(request_id=7)
    message.subscription = RequestSubscription(token="tok-123")
    EmailTransport().send(message)
    headers = mail.outbox[-1].message()
    assert headers["List-Unsubscribe"] == "<http://testserver/unsubscribe/tok-123/>"
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_an_email_without_a_subscription_has_no_unsubscribe_header():
    EmailTransport().send(email_message())
    assert "List-Unsubscribe" not in mail.outbox[-1].extra_headers


def test_a_malformed_address_is_a_permanent_failure():
    with pytest.raises(PermanentSendError):
        EmailTransport().send(email_message(recipient="not an address"))
    assert mail.outbox == []


def failing_send(monkeypatch, exc: Exception) -> None:
    def send(self, fail_silently=False):
        raise exc

    monkeypatch.setattr(EmailMultiAlternatives, "send", send)


@pytest.mark.parametrize(
    ("exc", "expected", "opt_out"),
    [
        (
            smtplib.SMTPRecipientsRefused({"rosa@example.com": (550, b"No such user")}),
            PermanentSendError,
            True,
        ),
        (
            smtplib.SMTPRecipientsRefused({"rosa@example.com": (450, b"Mailbox busy")}),
            TransientSendError,
            None,
        ),
        (smtplib.SMTPDataError(554, b"Message rejected"), PermanentSendError, False),
        (smtplib.SMTPDataError(451, b"Try later"), TransientSendError, None),
        (smtplib.SMTPAuthenticationError(535, b"Bad credentials"), TransientSendError, None),
        (smtplib.SMTPServerDisconnected("gone"), TransientSendError, None),
        (ConnectionRefusedError(111, "Connection refused"), TransientSendError, None),
        (TimeoutError("timed out"), TransientSendError, None),
    ],
)
def test_smtp_answers_are_sorted_into_permanent_and_transient(monkeypatch, exc, expected, opt_out):
    failing_send(monkeypatch, exc)
    with pytest.raises(expected) as raised:
        EmailTransport().send(email_message())
    if opt_out is not None:
        assert raised.value.opt_out is opt_out


def test_an_esp_refusing_the_recipient_is_permanent(monkeypatch):
    # django-anymail's exception, matched by name because anymail is optional.
    refused = type("AnymailRecipientsRefused", (Exception,), {})
    failing_send(monkeypatch, refused("bounced"))
    with pytest.raises(PermanentSendError) as raised:
        EmailTransport().send(email_message())
    assert raised.value.opt_out is True


# --- Twilio, against a fake server -------------------------------------------------------------


class FakeTwilio:
    """A local HTTP server that answers like Twilio's Messages endpoint and records requests."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.status = 201
        self.payload: dict = {"sid": "SM0123456789abcdef", "status": "queued"}
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                fake.requests.append(
                    {
                        "path": self.path,
                        "auth": self.headers.get("Authorization", ""),
                        "form": urllib.parse.parse_qs(self.rfile.read(length).decode()),
                    }
                )
                body = json.dumps(fake.payload).encode()
                self.send_response(fake.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, status: int, payload: dict) -> None:
        self.status, self.payload = status, payload

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def twilio(settings):
    fake = FakeTwilio()
    settings.TWILIO_API_BASE = fake.url
    settings.TWILIO_ACCOUNT_SID = "AC123"
    settings.TWILIO_AUTH_TOKEN = "secret-token"
    settings.TWILIO_FROM_NUMBER = "+14155550100"
    settings.SMS_TRANSPORT = "twilio"
    yield fake
    fake.close()


def test_twilio_gets_one_form_post_with_basic_auth(twilio):
    provider_id = sms_transport().send(sms_message())
    assert provider_id == "SM0123456789abcdef"
    (request,) = twilio.requests
    assert request["path"] == "/2010-04-01/Accounts/AC123/Messages.json"
    assert request["auth"] == "Basic " + base64.b64encode(b"AC123:secret-token").decode()
    assert request["form"] == {
        "To": ["+14155550134"],
        "From": ["+14155550100"],
        "Body": ["We got your report 311-ABC. Track it: http://testserver/r/311-ABC"],
    }


@pytest.mark.parametrize(
    ("status", "code", "expected", "opt_out"),
    [
        (400, 21211, PermanentSendError, True),  # invalid 'To' number
        (400, 21614, PermanentSendError, True),  # not a mobile number
        (400, 21610, PermanentSendError, True),  # recipient replied STOP
        (400, 21602, PermanentSendError, False),  # body required: retrying cannot help
        (429, 20429, TransientSendError, None),
        (500, 20500, TransientSendError, None),
        (503, None, TransientSendError, None),
        (401, 20003, TransientSendError, None),  # our credentials: fixable, then it delivers
    ],
)
def test_twilio_errors_are_sorted_into_permanent_and_transient(
    twilio, status, code, expected, opt_out
):
    twilio.answer(status, {"code": code, "message": "nope", "status": status})
    with pytest.raises(expected) as raised:
        sms_transport().send(sms_message())
    if opt_out is not None:
        assert raised.value.opt_out is opt_out
    if code:
        assert str(code) in str(raised.value)


def test_twilio_unreachable_is_transient(twilio):
    twilio.close()
    with pytest.raises(TransientSendError):
        sms_transport().send(sms_message())


def test_twilio_without_credentials_is_not_attempted(settings):
    settings.TWILIO_ACCOUNT_SID = ""
    with pytest.raises(TransientSendError, match="not configured"):
        TwilioSmsTransport().send(sms_message())


# --- Development transports ----------------------------------------------------------------------


def test_the_file_transport_writes_one_file_per_message(settings, tmp_path):
    settings.SMS_TRANSPORT = "file"
    settings.SMS_FILE_PATH = str(tmp_path / "sms")
    transport = sms_transport()
    assert isinstance(transport, FileSmsTransport)
    transport.send(sms_message(pk=1))
    transport.send(sms_message(pk=2, body_text="Second"))
    files = sorted((tmp_path / "sms").iterdir())
    assert len(files) == 2
    text = files[0].read_text()
    assert "To: +14155550134" in text and "Track it: http://testserver/r/311-ABC" in text


def test_the_console_transport_prints_the_message():
    stream = io.StringIO()
    transports.ConsoleSmsTransport(stream).send(sms_message())
    assert "SMS to +14155550134" in stream.getvalue()
    assert "We got your report 311-ABC" in stream.getvalue()


def test_tests_collect_sms_in_memory():
    transports.outbox.clear()
    sms_transport().send(sms_message())
    assert [s.to for s in transports.outbox] == ["+14155550134"]


def test_an_unknown_sms_transport_is_a_configuration_error(settings):
    settings.SMS_TRANSPORT = "carrier-pigeon"
    with pytest.raises(ValueError, match="carrier-pigeon"):
        sms_transport()

"""Two-way messaging end to end in a phone-sized browser: a neighbour follows a request and
confirms by link, staff comment publicly and both hear about it, the reporter answers by replying
to the update email (posted to the inbound endpoint as a mail relay would), the reply lands on the
request for staff (not on the public page), and after resolution the reporter answers the
survey."""

from __future__ import annotations

import re
from datetime import timedelta
from email.message import EmailMessage

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from notifications.models import OutboxMessage, Survey
from notifications.replyto import reply_address_make
from notifications.surveys import surveys_due_send
from requests_app.models import RequestEvent
from requests_app.services import contact_confirm, request_comment, request_resolve
from tests.notifications.staff_helpers import routed_request

pytestmark = pytest.mark.browser


def _link(body: str, path: str) -> str:
    return re.search(rf"http://testserver({path}\S+/)", body)[1]


def test_follow_then_reply_by_email_then_answer_the_survey(
    phone_page, live_server, city, staff, assert_accessible, settings
):
    page = phone_page
    # Rosa, the reporter, confirmed her email from an earlier receipt: since issue 10 an
    # unconfirmed contact hears nothing but the receipt (tests/requests_app/test_intake_limits.py).
    contact_confirm(channel="email", address="rosa@example.com")
    sr, _routed = routed_request(city)

    # A neighbour follows from the public tracker and confirms (double opt-in).
    page.goto(live_server.url + sr.get_absolute_url())
    page.get_by_label("Email address or mobile number").fill("neighbour@example.com")
    page.locator("#follow").get_by_role("button", name="Follow this request").click()
    expect(page.get_by_test_id("follow-sent")).to_contain_text("we sent you a link")
    confirm = OutboxMessage.objects.get(template="follow_confirm")
    page.goto(live_server.url + _link(confirm.body_text, "/follow/confirm/"))
    page.get_by_role("button", name="Confirm: send me its updates").click()
    expect(page.get_by_test_id("follow-confirmed")).to_be_visible()

    # Staff write publicly: the reporter and the follower each get one email about it.
    comment = request_comment(
        request=sr, actor=staff.agent, message="A crew is booked for Thursday.", public=True
    )
    update_recipients = sorted(
        OutboxMessage.objects.filter(event=comment).values_list("recipient", flat=True)
    )
    assert update_recipients == ["neighbour@example.com", "rosa@example.com"]

    # The reporter replies to that email; the relay posts it to the inbound endpoint.
    reply = EmailMessage()
    reply["From"] = "Rosa <rosa@example.com>"
    reply["To"] = reply_address_make(request_id=sr.pk)
    reply["Subject"] = f"Re: Update on {sr.tracking_number}"
    reply["Message-ID"] = "<reply-1@example.com>"
    reply.set_content(
        "Thursday works. The hole is now two lanes wide.\n\n"
        "On Mon, 23 Nov 2026, 311 wrote:\n> A crew is booked for Thursday.\n"
    )
    answer = page.request.post(
        f"{live_server.url}/inbound/email/?token={settings.INBOUND_SECRET}",
        data=reply.as_bytes(),
        headers={"Content-Type": "message/rfc822"},
    )
    assert answer.ok and answer.json()["outcome"] == "threaded"
    assert sr.events.filter(
        type=RequestEvent.Type.RESIDENT_COMMENT, message__contains="two lanes wide"
    ).exists()

    reply_event = sr.events.get(type=RequestEvent.Type.RESIDENT_COMMENT)
    assert reply_event.message == "Thursday works. The hole is now two lanes wide."
    # Emails carry signatures: the reply is for staff, never on the public tracker.
    assert not reply_event.public
    page.goto(live_server.url + sr.get_absolute_url())
    expect(page.locator("main")).to_contain_text("A crew is booked for Thursday.")
    html = page.content()
    assert "two lanes wide" not in html and "rosa@example.com" not in html

    # Resolved: a day later the survey link arrives (issue 12: the survey sweep sends it after
    # the delay); the reporter says it is fixed and is satisfied.
    request_resolve(request=sr, actor=staff.agent, closure_reason=city.repaired)
    surveys_due_send(now=timezone.now() + timedelta(days=2))
    survey_mail = OutboxMessage.objects.get(template="survey", recipient="rosa@example.com")
    page.goto(live_server.url + _link(survey_mail.body_text, "/survey/"))
    page.get_by_label("Yes, it is fixed").check()
    page.get_by_label("5 · Very satisfied").check()
    page.get_by_role("button", name=re.compile("Send")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thank you")
    assert_accessible(page, "the survey thank-you page")
    survey = Survey.objects.get(request=sr)
    assert (survey.fixed, survey.satisfaction) == (True, 5)

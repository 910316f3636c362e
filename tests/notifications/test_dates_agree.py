"""Issue 12: the confirmation page, the receipt email and the receipt text state the same expected
day, the city's, even when the report is filed in the evening, when the day in UTC (the worker's
clock) is already the next one."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail

from notifications.models import Channel, MessageTemplate, OutboxMessage
from notifications.rendering import message_render
from requests_app.models import ServiceRequest
from tests.requests_app.test_report_view import URL, form_data

pytestmark = pytest.mark.django_db

SF = ZoneInfo("America/Los_Angeles")
# Monday evening in San Francisco, already Tuesday in UTC (and the due time lands the same way).
MONDAY_EVENING = datetime(2026, 12, 14, 18, 30, tzinfo=SF)

DAY_EN = re.compile(r"(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday) \d+ \w+ \d{4}")
DAY_ES = re.compile(r"(lunes|martes|miércoles|jueves|viernes|sábado|domingo) \d+ de \w+ de \d{4}")


def _file(client, django_capture_on_commit_callbacks, **overrides) -> tuple[ServiceRequest, str]:
    # The pages in the language the report is filed in (the messages follow the form's choice).
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = overrides.get("language", "en")
    with (
        time_machine.travel(MONDAY_EVENING, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        page = client.post(URL, form_data(**overrides), follow=True).content.decode()
    sr = ServiceRequest.objects.get(reporter_email=overrides.get("email", "rosa@example.com"))
    expected = re.search(r'data-testid="expected">.*?<strong>(.*?)</strong>', page)
    assert expected, "the confirmation page states an expected date"
    return sr, expected.group(1)


@pytest.mark.parametrize(("lang", "pattern"), [("en", DAY_EN), ("es", DAY_ES)])
def test_the_page_the_email_and_the_text_state_the_same_expected_day(
    client, city, django_capture_on_commit_callbacks, lang, pattern
):
    by_email, on_page = _file(client, django_capture_on_commit_callbacks, city=city, language=lang)
    local_day = by_email.expected_at.astimezone(SF).date()
    # The case the issue is about: the UTC day is not the city's.
    assert by_email.expected_at.date() != local_day
    assert pattern.fullmatch(on_page)
    assert f" {local_day.day} " in f" {on_page} "

    email = OutboxMessage.objects.get(channel=Channel.EMAIL, request=by_email)
    assert on_page in email.body_text and on_page in email.body_html
    assert on_page in mail.outbox[0].body

    by_text, on_page_too = _file(
        client,
        django_capture_on_commit_callbacks,
        city=city,
        language=lang,
        contact_method="sms",
        email="",
    )
    assert on_page_too == on_page
    text = OutboxMessage.objects.get(channel=Channel.SMS, request=by_text).body_text
    # Texts drop Spanish accents when that keeps them to the cheaper alphabet (notifications.sms).
    plain = on_page.translate(str.maketrans("áíóú", "aiou"))
    assert on_page in text or plain in text, text


def test_the_spanish_email_says_el_miercoles_in_lower_case(
    client, city, django_capture_on_commit_callbacks
):
    sr, on_page = _file(client, django_capture_on_commit_callbacks, city=city, language="es")
    assert on_page == on_page.lower()
    assert f"el <strong>{on_page}</strong>" in client.get(sr.get_absolute_url()).content.decode()


def test_an_admins_template_that_uses_the_date_filter_prints_the_citys_day(city):
    """An admin's own receipt may write `|date`: rendered by a worker in UTC it must still show
    the city's day, not the next one."""
    MessageTemplate.objects.create(
        kind="received",
        channel=Channel.SMS,
        language="en",
        body_text="Expected {{ request.expected_at|date:'l j F' }}",
    )
    evening = ServiceRequest(expected_at=datetime(2026, 12, 16, 19, 0, tzinfo=SF))
    rendered = message_render(
        kind="received", channel=Channel.SMS, language="en", context={"request": evening}
    )
    assert rendered.text == "Expected Wednesday 16 December"

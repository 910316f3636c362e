"""Bad input from anywhere never gives a 500 and never loses a report: NUL and other control
characters are cleaned out of every string coming in, and numbers and dates are bounded with a
clear message where forms and selectors read them."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from notifications.models import InboundMessage
from notifications.replyto import reply_address_make
from requests_app.models import RequestEvent, ServiceRequest
from requests_app.services import request_route
from tests.images import upload
from tests.notifications.test_inbound_email import SECRET, raw_reply
from tests.requests_app.helpers import submit
from tests.requests_app.test_report_view import form_data

pytestmark = pytest.mark.django_db
REPORT = reverse("requests_app:report")


@pytest.fixture
def quiet_client() -> Client:
    return Client(raise_request_exception=False)


@pytest.fixture
def sr(city):
    return submit(city)


def test_a_far_future_datetime_answer_is_refused_at_review_with_a_clear_message(client, city):
    response = client.post(REPORT, form_data(city, action="review", q_noticed="9999-12-31T23:59"))
    assert response.status_code == 422
    assert "Enter a date between 2000 and 2100." in response.content.decode()


def test_a_datetime_that_passes_review_submits(client, city):
    data = form_data(city, q_noticed="2099-12-31T23:59")
    assert client.post(REPORT, {**data, "action": "review"}).status_code == 200
    response = client.post(REPORT, data)
    assert response.status_code == 302
    assert ServiceRequest.objects.count() == 1


def test_an_ancient_datetime_answer_is_refused_not_a_500(quiet_client, city):
    response = quiet_client.post(REPORT, form_data(city, q_noticed="0001-01-01T00:00"))
    assert response.status_code == 422
    assert ServiceRequest.objects.count() == 0


def test_a_huge_number_answer_is_refused_with_a_clear_message(quiet_client, city):
    response = quiet_client.post(REPORT, form_data(city, q_size="9" * 40))
    assert response.status_code == 422
    assert ServiceRequest.objects.count() == 0


@pytest.mark.parametrize(
    "path",
    [
        "/report/categories/?q=pot%00hole",
        "/report/?category=1%00",
        "/requests/find/?q=26%0011",
        "/requests/?category=%00&neighbourhood=%00&status=%00",
        "/dev/mailbox/?to=%00&channel=%00",
    ],
)
def test_a_nul_in_the_query_string_is_not_a_500(quiet_client, city, path):
    assert quiet_client.get(path).status_code < 500


def test_a_nul_on_the_tracker_private_link_and_token_pages_is_not_a_500(quiet_client, sr):
    for path in (
        f"/requests/{sr.tracking_number}%00/",
        f"/requests/{sr.tracking_number}/?x=%00",
        f"/requests/private/{sr.private_token}%00/",
        "/follow/confirm/abc%00/",
        "/unsubscribe/abc%00/",
        "/survey/abc%00/?outcome=%00",
        f"/requests/{sr.tracking_number}/follow/?sent=%00",
    ):
        assert quiet_client.get(path).status_code < 500, path


def test_a_nul_in_a_cookie_or_header_is_not_a_500(quiet_client, city):
    quiet_client.cookies["django_language"] = "es\x00"
    response = quiet_client.get("/report/", HTTP_ACCEPT_LANGUAGE="es\x00", HTTP_X_FOO="\x00")
    assert response.status_code == 200


def test_a_nul_in_a_staff_url_is_not_a_500(quiet_client, staff, queued):
    quiet_client.force_login(staff.agent)
    for path in (
        f"/staff/requests/{queued.tracking_number}%00/",
        f"/staff/requests/{queued.tracking_number}/?tab=%00",
        "/staff/?q=%00&assignee=%00",
    ):
        assert quiet_client.get(path).status_code < 500, path


def test_a_nul_in_a_posted_description_is_cleaned_and_the_report_filed(client, city):
    response = client.post(REPORT, form_data(city, description="Deep\x00 hole\x07 here"))
    assert response.status_code == 302
    assert ServiceRequest.objects.get().description == "Deep hole here"


def test_a_huge_public_page_number_is_not_a_500(quiet_client, city):
    response = quiet_client.get("/requests/?page=99999999999999999999")
    assert response.status_code == 200


def test_a_huge_staff_page_number_is_not_a_500(quiet_client, staff, queued):
    quiet_client.force_login(staff.agent)
    assert quiet_client.get("/staff/?page=99999999999999999999").status_code == 200


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_an_out_of_range_queue_date_filter_is_not_a_500(quiet_client, staff, queued, day):
    quiet_client.force_login(staff.agent)
    for param in ("created_from", "created_to"):
        response = quiet_client.get(f"/staff/?{param}={day}")
        assert response.status_code == 200, param


def test_an_inbound_email_with_a_nul_is_threaded_and_logged(quiet_client, city):
    sr = submit(city)
    raw = raw_reply(to=reply_address_make(request_id=sr.pk), text="Bigger\x00 now.")
    response = quiet_client.post(
        f"/inbound/email/?token={SECRET}", data=raw, content_type="message/rfc822"
    )
    assert response.status_code == 200
    assert response.json()["outcome"] == "threaded"
    assert InboundMessage.objects.count() == 1
    comment = RequestEvent.objects.get(request=sr, type=RequestEvent.Type.RESIDENT_COMMENT)
    assert "\x00" not in comment.message and "Bigger" in comment.message


def test_an_inbound_email_form_post_with_a_nul_is_logged(quiet_client, city):
    sr = submit(city)
    response = quiet_client.post(
        f"/inbound/email/?token={SECRET}",
        {
            "sender": "rosa@example.com\x00",
            "recipient": reply_address_make(request_id=sr.pk),
            "subject": "Re:\x00 update",
            "body-plain": "Still\x00 there.",
        },
    )
    assert response.status_code == 200
    assert InboundMessage.objects.count() == 1


def test_an_inbound_sms_with_a_nul_is_answered_and_logged(quiet_client, city):
    sr = submit(city)
    request_route(request=sr, department=city.streets)
    response = quiet_client.post(
        "/inbound/sms/?token=test-inbound-secret",
        {
            "From": "+14155550134",
            "To": "+14155550100",
            "Body": "hole\x00 bigger",
            "NumMedia": "0",
            "MessageSid": "SM" + uuid.uuid4().hex,
        },
    )
    assert response.status_code == 200
    assert InboundMessage.objects.count() == 1


def test_a_dev_mailbox_form_with_a_bare_word_for_next_goes_back_to_the_mailbox(quiet_client, staff):
    quiet_client.force_login(staff.city_admin)  # the mailbox is for city admins only
    response = quiet_client.post("/dev/mailbox/sms/", {"phone": "", "body": "", "next": "on"})
    assert response.status_code == 302
    assert response["Location"] == reverse("notifications:dev_mailbox")


def test_a_huge_version_on_a_staff_action_is_refused_not_a_500(quiet_client, staff, queued):
    # A regression guard (this one already held): the version no row can have is a conflict.
    quiet_client.force_login(staff.agent)
    url = reverse("staff:action", args=[queued.tracking_number, "note"])
    response = quiet_client.post(url, {"version": "9" * 30, "message": "Checked."})
    assert response.status_code in (409, 422)
    assert RequestEvent.objects.filter(request=queued, type="note").count() == 0


@pytest.mark.parametrize("at", ["9999-12-31 23:59", "0001-01-01 00:00"])
def test_the_routing_dry_run_refuses_an_out_of_range_time(quiet_client, superuser_client, city, at):
    response = superuser_client.get(
        reverse("admin:routing_routingrule_dry_run"),
        {"category": city.pothole.pk, "latitude": "37.76", "longitude": "-122.44", "at": at},
    )
    assert response.status_code == 200
    assert "Enter a date between 2000 and 2100." in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/routing/crewzone/add/?area=abc&team=%00&member=x",
        "/admin/notifications/staffpreference/add/?user=abc",
    ],
)
def test_an_admin_add_form_with_junk_initial_keys_is_not_a_500(superuser_client, city, url):
    superuser_client.raise_request_exception = False
    assert superuser_client.get(url).status_code < 500


def test_a_refused_admin_post_with_junk_keys_is_not_a_500(superuser_client, city):
    superuser_client.raise_request_exception = False
    response = superuser_client.post(
        "/admin/routing/crewzone/add/", {"team": "user:1", "area": "abc", "member": "x"}
    )
    assert response.status_code == 200  # the form again, with its errors


def test_a_photo_whose_file_name_has_control_characters_is_still_attached(client, city):
    # A guard: upload names go through the same cleaning as every other string.
    response = client.post(
        REPORT, form_data(city, photos=[upload("pot\x00hole\x07.jpg")], description="Deep hole")
    )
    assert response.status_code == 302
    assert ServiceRequest.objects.get().photos.count() == 1


def test_an_out_of_range_queue_date_says_so_next_to_the_field(client, staff, queued):
    client.force_login(staff.agent)
    page = client.get("/staff/", {"created_from": "0001-01-01"}).content.decode()
    assert 'id="f-from-error"' in page and "Enter a date between 2000 and 2100." in page
    assert 'aria-describedby="f-from-error"' in page
    assert queued.tracking_number in page  # the other filters (none) still apply


@pytest.mark.parametrize("target", ["27323", "on", "//evil.example/", "https://evil.example/"])
def test_the_two_factor_pages_send_an_odd_next_back_to_the_staff_pages(quiet_client, staff, target):
    # Found by the fuzzer: a bare word was taken for a view name and failed to reverse (a 500).
    quiet_client.force_login(staff.agent)
    response = quiet_client.get("/staff/two-factor/", {"next": target})
    assert response.status_code == 302
    assert response["Location"] == "/staff/"

"""The staff member's notification settings page: who gets in, what it shows, what it saves and
how it refuses bad input (keeping what was typed)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from notifications.models import StaffPreference

pytestmark = pytest.mark.django_db
URL = reverse("notifications:staff_preferences")
VALID = {
    "new_in_department": "immediate",
    "assigned_to_me": "digest",
    "resident_replied": "off",
    "escalations": "immediate",
    "digest_times": "17:30, 8:00",
    "language": "es",
}


def test_the_page_lives_under_staff():
    assert URL == "/staff/notifications/"


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("staff:login") in response["Location"]


def test_someone_who_is_not_staff_is_refused(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("resident", password="pw"))
    assert client.get(URL).status_code == 403
    assert client.post(URL, VALID).status_code == 403
    assert not StaffPreference.objects.exists()


def test_staff_see_their_current_settings(client, staff):
    client.force_login(staff.agent)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "My notifications" in html
    # The defaults: new requests in a digest at 08:00, the rest immediately.
    assert _checked(html, "new_in_department", "digest")
    assert _checked(html, "assigned_to_me", "immediate")
    assert 'value="08:00"' in html


def _checked(html: str, name: str, value: str) -> bool:
    import re

    tag = re.search(rf'<input type="radio" name="{name}" value="{value}"[^>]*>', html)
    return tag is not None and "checked" in tag.group(0)


def test_the_staff_navigation_links_to_the_page(client, staff):
    client.force_login(staff.agent)
    assert f'href="{URL}"' in client.get(reverse("staff:queue")).content.decode()


def test_saving_stores_the_choices_and_tidies_the_times(client, staff):
    client.force_login(staff.agent)
    response = client.post(URL, VALID, follow=True)
    assert response.redirect_chain == [(URL, 302)]
    assert "Your notification settings are saved." in response.content.decode()
    preference = StaffPreference.objects.get(user=staff.agent)
    assert (
        preference.new_in_department,
        preference.assigned_to_me,
        preference.resident_replied,
        preference.escalations,
        preference.digest_times,
        preference.language,
    ) == ("immediate", "digest", "off", "immediate", "08:00,17:30", "es")


@pytest.mark.parametrize("bad", ["8am", "25:00", "08:00, 12:75", "noon"])
def test_a_time_that_is_not_a_time_is_refused_and_the_input_kept(client, staff, bad):
    client.force_login(staff.agent)
    response = client.post(URL, {**VALID, "digest_times": bad})
    assert response.status_code == 422
    html = response.content.decode()
    assert "is not a time" in html
    assert 'class="error-summary"' in html
    assert f'value="{bad}"' in html
    assert _checked(html, "resident_replied", "off")  # the other choices are kept too
    assert StaffPreference.objects.get(user=staff.agent).digest_times == "08:00"


def test_a_digest_needs_at_least_one_time(client, staff):
    client.force_login(staff.agent)
    response = client.post(URL, {**VALID, "digest_times": ""})
    assert response.status_code == 422
    assert "Choose at least one digest time" in response.content.decode()


def test_no_times_are_needed_when_nothing_goes_to_a_digest(client, staff):
    client.force_login(staff.agent)
    data = {**VALID, "assigned_to_me": "immediate", "digest_times": ""}
    assert client.post(URL, data).status_code == 302
    # The old times are kept for when a digest is wanted again.
    assert StaffPreference.objects.get(user=staff.agent).digest_times == "08:00"


def test_too_many_times_are_refused(client, staff):
    client.force_login(staff.agent)
    times = ", ".join(f"{h:02d}:00" for h in range(9))
    response = client.post(URL, {**VALID, "digest_times": times})
    assert response.status_code == 422
    assert "at most 8 digest times" in response.content.decode()


def test_an_unknown_choice_is_refused(client, staff):
    client.force_login(staff.agent)
    response = client.post(URL, {**VALID, "escalations": "sometimes"})
    assert response.status_code == 422
    assert StaffPreference.objects.get(user=staff.agent).escalations == "immediate"


def test_staff_without_an_email_address_are_warned(client, staff):
    client.force_login(staff.agent)
    assert "has no email address" in client.get(URL).content.decode()
    staff.agent.email = "alex@city.example"
    staff.agent.save()
    assert "has no email address" not in client.get(URL).content.decode()

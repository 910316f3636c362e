"""Issue 12 on the report forms: the contact section marked "(optional)" is optional (left alone,
the report is anonymous and accepted), and a text over its limit is never cut by the browser:
the box shows a count, and the server says in plain words how long it is and what is allowed."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from requests_app.forms import ReportForm
from requests_app.models import ContactMethod, ServiceRequest
from tests.requests_app.test_report_view import URL, form_data

pytestmark = pytest.mark.django_db
UNTOUCHED = {"name": None, "email": None, "phone": None, "contact_method": None}


def _radios(html: str, name: str) -> list[str]:
    return re.findall(rf'<input type="radio" name="{name}"[^>]*>', html)


def test_no_way_of_contact_is_chosen_before_the_resident_chooses(client, city):
    page = client.get(URL).content.decode()
    radios = _radios(page, "contact_method")
    assert len(radios) == len(ContactMethod.choices)
    assert not any("checked" in r for r in radios)


def test_leaving_the_contact_section_alone_files_an_anonymous_report(client, city):
    response = client.post(URL, form_data(city, **UNTOUCHED))
    assert response.status_code == 302, response.content.decode()[:3000]
    sr = ServiceRequest.objects.get()
    assert sr.anonymous
    assert sr.contact_method == ContactMethod.NONE
    assert (sr.reporter_name, sr.reporter_email, str(sr.reporter_phone or "")) == ("", "", "")


def test_the_review_step_accepts_it_too(client, city):
    response = client.post(URL, form_data(city, action="review", **UNTOUCHED))
    assert response.status_code == 200
    assert "another way to hear from us" not in response.content.decode()


def test_an_email_typed_without_choosing_is_how_we_reply(client, city):
    client.post(URL, form_data(city, **{**UNTOUCHED, "email": "Ana@Example.com"}))
    sr = ServiceRequest.objects.get()
    assert (sr.contact_method, sr.reporter_email, sr.anonymous) == (
        "email",
        "Ana@Example.com",
        False,
    )


def test_a_phone_typed_without_choosing_gets_text_messages(client, city):
    client.post(URL, form_data(city, **{**UNTOUCHED, "phone": "(415) 555-0134"}))
    sr = ServiceRequest.objects.get()
    assert sr.contact_method == ContactMethod.SMS and str(sr.reporter_phone) == "+14155550134"


def test_choosing_email_and_leaving_it_empty_still_asks_for_it(client, city):
    response = client.post(URL, form_data(city, **{**UNTOUCHED, "contact_method": "email"}))
    assert response.status_code == 422
    assert "Enter your email address, or choose another way" in response.content.decode()
    assert not ServiceRequest.objects.exists()


def test_the_operator_files_a_caller_who_leaves_no_details(client, city, staff):
    client.force_login(staff.operator)
    data = form_data(city, **UNTOUCHED)
    data["channel"] = "phone"
    response = client.post(reverse("staff:intake"), data)
    assert response.status_code in (302, 303), response.content.decode()[:3000]
    sr = ServiceRequest.objects.get()
    assert sr.anonymous and sr.contact_method == ContactMethod.NONE


def test_the_operators_caller_with_only_a_phone_is_called_back(client, city, staff):
    client.force_login(staff.operator)
    data = form_data(city, **{**UNTOUCHED, "phone": "(415) 555-0134"})
    data["channel"] = "phone"
    client.post(reverse("staff:intake"), data)
    assert ServiceRequest.objects.get().contact_method == ContactMethod.PHONE


# --- Text limits --------------------------------------------------------------------------------


def test_the_description_box_shows_its_limit_and_cuts_nothing(client, city):
    page = client.get(URL).content.decode()
    box = re.search(r'<textarea name="description"[^>]*>', page).group(0)
    assert "maxlength" not in box
    assert f'data-max-chars="{settings.DESCRIPTION_MAX_LENGTH}"' in box
    assert 'data-chars-over="Characters over the limit: %s"' in box


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", "This text is 5000 characters long and the limit is 4000."),
        ("es", "Este texto tiene 5000 caracteres y el límite es 4000."),
    ],
)
def test_a_long_description_is_refused_in_plain_words_and_kept(client, city, language, words):
    client.cookies["django_language"] = language
    long = "x" * 5000
    response = client.post(URL, form_data(city, description=long))
    assert response.status_code == 422
    html = response.content.decode()
    assert words in html
    assert "Ensure this value" not in html
    assert long in html  # nothing cut: they shorten it themselves
    assert not ServiceRequest.objects.exists()


def test_staff_and_resident_text_boxes_all_show_a_count_rather_than_cut(client, city, staff):
    from staff.forms import ACTION_FORMS
    from tests.requests_app.helpers import routed

    request = routed(city)
    for form_class in ACTION_FORMS.values():
        form = form_class(service_request=request)
        for name, field in form.fields.items():
            attrs = field.widget.attrs
            if field.widget.__class__.__name__ == "Textarea":
                assert "maxlength" not in attrs, (form_class.action, name)
                assert attrs.get("data-max-chars"), (form_class.action, name)


# --- Fuzz ---------------------------------------------------------------------------------------

WAYS = ["", "email", "sms", "phone", "none", "?"]
JUNK = st.one_of(
    st.none(),
    st.text(max_size=60),
    st.sampled_from(["\x00", "a\x00b", "\u202e@example.com", "x" * 5000, "☎️+1 415", " "]),
)


@hypothesis_settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    name=JUNK,
    email=JUNK,
    phone=JUNK,
    contact_method=st.one_of(
        st.none(), st.sampled_from(["", "email", "sms", "phone", "none", "x"])
    ),
    anonymous=st.sampled_from([None, "on", "\x00"]),
    description=st.one_of(st.text(min_size=1, max_size=50), st.just("y" * 4001)),
)
def test_any_contact_and_description_input_is_a_clear_answer_never_a_500(
    client, city, name, email, phone, contact_method, anonymous, description
):
    data = form_data(
        city,
        name=name,
        email=email,
        phone=phone,
        contact_method=contact_method,
        anonymous=anonymous,
        description=description,
    )
    before = ServiceRequest.objects.count()
    response = client.post(URL, data)
    assert response.status_code in (302, 422, 429), response.status_code
    after = ServiceRequest.objects.count()
    assert after == before + (1 if response.status_code == 302 else 0)
    if response.status_code == 302:
        sr = ServiceRequest.objects.latest("id")
        # What it says it will do, it can do: a way of contact always has its detail.
        if sr.contact_method == ContactMethod.EMAIL:
            assert sr.reporter_email
        if sr.contact_method in (ContactMethod.SMS, ContactMethod.PHONE):
            assert sr.reporter_phone


def test_the_form_class_decides_the_way_from_what_was_typed():
    form = ReportForm()
    data = {"email": "", "phone": None, "contact_method": ""}
    form.cleaned_data = data
    form._errors = {}
    form._clean_contact(data)
    assert data["contact_method"] == ContactMethod.NONE

"""City admins configure everything in Django admin; every page of ours must render."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from requests_app.models import ServiceRequest
from tests.requests_app.helpers import TYPED_TRACKING_NUMBERS, submit, typed

pytestmark = pytest.mark.django_db


def test_every_changelist_and_change_page_renders(superuser_client, city):
    sr = submit(city)
    for model, _model_admin in admin.site._registry.items():
        meta = model._meta
        if meta.app_label not in ("requests_app", "notifications"):
            continue
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert superuser_client.get(url).status_code == 200, url
        obj = model.objects.first()
        if obj is not None:
            change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
            assert superuser_client.get(change).status_code == 200, change
    assert superuser_client.get(reverse("admin:requests_app_category_add")).status_code == 200
    page = superuser_client.get(
        reverse("admin:requests_app_servicerequest_change", args=[sr.pk])
    ).content.decode()
    assert sr.tracking_number in page


def test_requests_cannot_be_added_or_edited_around_the_event_log(superuser_client, city):
    sr = submit(city)
    assert superuser_client.get(reverse("admin:requests_app_servicerequest_add")).status_code == 403
    superuser_client.post(
        reverse("admin:requests_app_servicerequest_change", args=[sr.pk]),
        {"status": "closed", "description": "edited"},
    )
    sr.refresh_from_db()
    assert sr.status != "closed" and sr.description != "edited"
    assert ServiceRequest.objects.count() == 1


def test_staff_without_admin_rights_cannot_open_the_admin(client, django_user_model, city):
    user = django_user_model.objects.create_user("clerk", password="pw", is_staff=False)
    client.force_login(user)
    response = client.get(reverse("admin:requests_app_category_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.parametrize("form", TYPED_TRACKING_NUMBERS)
def test_the_request_search_finds_a_tracking_number_typed_any_way(superuser_client, city, form):
    sr, other = submit(city), submit(city)
    page = superuser_client.get(
        reverse("admin:requests_app_servicerequest_changelist"), {"q": typed(sr, form)}
    ).content.decode()
    assert reverse("admin:requests_app_servicerequest_change", args=[sr.pk]) in page
    assert reverse("admin:requests_app_servicerequest_change", args=[other.pk]) not in page


def test_an_admin_adds_a_places_aliases_and_search_finds_it_by_them(superuser_client, city):
    from requests_app.models import AddressPoint
    from requests_app.selectors import address_search

    data = {
        "label": "Main Library, 100 Larkin St",
        "kind": "place",
        "aliases": "Biblioteca Principal\r\n100 Larkin Street\r\n",
        "location": "SRID=4326;POINT(-122.4159 37.779)",
        "source": "",
    }
    response = superuser_client.post(reverse("admin:requests_app_addresspoint_add"), data)
    assert response.status_code == 302
    point = AddressPoint.objects.get(label="Main Library, 100 Larkin St")
    assert (point.number, point.street) == (100, "LARKIN")
    assert address_search(query="biblioteca principal")[0] == point
    assert address_search(query="100 Larkin St")[0] == point

    # The same label in another spelling is refused with a message, not a server error.
    data["label"] = "MAIN LIBRARY 100 LARKIN STREET"
    again = superuser_client.post(reverse("admin:requests_app_addresspoint_add"), data)
    assert again.status_code == 200
    assert "Another point has this label already." in again.content.decode()
    data["label"] = "\x00 😀 &"
    assert (
        superuser_client.post(reverse("admin:requests_app_addresspoint_add"), data).status_code
        == 200
    )

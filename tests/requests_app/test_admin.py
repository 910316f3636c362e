"""City admins configure everything in Django admin; every page of ours must render."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from requests_app.models import ServiceRequest
from tests.requests_app.helpers import submit

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

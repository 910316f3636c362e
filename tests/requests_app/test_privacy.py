"""Residents' names, emails, phones and photo GPS/EXIF never appear on public pages."""

from __future__ import annotations

import pytest
from django.urls import reverse
from PIL import Image

from requests_app.models import Photo
from requests_app.services import photo_stage
from tests.conftest import INSIDE
from tests.images import jpeg_bytes, upload
from tests.requests_app.helpers import submit

pytestmark = pytest.mark.django_db

PRIVATE = ("Rosa", "Martínez", "rosa@example.com", "555", "0134")


def _public_pages(client, sr) -> list[str]:
    urls = [
        sr.get_absolute_url(),
        reverse("requests_app:browse"),
        reverse("requests_app:browse") + f"?category={sr.category_id}",
        reverse("requests_app:home"),
    ]
    return [client.get(url).content.decode() for url in urls]


def test_no_contact_details_on_any_public_page(client, city):
    sr = submit(city, description="Hole near the school")
    for page in _public_pages(client, sr):
        for secret in PRIVATE:
            assert secret not in page
        assert sr.private_token not in page


def test_public_photos_carry_no_exif_or_gps(client, city):
    import uuid

    photo = photo_stage(
        upload=upload("IMG_1.jpg", jpeg_bytes(gps=INSIDE, camera="Pixel 9 of Rosa")),
        draft_key=uuid.uuid4(),
    )
    sr = submit(city, photos=[photo])
    page = client.get(sr.get_absolute_url()).content.decode()
    assert str(photo.uuid) in page
    for size in ("full", "thumb"):
        response = client.get(reverse("requests_app:photo", args=[photo.uuid, size]))
        data = b"".join(response.streaming_content)
        assert b"Pixel 9" not in data and b"Exif" not in data
        import io

        with Image.open(io.BytesIO(data)) as img:
            assert not img.getexif()


def test_a_hidden_photo_is_not_served_publicly(client, city):
    import uuid

    photo = photo_stage(upload=upload(), draft_key=uuid.uuid4())
    submit(city, photos=[photo])
    Photo.objects.filter(pk=photo.pk).update(public=False)
    assert client.get(reverse("requests_app:photo", args=[photo.uuid, "full"])).status_code == 404


def test_a_hidden_photo_is_shown_only_to_staff_of_the_department(client, city, staff):
    import uuid

    from requests_app.services import request_route

    photo = photo_stage(upload=upload(), draft_key=uuid.uuid4())
    sr = submit(city, photos=[photo])
    request_route(request=sr, department=city.streets)
    Photo.objects.filter(pk=photo.pk).update(public=False)
    url = reverse("requests_app:photo", args=[photo.uuid, "full"])
    client.force_login(staff.parks_agent)
    assert client.get(url).status_code == 404
    client.force_login(staff.agent)
    assert client.get(url).status_code == 200

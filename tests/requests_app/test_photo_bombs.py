"""Decompression bombs and photo floods: a tiny file that claims a huge picture is refused from
its header, before anything is decoded, and one form (or one address) cannot stage photos
without end."""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import uuid
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from PIL import Image

from requests_app.models import IntakeSettings, Photo
from requests_app.photos import HEIC_SUPPORTED, PIXELS_TOO_MANY, photo_process
from tests.images import jpeg_bytes, upload


def png_bomb(width: int, height: int) -> bytes:
    """A valid, all-black PNG of any size, compressed row by row, so a 10,900 px square is a
    few hundred KB on disk and never in the test's memory."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    packer = zlib.compressobj(9)
    row = b"\x00" + bytes(width * 3)
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return png_bomb(10_900, 10_900)


def test_a_tiny_png_of_10900_pixels_square_is_refused_before_decoding(bomb):
    assert len(bomb) < 600_000
    with pytest.raises(ValidationError) as caught:
        photo_process(upload("bomb.png", bomb, "image/png"))
    assert caught.value.code == "too_many_pixels"
    assert "megapixels" in caught.value.messages[0]


def test_the_pixel_budget_is_a_setting(settings):
    settings.PHOTO_MAX_PIXELS = 1_000_000
    with pytest.raises(ValidationError, match="megapixels"):
        photo_process(upload("a.jpg", jpeg_bytes(size=(1200, 1000))))
    assert photo_process(upload("b.jpg", jpeg_bytes(size=(1000, 1000)))).width == 1000


def test_pillow_itself_refuses_what_is_over_the_budget():
    """Anything else that opens an image in this process raises instead of warning."""
    from django.conf import settings

    assert Image.MAX_IMAGE_PIXELS == settings.PHOTO_MAX_PIXELS


@pytest.mark.parametrize("fmt", ["JPEG", "WEBP"])
def test_jpeg_and_webp_over_the_budget_are_refused_too(settings, fmt):
    settings.PHOTO_MAX_PIXELS = 100_000
    data = jpeg_bytes(size=(400, 300), fmt=fmt)
    with pytest.raises(ValidationError, match="megapixels"):
        photo_process(upload(f"a.{fmt.lower()}", data, f"image/{fmt.lower()}"))


@pytest.mark.skipif(not HEIC_SUPPORTED, reason="pillow-heif not installed")
def test_heic_over_the_budget_is_refused(settings):
    from pillow_heif import from_pillow

    settings.PHOTO_MAX_PIXELS = 1000
    buf = io.BytesIO()
    from_pillow(Image.new("RGB", (64, 48))).save(buf, quality=80)
    with pytest.raises(ValidationError, match="megapixels"):
        photo_process(upload("IMG.HEIC", buf.getvalue(), "image/heic"))


def test_the_refusal_is_in_spanish_too():
    from django.utils import translation

    with translation.override("es"):
        translated = translation.gettext(PIXELS_TOO_MANY)
    assert translated != PIXELS_TOO_MANY and "megapíxeles" in translated


MEASURE = """
import resource, sys, django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civic311.settings")
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from requests_app.photos import photo_process
data = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
result = photo_process(SimpleUploadedFile("big", data))
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print((after - before) * 1024, result.width, result.height)
"""


def _peak_bytes_processing(path) -> tuple[int, int, int]:
    out = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", MEASURE, str(path)], capture_output=True, text=True, check=True
    )
    peak, width, height = (int(v) for v in out.stdout.split()[-3:])
    return peak, width, height


def test_a_40_megapixel_jpeg_is_processed_in_little_memory(tmp_path):
    """Decoded at full size it would take 120 MB (and copies of it); drafted at half scale it
    takes a quarter of that."""
    path = tmp_path / "big.jpg"
    Image.new("RGB", (8000, 5000), (90, 140, 200)).save(path, format="JPEG", quality=80)
    peak, width, height = _peak_bytes_processing(path)
    assert (width, height) == (2048, 1280)
    assert peak < 80 * 1024 * 1024, f"{peak / 2**20:.0f} MB"


def test_a_40_megapixel_png_is_processed_without_copies_of_itself(tmp_path):
    """A PNG is decoded whole, but nothing else of its size is made (the old code peaked at
    about 200 MB above its start for this file, the new one at under 50 MB)."""
    path = tmp_path / "big.png"
    path.write_bytes(png_bomb(8000, 5000))
    peak, width, _height = _peak_bytes_processing(path)
    assert width == 2048
    assert peak < 150 * 1024 * 1024, f"{peak / 2**20:.0f} MB"


# --- Staging photos ------------------------------------------------------------------------------


def _stage(client, key, n=1, **extra):
    files = [upload(f"p{i}.jpg") for i in range(n)]
    return client.post(
        reverse("requests_app:photo_upload"),
        {"idempotency_key": str(key), "photos": files},
        headers={"HX-Request": "true"},
        **extra,
    )


@pytest.mark.django_db
def test_one_draft_cannot_stage_more_than_a_reports_photos(client, settings):
    key = uuid.uuid4()
    for _ in range(20):  # the client "forgets" to send the ids of what it staged already
        _stage(client, key)
    assert Photo.objects.filter(draft_key=key).count() == settings.PHOTO_MAX_COUNT


@pytest.mark.django_db
def test_a_removed_photo_frees_its_place(client, settings):
    key = uuid.uuid4()
    _stage(client, key, n=settings.PHOTO_MAX_COUNT)
    staged = list(Photo.objects.filter(draft_key=key))
    client.post(
        reverse("requests_app:report"),
        {
            "idempotency_key": str(key),
            "photo_id": [str(p.uuid) for p in staged],
            "remove_photo": str(staged[0].uuid),
            "action": "remove",
        },
    )
    _stage(client, key)
    assert Photo.objects.filter(draft_key=key).count() == settings.PHOTO_MAX_COUNT
    assert not Photo.objects.filter(pk=staged[0].pk).exists()


@pytest.mark.django_db
def test_one_address_cannot_stage_photos_without_end(client):
    limits = IntakeSettings.load()
    limits.photos_per_address_per_hour = 7
    limits.save()
    for _ in range(5):
        _stage(client, uuid.uuid4(), n=2, REMOTE_ADDR="203.0.113.9")
    assert Photo.objects.count() == 7
    response = _stage(client, uuid.uuid4(), REMOTE_ADDR="203.0.113.9")
    assert "too many photos" in response.content.decode().lower()
    _stage(client, uuid.uuid4(), REMOTE_ADDR="203.0.113.10")
    assert Photo.objects.count() == 8


def test_png_bomb_helper_makes_a_real_image():
    img = Image.open(io.BytesIO(png_bomb(30, 20)))
    img.load()
    assert img.size == (30, 20) and json.dumps(img.getpixel((1, 1))) == "[0, 0, 0]"

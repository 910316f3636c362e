"""Photo processing: real image files in, safe re-encoded JPEGs out."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from requests_app.photos import HEIC_SUPPORTED, photo_process
from tests.conftest import INSIDE
from tests.images import jpeg_bytes, upload


def _open(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def test_gps_is_read_then_stripped():
    result = photo_process(upload("a.jpg", jpeg_bytes(gps=INSIDE)))
    assert result.gps.y == pytest.approx(INSIDE[0], abs=1e-4)
    assert result.gps.x == pytest.approx(INSIDE[1], abs=1e-4)
    assert not _open(result.image).getexif()


def test_large_photos_are_resized_and_get_a_thumbnail():
    result = photo_process(upload("a.jpg", jpeg_bytes(size=(5000, 2500))))
    assert (result.width, result.height) == (2048, 1024)
    assert max(_open(result.thumbnail).size) == 400


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_are_accepted_and_become_jpeg(fmt):
    result = photo_process(upload(f"a.{fmt.lower()}", jpeg_bytes(fmt=fmt), f"image/{fmt.lower()}"))
    assert _open(result.image).format == "JPEG"


def test_transparent_png_is_flattened_onto_white():
    img = Image.new("RGBA", (50, 50), (0, 0, 0, 0))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    result = photo_process(upload("t.png", buf.getvalue(), "image/png"))
    assert _open(result.image).convert("RGB").getpixel((25, 25))[0] > 240


@pytest.mark.skipif(not HEIC_SUPPORTED, reason="pillow-heif not installed")
def test_heic_is_accepted():
    from pillow_heif import from_pillow

    buf = io.BytesIO()
    from_pillow(Image.new("RGB", (64, 48), (10, 120, 200))).save(buf, quality=80)
    result = photo_process(upload("IMG.HEIC", buf.getvalue(), "image/heic"))
    assert _open(result.image).format == "JPEG" and result.width == 64


def test_a_gif_is_refused_as_not_a_photo():
    buf = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buf, format="GIF")
    with pytest.raises(ValidationError, match="not a photo we can read"):
        photo_process(upload("a.gif", buf.getvalue(), "image/gif"))


def test_a_truncated_jpeg_is_refused():
    with pytest.raises(ValidationError, match="not a photo we can read"):
        photo_process(upload("broken.jpg", jpeg_bytes()[:200]))


def test_the_size_limit_is_explained(settings):
    settings.PHOTO_MAX_BYTES = 1000
    with pytest.raises(ValidationError, match="too large"):
        photo_process(upload("a.jpg", jpeg_bytes()))

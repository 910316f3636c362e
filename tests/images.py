"""Real image files for upload tests, made with Pillow (never fixtures of our own code)."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def _rational(value: float) -> tuple:
    deg = int(value)
    minutes_float = (value - deg) * 60
    minutes = int(minutes_float)
    seconds = round((minutes_float - minutes) * 60 * 100)
    return ((deg, 1), (minutes, 1), (seconds, 100))


def jpeg_bytes(
    *,
    size: tuple[int, int] = (640, 480),
    gps: tuple[float, float] | None = None,
    camera: str = "TestPhone 12",
    fmt: str = "JPEG",
) -> bytes:
    """An image; with `gps=(lat, lng)` it carries EXIF GPS tags and a camera model."""
    img = Image.new("RGB", size, (200, 80, 40))
    exif = Image.Exif()
    exif[0x0110] = camera  # Model
    exif[0x010F] = "TestMaker"  # Make
    if gps:
        lat, lng = gps
        gps_ifd = {
            1: "N" if lat >= 0 else "S",
            2: tuple(v[0] / v[1] for v in _rational(abs(lat))),
            3: "E" if lng >= 0 else "W",
            4: tuple(v[0] / v[1] for v in _rational(abs(lng))),
        }
        exif[0x8825] = gps_ifd
    buf = io.BytesIO()
    if fmt == "JPEG":
        img.save(buf, format="JPEG", exif=exif.tobytes())
    else:
        img.save(buf, format=fmt)
    return buf.getvalue()


def upload(name: str = "photo.jpg", data: bytes | None = None, content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, data if data is not None else jpeg_bytes(), content_type)

"""Turning an uploaded file into a safe, public-ready photo.

1. Refuse anything over the size limit before decoding it.
2. Decode it with Pillow (HEIC through pillow-heif when available); refuse what is not an image.
3. Read the GPS position from EXIF (kept only as a private field), then apply the EXIF orientation.
4. Re-encode as JPEG without any metadata, at most PHOTO_MAX_DIMENSION px, plus a thumbnail.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from fractions import Fraction

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

try:  # HEIC/HEIF (iPhone photos) when the optional plugin is installed.
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIC_SUPPORTED = True
except ImportError:  # pragma: no cover - depends on the environment
    HEIC_SUPPORTED = False

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "MPO"} | ({"HEIF"} if HEIC_SUPPORTED else set())
# Guard against decompression bombs: 2048 px output never needs more than this many input pixels.
Image.MAX_IMAGE_PIXELS = 60_000_000

GPS_IFD = 0x8825


@dataclass(frozen=True)
class ProcessedPhoto:
    image: bytes
    thumbnail: bytes
    width: int
    height: int
    gps: Point | None


def _to_degrees(value: tuple, ref: str) -> float:
    degrees, minutes, seconds = (float(Fraction(v)) for v in value)
    result = degrees + minutes / 60 + seconds / 3600
    return -result if ref in ("S", "W") else result


def exif_gps(img: Image.Image) -> Point | None:
    """The photo's GPS position from EXIF, or None when missing or nonsensical."""
    try:
        gps = img.getexif().get_ifd(GPS_IFD)
    except Exception:
        return None
    if not gps:
        return None
    tags = {ExifTags.GPSTAGS.get(k, k): v for k, v in gps.items()}
    try:
        lat = _to_degrees(tags["GPSLatitude"], tags.get("GPSLatitudeRef", "N"))
        lng = _to_degrees(tags["GPSLongitude"], tags.get("GPSLongitudeRef", "E"))
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180) or (lat == 0 and lng == 0):
        return None
    return Point(lng, lat, srid=4326)


def _encode(img: Image.Image, max_px: int, quality: int) -> tuple[bytes, int, int]:
    out = img.copy()
    out.thumbnail((max_px, max_px), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    # No exif= argument: the re-encoded file carries no metadata at all.
    out.save(buf, format="JPEG", quality=quality, optimize=True)
    return buf.getvalue(), out.width, out.height


def photo_process(upload: UploadedFile) -> ProcessedPhoto:
    """Validate and re-encode one upload; raises ValidationError with a resident-facing message."""
    limit = settings.PHOTO_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("“%(name)s” is too large (%(size)s). Photos can be up to %(limit)s each.")
            % {
                "name": upload.name,
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(limit),
            },
            code="too_large",
        )
    not_image = ValidationError(
        _("“%(name)s” is not a photo we can read. Please attach a JPEG, PNG, WebP or HEIC image.")
        % {"name": upload.name},
        code="not_image",
    )
    try:
        upload.seek(0)
        img = Image.open(upload)
        fmt = img.format
        img.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise not_image from None
    if fmt not in ACCEPTED_FORMATS:
        raise not_image
    gps = exif_gps(img)
    img = ImageOps.exif_transpose(img)
    if img.mode not in ("RGB", "L"):
        # Flatten transparency onto white so PNG screenshots don't turn black.
        background = Image.new("RGB", img.size, (255, 255, 255))
        rgba = img.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        img = background
    elif img.mode == "L":
        img = img.convert("RGB")
    data, width, height = _encode(img, settings.PHOTO_MAX_DIMENSION, 85)
    thumb, _w, _h = _encode(img, settings.PHOTO_THUMB_DIMENSION, 80)
    return ProcessedPhoto(image=data, thumbnail=thumb, width=width, height=height, gps=gps)

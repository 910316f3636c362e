"""Turning an uploaded file into a safe, public-ready photo.

1. Refuse anything over the size limit before decoding it.
2. Open it with Pillow (HEIC through pillow-heif when available), which reads only the header;
   refuse what is not an image, and anything over the pixel budget (PHOTO_MAX_PIXELS) before a
   single pixel is decoded: a 462 KB PNG can claim 10,900 x 10,900 pixels, 1.7 GB once decoded.
3. Decode: a JPEG straight at a reduced scale (`draft`), others whole, then shrink the one
   decoded image in place to PHOTO_MAX_DIMENSION so nothing of the full size is copied.
4. Read the GPS position from EXIF (kept only as a private field), then apply the EXIF orientation.
5. Re-encode as JPEG without any metadata, plus a thumbnail.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from fractions import Fraction

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

try:  # HEIC/HEIF (iPhone photos) when the optional plugin is installed.
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIC_SUPPORTED = True
except ImportError:  # pragma: no cover - depends on the environment
    HEIC_SUPPORTED = False

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "MPO"} | ({"HEIF"} if HEIC_SUPPORTED else set())
# Pillow's own guard, at our budget: it warns above it and raises only above twice it, so
# photo_process turns the warning into an error as well. photo_process checks the budget itself
# first, with a message a resident understands.
Image.MAX_IMAGE_PIXELS = settings.PHOTO_MAX_PIXELS

PIXELS_TOO_MANY = gettext_noop(
    "“%(name)s” has too many pixels. Photos can be up to %(megapixels)s megapixels; "
    "please send a smaller copy."
)
NOT_IMAGE = gettext_noop(
    "“%(name)s” is not a photo we can read. Please attach a JPEG, PNG, WebP or HEIC image."
)

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
    out = img
    if max(img.size) > max_px:
        # Only ever called on the already shrunk image: this copy is small.
        out = img.copy()
        out.thumbnail((max_px, max_px), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    # No exif= argument: the re-encoded file carries no metadata at all.
    out.save(buf, format="JPEG", quality=quality, optimize=True)
    return buf.getvalue(), out.width, out.height


def _too_many_pixels(name: str) -> ValidationError:
    return ValidationError(
        _(PIXELS_TOO_MANY)
        % {"name": name, "megapixels": f"{settings.PHOTO_MAX_PIXELS / 1_000_000:g}"},
        code="too_many_pixels",
    )


def _decode(upload: UploadedFile, not_image: ValidationError) -> Image.Image:
    """Steps 2 and 3: the image decoded at no more than the output size needs."""
    budget = settings.PHOTO_MAX_PIXELS
    max_px = settings.PHOTO_MAX_DIMENSION
    with warnings.catch_warnings():
        # Pillow only warns between one and two times its limit; here that is a refusal.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            upload.seek(0)
            img = Image.open(upload)  # lazy: reads the header only
            width, height = img.size
            if width * height > budget:
                raise _too_many_pixels(upload.name)
            if img.format not in ACCEPTED_FORMATS:
                raise not_image
            if img.format in ("JPEG", "MPO"):
                # The JPEG decoder can scale by 1/2, 1/4 or 1/8 while decoding; it picks the
                # smallest scale still at least max_px on each side.
                img.draft("RGB", (max_px, max_px))
            img.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            # Pillow's own check in open(), on the same budget.
            raise _too_many_pixels(upload.name) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise not_image from None
    # Shrink in place (reduce() first, then resample): the full-size pixels are released.
    img.thumbnail((max_px, max_px), Image.Resampling.LANCZOS)
    return img


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
    not_image = ValidationError(_(NOT_IMAGE) % {"name": upload.name}, code="not_image")
    img = _decode(upload, not_image)
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

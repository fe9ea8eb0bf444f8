"""Photos from phones: checked, turned upright, resized, and stripped of their metadata.

A phone photo carries EXIF: the camera, the time and, above all, GPS coordinates of where the resident
stood (often their home). Every photo is re-encoded from its pixels only, so nothing of the original
metadata survives; when the resident chose to share the location, the coordinates are read first and
kept on the request (seen by handlers), never in the file.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from decimal import Decimal

from PIL import Image, ImageOps, UnidentifiedImageError

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from appeals import conf

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "MPO"}
GPS_IFD = 0x8825
# Decompression bombs: a 10 MB upload can claim gigapixels. Refuse what no phone takes.
MAX_PIXELS = 60_000_000


class PhotoError(ValueError):
    """A file that is not a photo we can take, with a message for the resident."""


@dataclass
class CleanPhoto:
    content: ContentFile
    width: int
    height: int
    latitude: Decimal | None = None
    longitude: Decimal | None = None


def _degrees(value) -> float:
    d, m, s = (float(part) for part in value)
    return d + m / 60 + s / 3600


def gps_of(image: Image.Image) -> tuple[Decimal, Decimal] | None:
    """The photo's GPS position as decimal degrees, if its EXIF has one."""
    try:
        gps = image.getexif().get_ifd(GPS_IFD)
        lat = _degrees(gps[2]) * (-1 if gps.get(1) == "S" else 1)
        lon = _degrees(gps[4]) * (-1 if gps.get(3) == "W" else 1)
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return Decimal(f"{lat:.6f}"), Decimal(f"{lon:.6f}")


def clean(upload, *, keep_location: bool = False) -> CleanPhoto:
    """A JPEG made from the upload's pixels only (upright, longest side at most PHOTO_MAX_SIDE)."""
    if upload.size > conf.get("MAX_PHOTO_BYTES"):
        raise PhotoError(
            _("A photo may be at most %(size)d MB.") % {"size": conf.get("MAX_PHOTO_BYTES") // (1024 * 1024)}
        )
    try:
        upload.seek(0)
        image = Image.open(upload)
        if image.format not in ACCEPTED_FORMATS:
            raise PhotoError(_("Please send a photo in JPEG, PNG or WebP format."))
        if image.width * image.height > MAX_PIXELS:
            raise PhotoError(_("This photo is too large."))
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError):
        raise PhotoError(_("This file is not a photo we can read."))
    position = gps_of(image) if keep_location else None
    image = ImageOps.exif_transpose(image)
    image = image.convert("RGB")
    side = conf.get("PHOTO_MAX_SIDE")
    image.thumbnail((side, side))
    buffer = io.BytesIO()
    # Saved without exif= and without icc_profile: the new file holds pixels only.
    image.save(buffer, format="JPEG", quality=82, optimize=True)
    return CleanPhoto(
        content=ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.jpg"),
        width=image.width,
        height=image.height,
        latitude=position[0] if position else None,
        longitude=position[1] if position else None,
    )

"""Photos taken on the phone (a venue's inspection, a seized item): checked to be an image
(Pillow opens and verifies it), bounded in size, and stored without their EXIF location
(GPS) unless the deployment keeps it (`OUTPOST_PHOTO_KEEP_LOCATION`). One cleaner for every
app that keeps photos."""

from __future__ import annotations

import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from outpost.core.imports.uploads import upload_size_check

FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
GPS_IFD = 0x8825
# A phone photo is a few MB; a picture of more pixels than this is refused unread.
MAX_PIXELS = 50_000_000


def max_photo_bytes() -> int:
    return settings.OUTPOST_PHOTO_MAX_MB * 1024 * 1024


def photo_clean(file, *, field: str = "photos") -> ContentFile:
    """The photo to store, or a ValidationError naming `field` (not an image, too large)."""
    name = getattr(file, "name", "") or "photo"
    try:
        upload_size_check(file, max_bytes=max_photo_bytes())
    except ValidationError as exc:
        raise ValidationError({field: [f"{name}: {m}" for m in exc.messages]}) from exc
    file.seek(0)
    data = file.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_PIXELS:
            raise ValidationError(
                {field: _("%(name)s: the picture is too large.") % {"name": name}}
            )
        kind = image.format
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise ValidationError(
            {field: _("%(name)s is not a photo (JPEG, PNG or WebP).") % {"name": name}}
        ) from None
    if kind not in FORMATS:
        raise ValidationError(
            {field: _("%(name)s is not a photo (JPEG, PNG or WebP).") % {"name": name}}
        )
    if not settings.OUTPOST_PHOTO_KEEP_LOCATION:
        data = _without_location(image, kind)
    return ContentFile(data, name=f"photo.{FORMATS[kind]}")


def _without_location(image: Image.Image, kind: str) -> bytes:
    """The picture saved again with its EXIF less the GPS block (orientation and the rest
    kept), at the quality it came with."""
    exif = image.getexif()
    if GPS_IFD in exif:
        del exif[GPS_IFD]
    out = io.BytesIO()
    options = {"exif": exif.tobytes()} if len(exif) else {}
    if kind == "JPEG":
        options.update(quality="keep" if image.mode in ("RGB", "L", "CMYK") else 90)
    image.save(out, format=kind, **options)
    return out.getvalue()

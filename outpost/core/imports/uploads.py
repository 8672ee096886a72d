"""Keeping an uploaded file for the worker (上传文件): the request checks only its size and
stores it under a name of its own; the worker opens it. Used by imports, arrival feeds and
dispatch orders alike."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def upload_name(file, original_name: str, *, default: str) -> str:
    """The name the user knows the file by, for its page (at most 255 characters)."""
    return (original_name or getattr(file, "name", "") or default)[:255]


def upload_size_check(file, *, max_bytes: int) -> None:
    """Refuse an empty file, or one larger than `max_bytes`, as an error of the field
    `file`. Only the size the upload declares is read: the worker bounds what it reads."""
    size = getattr(file, "size", None)
    if size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    if size is not None and size > max_bytes:
        raise ValidationError(
            {
                "file": _("The file is larger than %(limit)d MB; split it into smaller files.")
                % {"limit": max_bytes // (1024 * 1024)}
            }
        )


@contextmanager
def upload_kept(record, file, original_name: str) -> Iterator[None]:
    """Store `file` in `record.file` under a random name (keeping the suffix), for the
    block that saves the record; when the block fails, the stored file is deleted again."""
    suffix = Path(original_name).suffix.lower()[:8]
    record.file.save(f"{secrets.token_hex(8)}{suffix}", file, save=False)
    try:
        yield
    except BaseException:
        record.file.delete(save=False)
        raise

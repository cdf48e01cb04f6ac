"""Storing uploaded files for a ticket or message: checked by content, hashed, written
through Django's storage, and removed again when the transaction that wrote them fails.

Called from services only, inside the service's transaction."""

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from . import uploads
from .errors import FileTooLarge, InvalidField, UnsupportedFileType
from .models import Attachment

_written: ContextVar[list[str] | None] = ContextVar("helpdesk_written_files", default=None)
_HEAD_BYTES = 64 * 1024


@contextmanager
def atomic_with_files() -> Iterator[None]:
    """transaction.atomic() that also deletes the files written inside it if it rolls
    back. Nested blocks hand their files to the enclosing one on success."""
    parent = _written.get()
    mine: list[str] = []
    token = _written.set(mine)
    try:
        with transaction.atomic():
            yield
    except BaseException:
        for name in mine:
            default_storage.delete(name)
        raise
    else:
        if parent is not None:
            parent.extend(mine)
    finally:
        _written.reset(token)


def check_files(files: Iterable) -> list:
    """Refuse the whole upload before anything is written: too many, too large, or a type
    the bytes say we do not take. Returns [(file, content_type, sha256)]."""
    files = list(files)
    if len(files) > settings.ATTACHMENT_MAX_FILES:
        raise InvalidField(
            "attachments",
            _("At most %(count)d files per message.") % {"count": settings.ATTACHMENT_MAX_FILES},
        )
    checked = []
    for upload in files:
        name = uploads.sanitize_filename(upload.name or "")
        if upload.size > settings.ATTACHMENT_MAX_BYTES:
            raise FileTooLarge(
                _("%(name)s is larger than %(limit)d MB.")
                % {"name": name, "limit": settings.ATTACHMENT_MAX_BYTES // 1_000_000},
                errors={"attachments": [name]},
            )
        upload.seek(0)
        head = upload.read(_HEAD_BYTES)
        try:
            content_type = uploads.sniff_content_type(head, name)
        except uploads.RejectedFile as exc:
            raise UnsupportedFileType(
                _("%(name)s: %(reason)s") % {"name": name, "reason": exc.reason},
                errors={"attachments": [name]},
            ) from None
        digest = hashlib.sha256()
        upload.seek(0)
        for chunk in upload.chunks():
            digest.update(chunk)
        checked.append((upload, name, content_type, digest.hexdigest()))
    return checked


def text_contents(checked: list) -> Iterator[Iterator[str]]:
    """The content of each checked file (check_files()) that is text, piece by piece, for the
    sensitive-data guard to read like a message (SPEC §7): GUARD_ATTACHMENT_SCAN_BYTES of
    them in all, the files in order."""
    left = settings.GUARD_ATTACHMENT_SCAN_BYTES
    for upload, _name, content_type, _sha256 in checked:
        if content_type in uploads.TEXT_TYPES and left > 0:
            size = min(upload.size, left)
            left -= size
            yield uploads.decode_text(_first_bytes(upload, size))


def _first_bytes(upload, size: int) -> Iterator[bytes]:
    for chunk in upload.chunks():
        if size <= 0:
            return
        yield chunk[:size]
        size -= len(chunk)


def attachments_store(*, ticket, message, checked: list, uploaded_by) -> list[Attachment]:
    """Write checked files; must run inside atomic_with_files()."""
    written = _written.get()
    if written is None:
        raise RuntimeError("attachments_store() needs atomic_with_files() around it")
    stored = []
    for upload, name, content_type, sha256 in checked:
        attachment = Attachment(
            ticket=ticket,
            message=message,
            filename=name,
            content_type=content_type,
            size=upload.size,
            sha256=sha256,
            uploaded_by=uploaded_by,
        )
        upload.seek(0)
        attachment.file.save(name, upload, save=False)
        written.append(attachment.file.name)
        attachment.save()
        stored.append(attachment)
    return stored

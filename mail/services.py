"""The email intake (SPEC §10): one service behind the MTA pipe, the IMAP poller and the
providers' webhooks. `email_receive()` takes the raw bytes of one message and stores it as
a new ticket or a reply, or ignores it, once per Message-ID and sender; every write goes
through tickets.services, in one transaction.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, transaction
from django.utils import timezone

from notifications.channels.email import ticket_id_from
from tickets import guard, services, textnorm
from tickets.attachments import atomic_with_files, check_files
from tickets.errors import DomainError, TicketClosed
from tickets.models import Channel, Flag, Message, Status, Ticket

from . import threads
from .models import InboundEmail, Outcome
from .parsing import Attachment, ParsedEmail, Refused, decode, parse
from .text import reply_text

logger = logging.getLogger(__name__)

# Ticket limits (SPEC §2), the models' own: longer subjects and bodies are cut.
SUBJECT_MAX = Ticket._meta.get_field("subject").max_length
DESCRIPTION_MAX = Ticket._meta.get_field("description").max_length
BODY_MAX = Message._meta.get_field("body").max_length
NO_SUBJECT = "(no subject)"
NO_TEXT = "(no text)"
# The desk's own account, author of the notes the intake writes (never logs in).
DESK_USERNAME = "helpdesk-mail"
# Text attachments are scanned for secrets like the text (SPEC §7).
_TEXT_TYPES = frozenset({"text/plain", "text/csv", "application/json"})


class TemporaryFailure(Exception):
    """The database or the file storage is unavailable: the message should come again."""


@dataclass(frozen=True)
class Result:
    outcome: str  # "stored", "ignored" or "duplicate"
    message_id: str
    ticket_id: int | None = None
    reason: str = ""
    # A secret was removed: no raw copy of this message may be kept anywhere.
    redacted: bool = False


def email_receive(*, raw: bytes, source: str, dmarc: str | None = None) -> Result:
    """Store one raw email as a ticket or a reply, or ignore it. Raises Refused (with
    NotAnEmail) for what cannot be taken, TemporaryFailure when it should come again.
    `dmarc`: the verdict of a provider that gives it beside the message (Amazon SES)."""
    if len(raw) > settings.EMAIL_MAX_MESSAGE_BYTES:
        raise Refused(f"larger than EMAIL_MAX_MESSAGE_BYTES ({len(raw)} bytes)")
    parsed = parse(raw, trusted_authserv_id=settings.EMAIL_TRUSTED_AUTHSERV_ID)
    if dmarc:
        parsed.dmarc = dmarc
    try:
        result = _receive(parsed, source)
    except (OperationalError, InterfaceError) as exc:
        raise TemporaryFailure(f"database unavailable: {type(exc).__name__}") from exc
    except OSError as exc:  # the attachments' storage (disk, S3)
        raise TemporaryFailure(f"storage unavailable: {type(exc).__name__}") from exc
    logger.info(
        "email %s from %s via %s: %s%s%s",
        result.message_id,
        parsed.sender,
        source,
        result.outcome,
        f" ticket {result.ticket_id}" if result.ticket_id else "",
        f" ({result.reason})" if result.reason else "",
    )
    return result


def _receive(parsed: ParsedEmail, source: str) -> Result:
    known = InboundEmail.objects.filter(message_id=parsed.message_id, sender=parsed.sender)
    if (seen := known.values_list("redacted", flat=True).first()) is not None:
        return Result("duplicate", parsed.message_id, redacted=seen)
    noise = _noise(parsed)
    try:
        if noise:
            with transaction.atomic():
                InboundEmail.objects.create(
                    message_id=parsed.message_id,
                    sender=parsed.sender,
                    outcome=Outcome.IGNORED,
                    reason=noise[:200],
                    source=source,
                )
            return Result("ignored", parsed.message_id, reason=noise)
        return _store(parsed, source)
    except IntegrityError:
        # The same message, handled by another worker at the same time, committed first.
        if (seen := known.values_list("redacted", flat=True).first()) is not None:
            return Result("duplicate", parsed.message_id, redacted=seen)
        raise


def _noise(parsed: ParsedEmail) -> str:
    """Why no ticket and no answer (SPEC §10): an auto-reply or bounce, or the desk's own
    mail coming back."""
    if parsed.noise:
        return parsed.noise
    if parsed.from_the_desk or ticket_id_from(parsed.message_id) is not None:
        return "the desk's own mail"
    if parsed.sender in desk_addresses():
        return "sent from the desk's own address"
    return ""


def desk_addresses() -> frozenset[str]:
    addresses = [
        settings.HELPDESK_INBOUND_ADDRESS,
        parseaddr(settings.DEFAULT_FROM_EMAIL)[1],
        *settings.EMAIL_DESK_ADDRESSES,
    ]
    return frozenset(address.strip().lower() for address in addresses if address.strip())


def _store(parsed: ParsedEmail, source: str) -> Result:
    with atomic_with_files():
        # Inserted last: a second copy handled at the same time waits on its unique index
        # until this one commits, then fails there and rolls back all it wrote.
        record = InboundEmail(
            message_id=parsed.message_id,
            sender=parsed.sender,
            outcome=Outcome.STORED,
            source=source,
        )
        requester = requester_for(parsed.sender, parsed.sender_name)
        unverified = parsed.dmarc == "fail"
        ticket = None if unverified else threads.ticket_for(parsed, requester)
        files, dropped, secret_in_files = _files(parsed.attachments)
        flags = [Flag.SECRET_REDACTED] if secret_in_files else []
        message = None
        if ticket is not None and ticket.status != Status.CLOSED:
            try:
                message, redacted = _reply(ticket, requester, parsed, files, flags)
            except TicketClosed:  # closed since we looked
                ticket = Ticket.objects.get(pk=ticket.pk)
        if message is None:
            if unverified:
                flags.append(Flag.SENDER_UNVERIFIED)
            follow_up_of = ticket if ticket is not None else None
            ticket, redacted = _new_ticket(
                requester, parsed, files, dropped, flags, follow_up_of, record
            )
        if dropped:
            services.system_note_add(
                ticket=ticket,
                author=desk_user(),
                body="Attachments of this email that were not accepted:\n"
                + "\n".join(f"- {name}: {why}" for name, why in dropped),
            )
        record.ticket, record.reply = ticket, message
        record.redacted = redacted or secret_in_files
        record.save(force_insert=True)
    return Result(
        "stored",
        parsed.message_id,
        ticket_id=ticket.pk,
        reason="reply" if message else "new ticket",
        redacted=record.redacted,
    )


def _reply(ticket: Ticket, requester, parsed: ParsedEmail, files, flags) -> tuple:
    """A reply to an open ticket, as a requester's reply over the API (SPEC §3)."""
    body = _cut(reply_text(parsed.text), BODY_MAX) or NO_TEXT
    message = services.message_add(
        ticket=ticket,
        author=requester,
        body=body,
        files=files,
        redact_secrets=True,
        flags=flags,
    )
    return message, message.body != body


def _new_ticket(requester, parsed, files, dropped, flags, follow_up_of, record) -> tuple:
    subject = _cut(parsed.subject, SUBJECT_MAX) or NO_SUBJECT
    # An answer (to a closed ticket, to a thread that is not the sender's) is cut to what
    # the sender wrote; a first message, a forward included, is kept whole.
    answer = follow_up_of is not None or bool(parsed.thread_ids)
    text = reply_text(parsed.text) if answer else parsed.text
    description = _cut(text, DESCRIPTION_MAX) or NO_TEXT
    record.acknowledged = _may_acknowledge(parsed.sender)
    ticket = services.ticket_create(
        requester=requester,
        subject=subject,
        description=description,
        channel=Channel.EMAIL,
        files=files,
        flags=flags,
        follow_up_of=follow_up_of,
        redact_secrets=True,
        acknowledge=record.acknowledged,
        dropped_files=[name for name, _why in dropped],
    )
    return ticket, (ticket.subject, ticket.description) != (subject, description)


def _cut(text: str, limit: int) -> str:
    """The text within `limit`; "" for a text that shows nothing (zero-width or format
    characters alone), which the API would refuse (SPEC §13's invisible text)."""
    text = text.strip()[:limit].strip()
    return "" if textnorm.is_invisible(text) else text


def _may_acknowledge(sender: str) -> bool:
    """At most EMAIL_ACK_LIMIT_PER_HOUR acknowledgements per sender (SPEC §10)."""
    since = timezone.now() - timedelta(hours=1)
    sent = InboundEmail.objects.filter(sender=sender, acknowledged=True, created_at__gte=since)
    return sent.count() < settings.EMAIL_ACK_LIMIT_PER_HOUR


def _files(attachments: list[Attachment]) -> tuple[list, list[tuple[str, str]], bool]:
    """The attachments SPEC §6 accepts, at most ATTACHMENT_MAX_FILES; the others as
    (name, why) for the note and the acknowledgement; and whether one held a secret."""
    accepted, dropped, secret = [], [], False
    for number, attachment in enumerate(attachments, start=1):
        name = attachment.filename or f"attachment-{number}"
        if guard.first_secret(name) is not None:
            dropped.append((f"attachment {number}", "its name looked like a secret"))
            secret = True
            continue
        if len(accepted) >= settings.ATTACHMENT_MAX_FILES:
            dropped.append((name, f"more than {settings.ATTACHMENT_MAX_FILES} files"))
            continue
        upload = ContentFile(attachment.content, name=name)
        try:
            [(_upload, _name, content_type, _sha)] = check_files([upload])
        except DomainError as exc:
            dropped.append((name, exc.detail))
            continue
        if content_type in _TEXT_TYPES and _holds_secret(attachment.content):
            dropped.append((name, "it held a password, seed phrase or private key"))
            secret = True
            continue
        accepted.append(upload)
    return accepted, dropped, secret


def _holds_secret(content: bytes) -> bool:
    return guard.first_secret(decode(content, None)) is not None


def requester_for(address: str, name: str = ""):
    """The user with this email address (case-insensitive), else a new requester with no
    usable password (SPEC §10)."""
    users = get_user_model().objects
    user = users.filter(email__iexact=address).order_by("pk").first()
    if user is not None:
        return user
    first, _space, last = name.strip().partition(" ")
    for suffix in ["", *(f"-{n}" for n in range(2, 10))]:
        username = f"{address[: 150 - len(suffix)]}{suffix}"
        try:
            with transaction.atomic():
                user = users.model(
                    username=username, email=address, first_name=first[:150], last_name=last[:150]
                )
                user.set_unusable_password()
                user.save()
            return user
        except IntegrityError:
            existing = users.filter(email__iexact=address).order_by("pk").first()
            if existing is not None:  # made by a concurrent message from the same sender
                return existing
    raise DatabaseError(f"no free username for {address}")


def desk_user():
    """The account the intake writes its notes as: inactive, so it never logs in and is
    never notified."""
    user, created = get_user_model().objects.get_or_create(
        username=DESK_USERNAME, defaults={"is_active": False, "first_name": "Email intake"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user

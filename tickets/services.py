"""Every write to tickets. Each public function is one transaction: lock, check, write the
change and its history, bump the version. Only this module assigns `Ticket.status`."""

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role, is_agent, role_for
from notifications.models import EventKind
from notifications.services import notify

from . import guard, textnorm, transitions
from .attachments import atomic_with_files, attachments_store, check_files, text_contents
from .errors import (
    IdempotencyConflict,
    InvalidField,
    InvalidTransition,
    ReasonRequired,
    SensitiveData,
    TicketClosed,
    TransitionForbidden,
    VersionConflict,
)
from .models import (
    AGENT_FIELDS,
    REQUESTER_FIELDS,
    Category,
    Channel,
    Flag,
    IdempotencyKey,
    Message,
    Priority,
    Status,
    StatusChange,
    Ticket,
)
from .selectors import default_queue_id, previous_text_of

REFUSALS = {
    transitions.RefusalKind.INVALID: InvalidTransition,
    transitions.RefusalKind.FORBIDDEN: TransitionForbidden,
    transitions.RefusalKind.REASON_REQUIRED: ReasonRequired,
}


def _text(value) -> str:
    """The text a field holds; a list's items one a line, so twelve seed words sent as twelve
    "transaction ids" are still a seed phrase."""
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return "\n".join(str(item) for item in value if item is not None)
    return ""


def refuse_secrets(*, previous: str = "", files: Sequence = (), **fields) -> None:
    """SPEC §7: raise SensitiveData naming the field that holds a secret, and its kind.

    The fields are read as one text, so a phrase split between them is one phrase; it is
    named after the field where it ends. `previous` is read before them: what the author
    last wrote on the ticket (selectors.previous_text_of()), so a phrase split over two
    messages is one too. The names of `files` (the uploads) are read with the fields, before
    anything could echo them, as `attachments`; their content is refuse_secrets_in_files()'."""
    texts = [(field, text) for field, value in fields.items() if (text := _text(value))]
    texts += [("attachments", upload.name) for upload in files if upload.name]
    found = guard.first_secret_among(texts, before=previous)
    if found is not None:
        raise SensitiveData(*found)


def refuse_secrets_in_files(checked: list) -> None:
    """SPEC §7: raise SensitiveData (`attachments`) when a checked file (check_files()) that
    is text holds a secret."""
    for text in text_contents(checked):
        kind = guard.first_secret_in_stream(text)
        if kind is not None:
            raise SensitiveData("attachments", kind)


def refuse_invisible(**fields: str) -> None:
    """A text that shows nothing (zero-width spaces, format characters, blank-looking letters,
    with or without whitespace) is not a subject, description, message or reason (issue #13).
    Whitespace alone is left to the callers: the API refuses a blank field, and a blank reason
    is no reason."""
    for field, value in fields.items():
        if value and value.strip() and textnorm.is_invisible(value):
            raise InvalidField(field, _("This text has no visible characters."))


# How an email's redacted secret reads in the stored text (SPEC §10).
REDACTED = "[redacted: {kind}]"


def _guarded(
    redact: bool, *, previous: str = "", files: Sequence = (), **fields
) -> tuple[dict, bool]:
    """The fields as they may be stored: with `redact` (email, SPEC §10) each secret is
    replaced by REDACTED and the second value says whether any was; without it a secret
    refuses the whole request (the API, SPEC §7). `previous` and `files` as for
    refuse_secrets(); with `redact` the caller has screened the files (the mail intake
    drops those that hold a secret)."""
    if not redact:
        refuse_secrets(previous=previous, files=files, **fields)
        return fields, False
    found = False
    for name, value in fields.items():
        if isinstance(value, str):
            fields[name], kinds = guard.redact(value, placeholder=REDACTED)
            found = found or bool(kinds)
    # What the guard still finds (a phrase only the fields together make, SPEC §7) has no
    # span to cut out of one field: the field it names goes whole.
    for _field in range(len(fields)):
        try:
            refuse_secrets(previous=previous, **fields)
        except SensitiveData as exc:
            fields[exc.extra["field"]] = REDACTED.format(kind=exc.extra["kind"])
            found = True
        else:
            break
    return fields, found


def _reopen_window() -> timedelta:
    return timedelta(days=settings.REOPEN_WINDOW_DAYS)


def _actor_role(actor) -> Role:
    return Role.SYSTEM if actor is None else role_for(actor)


def _lock(ticket: Ticket) -> Ticket:
    """The ticket's row, locked, with the people a change notifies and their preferences."""
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("requester__preferences", "assignee__preferences")
        .get(pk=ticket.pk)
    )


def ticket_create(
    *,
    requester,
    subject: str,
    description: str,
    category: str = Category.OTHER,
    priority: str = Priority.NORMAL,
    channel: str = Channel.API,
    files: Iterable = (),
    flags: Iterable[str] = (),
    follow_up_of: Ticket | None = None,
    redact_secrets: bool = False,
    acknowledge: bool = True,
    dropped_files: Iterable[str] = (),
    **details,
) -> Ticket:
    """Create a ticket in `new`, in its category's default queue, with its first history
    row and the files sent with it. A refused file refuses the whole ticket.

    For email (SPEC §10): `redact_secrets` stores secrets redacted (and flags the ticket)
    instead of refusing them; `acknowledge=False` sends the requester no acknowledgement;
    `dropped_files` names the files the acknowledgement says were not accepted."""
    unknown = set(details) - set(REQUESTER_FIELDS)
    if unknown:
        raise TypeError(f"Unknown ticket details: {sorted(unknown)}")
    files = list(files)
    refuse_invisible(subject=subject, description=description)
    fields, redacted = _guarded(
        redact_secrets, files=files, subject=subject, description=description, **details
    )
    flags = list(dict.fromkeys([*flags, *([Flag.SECRET_REDACTED] if redacted else [])]))
    checked = check_files(files)
    if not redact_secrets:
        refuse_secrets_in_files(checked)
    with atomic_with_files():
        ticket = Ticket(
            requester=requester,
            category=category,
            priority=priority,
            channel=channel,
            status=Status.NEW,
            queue_id=default_queue_id(category),
            flags=[str(flag) for flag in flags],
            follow_up_of=follow_up_of,
            **fields,
        )
        ticket.save(force_insert=True)
        # What the API renders, so it need not read the ticket back (see selectors).
        ticket.own_attachments = attachments_store(
            ticket=ticket, message=None, checked=checked, uploaded_by=requester
        )
        StatusChange.objects.create(
            ticket=ticket, from_status=None, to_status=Status.NEW, changed_by=requester
        )
        data = {"acknowledge": False} if not acknowledge else {}
        if dropped_files:
            data["dropped_files"] = list(dropped_files)
        notify(kind=EventKind.TICKET_CREATED, ticket=ticket, actor=requester, **data)
    return ticket


def ticket_create_idempotent(
    *, requester, key: str, fingerprint: str, **fields
) -> tuple[Ticket, bool]:
    """ticket_create, remembered under (requester, key). The same key with the same
    request returns the first ticket and False; with a different request it is refused."""
    cutoff = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)
    IdempotencyKey.objects.filter(user=requester, key=key, created_at__lt=cutoff).delete()
    for _attempt in range(2):
        existing = (
            IdempotencyKey.objects.filter(user=requester, key=key).select_related("ticket").first()
        )
        if existing is not None:
            if existing.fingerprint != fingerprint:
                raise IdempotencyConflict()
            return existing.ticket, False
        try:
            with atomic_with_files():
                ticket = ticket_create(requester=requester, **fields)
                IdempotencyKey.objects.create(
                    user=requester, key=key, fingerprint=fingerprint, ticket=ticket
                )
            return ticket, True
        except IntegrityError:
            # A concurrent request with the same key committed first: answer as it did.
            # Any other integrity error is a bug, not a replay.
            if not IdempotencyKey.objects.filter(user=requester, key=key).exists():
                raise
            continue
    raise IdempotencyConflict()


def _apply_transition(
    ticket: Ticket,
    *,
    to: str,
    actor,
    role: Role,
    reason: str,
    now: datetime,
    internal: bool = False,
) -> StatusChange:
    """Move a locked ticket to `to` and write the history row (caller saves the ticket).
    An `internal` reason (given with an internal note) is kept in the history for agents
    and told to nobody: the event carries no reason then."""
    if to not in Status.values:
        raise InvalidField("to", _("Unknown status: %(status)s.") % {"status": to})
    refusal = transitions.check(
        ticket.status,
        to,
        role,
        reason=reason,
        resolved_at=ticket.resolved_at,
        now=now,
        reopen_window=_reopen_window(),
    )
    if refusal is not None:
        error = REFUSALS[refusal.kind]
        if refusal.kind is transitions.RefusalKind.REASON_REQUIRED:
            raise error(refusal.message, errors={"reason": [refusal.message]})
        raise error(refusal.message, allowed=ticket_allowed_targets(ticket, actor, now=now))
    source = ticket.status
    ticket.status = to
    if to == Status.RESOLVED:
        ticket.resolved_at = now
    elif to == Status.CLOSED:
        ticket.closed_at = now
    elif source == Status.RESOLVED:
        ticket.resolved_at = None  # reopened: the old resolution no longer stands
    change = StatusChange.objects.create(
        ticket=ticket,
        from_status=source,
        to_status=to,
        changed_by=actor,
        reason=reason,
        internal=internal,
    )
    notify(
        kind=EventKind.STATUS_CHANGED,
        ticket=ticket,
        actor=actor,
        from_status=source,
        to_status=to,
        reason="" if internal else reason,
    )
    return change


def _touch(ticket: Ticket, *fields: str) -> None:
    ticket.version += 1
    ticket.save(update_fields=["version", "updated_at", *fields])


def ticket_allowed_targets(ticket: Ticket, actor, *, now: datetime | None = None) -> list[str]:
    role = _actor_role(actor)
    if role is Role.SYSTEM:
        role = Role.AGENT
    return [
        str(target)
        for target in transitions.allowed_targets(
            ticket.status,
            role,
            resolved_at=ticket.resolved_at,
            now=now or timezone.now(),
            reopen_window=_reopen_window(),
        )
    ]


@transaction.atomic
def ticket_transition(*, ticket: Ticket, to: str, actor, reason: str = "") -> Ticket:
    """Change the status (actor None = the system). Refusals raise and write nothing."""
    refuse_invisible(reason=reason)
    refuse_secrets(reason=reason)
    locked = _lock(ticket)
    _apply_transition(
        locked, to=to, actor=actor, role=_actor_role(actor), reason=reason, now=timezone.now()
    )
    _touch(locked, "status", "resolved_at", "closed_at")
    return locked


@transaction.atomic
def ticket_update(
    *, ticket: Ticket, actor, data: dict, expected_version: int | None = None
) -> Ticket:
    """Change the fields `actor`'s role may change. `expected_version` guards lost updates."""
    refuse_secrets(**data)
    locked = _lock(ticket)
    if expected_version is not None and locked.version != expected_version:
        raise VersionConflict(version=locked.version)
    allowed = set(AGENT_FIELDS if is_agent(actor) else REQUESTER_FIELDS)
    refused = sorted(set(data) - allowed)
    if refused:
        raise InvalidField(refused[0], _("You may not change this field."))
    assignee = data.get("assignee")
    if assignee is not None and not (assignee.is_active and is_agent(assignee)):
        raise InvalidField("assignee", _("Tickets can only be assigned to agents."))
    if locked.status == Status.CLOSED:
        raise TicketClosed()
    changed = [name for name, value in data.items() if getattr(locked, name) != value]
    if not changed:
        return locked
    for name in changed:
        setattr(locked, name, data[name])
    _touch(locked, *changed)
    if "assignee" in changed and locked.assignee is not None:
        notify(kind=EventKind.ASSIGNED, ticket=locked, actor=actor)
    return locked


def message_add(
    *,
    ticket: Ticket,
    author,
    body: str,
    internal: bool = False,
    status: str | None = None,
    reason: str = "",
    files: Iterable = (),
    expected_version: int | None = None,
    redact_secrets: bool = False,
    flags: Iterable[str] = (),
) -> Message:
    """Add a reply or internal note, with the automatic steps of SPEC §3:
    an agent's first public reply opens a new ticket (unless `status` names another) and
    sets first_response_at; a requester's reply reopens a pending or recently resolved one.
    `expected_version` refuses the reply if the ticket changed since the author read it.
    `redact_secrets` (email): store secrets redacted and flag the ticket, not refuse them;
    `flags` are added to the ticket's."""
    files = list(files)
    refuse_invisible(body=body, reason=reason)
    previous = previous_text_of(ticket=ticket, author=author)
    fields, redacted = _guarded(
        redact_secrets, previous=previous, files=files, body=body, reason=reason
    )
    body, reason = fields["body"], fields["reason"]
    checked = check_files(files)
    if not redact_secrets:
        refuse_secrets_in_files(checked)
    with atomic_with_files():
        locked = _lock(ticket)
        if expected_version is not None and locked.version != expected_version:
            raise VersionConflict(version=locked.version)
        role = role_for(author)
        if locked.status == Status.CLOSED:
            raise TicketClosed()
        if internal and role is Role.REQUESTER:
            raise TransitionForbidden(_("Requesters cannot write internal notes."))
        now = timezone.now()
        message = Message.objects.create(ticket=locked, author=author, internal=internal, body=body)
        attachments_store(ticket=locked, message=message, checked=checked, uploaded_by=author)
        changed = []
        added = [*flags, *([Flag.SECRET_REDACTED] if redacted else [])]
        if any(flag not in locked.flags for flag in added):
            locked.flags = list(dict.fromkeys([*locked.flags, *map(str, added)]))
            changed.append("flags")
        if role is not Role.REQUESTER and not internal and locked.first_response_at is None:
            locked.first_response_at = now
            changed.append("first_response_at")
        step, step_role = _reply_step(locked, role=role, internal=internal, status=status, now=now)
        if step:
            _apply_transition(
                locked,
                to=step,
                actor=author,
                role=step_role,
                reason=reason,
                now=now,
                internal=internal,
            )
        if step or not internal:
            # An internal note alone changes nothing a requester can see: the ticket's
            # version (its ETag) and updated_at stay as they were.
            _touch(locked, "status", "resolved_at", "closed_at", *changed)
        if not internal:
            kind = (
                EventKind.REQUESTER_REPLIED if role is Role.REQUESTER else EventKind.AGENT_REPLIED
            )
            notify(kind=kind, ticket=locked, actor=author, message_id=message.pk)
        message.ticket = locked
        return message


def system_note_add(*, ticket: Ticket, author, body: str) -> Message:
    """An internal note the desk writes itself (e.g. the email intake naming a file it
    refused): no status step, no notification, no version bump. `author` is the desk's
    own account. Runs in the caller's transaction."""
    with transaction.atomic():
        return Message.objects.create(ticket=ticket, author=author, internal=True, body=body)


def _reply_step(ticket: Ticket, *, role: Role, internal: bool, status, now) -> tuple:
    """The status step a reply brings (SPEC §3), and the role it is taken as: the one the
    request names; else pending -> open for a requester's reply (the system's step), a
    reopen of a recently resolved ticket (the requester's own), or new -> open for an
    agent's first public reply."""
    if status:
        return status, role
    if role is Role.REQUESTER:
        if ticket.status == Status.PENDING:
            return Status.OPEN, Role.SYSTEM
        if ticket.status == Status.RESOLVED and (
            ticket.resolved_at is None or now - ticket.resolved_at <= _reopen_window()
        ):
            return Status.OPEN, role
    elif not internal and ticket.status == Status.NEW:
        return Status.OPEN, role
    return None, role


def tickets_auto_close(*, now: datetime | None = None) -> int:
    """Close tickets resolved more than AUTO_CLOSE_DAYS ago (the system's step). Each in
    its own transaction, so one failure does not hold back the rest."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.AUTO_CLOSE_DAYS)
    ids = Ticket.objects.filter(status=Status.RESOLVED, resolved_at__lt=cutoff).values_list(
        "pk", flat=True
    )
    closed = 0
    for ticket_id in list(ids):
        with transaction.atomic():
            locked = Ticket.objects.select_for_update().filter(pk=ticket_id).first()
            if locked is None or locked.status != Status.RESOLVED or locked.resolved_at >= cutoff:
                continue  # changed since we looked
            _apply_transition(
                locked, to=Status.CLOSED, actor=None, role=Role.SYSTEM, reason="auto-close", now=now
            )
            _touch(locked, "status", "resolved_at", "closed_at")
            closed += 1
    return closed


def idempotency_keys_purge(*, now: datetime | None = None) -> int:
    cutoff = (now or timezone.now()) - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)
    deleted, _details = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted

"""Which ticket an email answers (SPEC §10). In order: a Message-ID in In-Reply-To or
References that the desk sent for a ticket (signed, notifications/channels/email.py) or
received for one; else a reference tag (`[HD-000123]`) in the subject. Either way the
ticket must be the sender's own: an answer from anyone else starts a ticket of theirs,
so nobody writes into another customer's case by quoting its ids."""

import re

from notifications.channels.email import ticket_id_from
from tickets.models import Status, Ticket

from .models import InboundEmail
from .parsing import ParsedEmail

# "[HD-000123]" as the desk's subjects carry it; brackets and padding optional, so that
# "Re: HD-123 still waiting" counts too.
_REFERENCE = re.compile(r"(?<![\w-])\[?\s*HD-?0*(\d{1,18})\s*\]?(?![\w-])", re.IGNORECASE)


def reference_in(subject: str) -> int | None:
    """The ticket id the subject's first reference tag names."""
    match = _REFERENCE.search(subject)
    return int(match[1]) if match else None


def ticket_for(parsed: ParsedEmail, requester) -> Ticket | None:
    """The requester's ticket this email answers, or None for a new one. A closed ticket
    that an earlier answer already continued hands over to its follow-up."""
    ids = parsed.thread_ids
    named: dict[str, int] = {}
    for message_id in ids:
        ticket_id = ticket_id_from(message_id)
        if ticket_id is not None:
            named[message_id] = ticket_id
    others = [message_id for message_id in ids if message_id not in named]
    if others:
        received = InboundEmail.objects.filter(message_id__in=others, ticket__isnull=False)
        for message_id, ticket_id in received.values_list("message_id", "ticket_id"):
            named.setdefault(message_id, ticket_id)
    candidates = [named[message_id] for message_id in ids if message_id in named]
    subject_id = reference_in(parsed.subject)
    if subject_id is not None:
        candidates.append(subject_id)
    if not candidates:
        return None
    mine = Ticket.objects.filter(pk__in=candidates, requester=requester).in_bulk()
    ticket = next((mine[pk] for pk in candidates if pk in mine), None)  # nearest first
    while ticket is not None and ticket.status == Status.CLOSED:
        follow_up = ticket.follow_ups.filter(requester=requester).order_by("-pk").first()
        if follow_up is None:
            break
        ticket = follow_up
    return ticket

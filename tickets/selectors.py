"""Every non-trivial read. Views and the admin ask here; nothing here writes."""

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery

from accounts.roles import is_agent

from .models import (
    DESK_RANK,
    SOLVED,
    Attachment,
    Message,
    Queue,
    Status,
    StatusChange,
    Ticket,
    id_from_reference,
    priority_rank,
    status_rank,
)


def default_queue_id(category: str) -> int | None:
    """The id of the queue new tickets of `category` land in."""
    return Queue.objects.filter(default_for=category).values_list("pk", flat=True).first()


def ticket_queryset_for(user) -> QuerySet[Ticket]:
    """The tickets `user` may see, with what a list or detail renders joined in."""
    qs = Ticket.objects.select_related("requester", "assignee", "queue").prefetch_related(
        # A ticket embeds the files sent with it; a message embeds its own.
        Prefetch(
            "attachments",
            queryset=Attachment.objects.filter(message__isnull=True),
            to_attr="own_attachments",
        )
    )
    if is_agent(user):
        return qs
    return qs.filter(requester=user)


# A search matching at most this many tickets is answered from their ids (see below).
SEARCH_FEW_MATCHES = 1000


def ticket_search(qs: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    """`q`: a reference (`HD-000123`) finds that ticket; otherwise subject, description
    and exact transaction ids.

    On PostgreSQL every arm of the OR has an index (trigram indexes on subject and
    description, tickets/0003 and 0004; the GIN index on transaction ids, 0002). But asked
    for the newest 25 matches, the planner often walks the `created_at` index and tests
    each row, which reads the whole table when the text is rarer than it guesses (a
    million-ticket table: 1.7 s for an error code found in 30 tickets). So the matches are
    first fetched as ids, at most SEARCH_FEW_MATCHES + 1 of them, a query the planner
    answers from the indexes for a rare text and from the first rows of a scan for a common
    one; when there are few, the page is read by id. Otherwise the walk is the right plan:
    with that many matches it finds a page within a few thousand rows."""
    text = text.strip()
    if not text:
        return qs
    ticket_id = id_from_reference(text)
    if ticket_id is not None:
        return qs.filter(pk=ticket_id)
    condition = Q(subject__icontains=text) | Q(description__icontains=text)
    if connection.vendor != "postgresql":
        # SQLite (the embedded run) has no JSON containment; a text match will do there.
        return qs.filter(condition | Q(transaction_ids__icontains=f'"{text}"'))
    matches = qs.filter(condition | Q(transaction_ids__contains=[text]))
    ids = list(matches.order_by().values_list("pk", flat=True)[: SEARCH_FEW_MATCHES + 1])
    if len(ids) <= SEARCH_FEW_MATCHES:
        return qs.filter(pk__in=ids)
    return matches


def messages_for(user, ticket: Ticket) -> QuerySet[Message]:
    qs = ticket.messages.select_related("author").prefetch_related("attachments")
    if not is_agent(user):
        qs = qs.filter(internal=False)
    return qs


def previous_text_of(*, ticket: Ticket, author) -> str:
    """What `author` last wrote on `ticket`: their latest message, else the description when
    they are its requester. The guard reads a new message after it (SPEC §7)."""
    body = (
        ticket.messages.filter(author=author)
        .order_by("-created_at", "-pk")
        .values_list("body", flat=True)
        .first()
    )
    if body is not None:
        return body
    return ticket.description if author.pk == ticket.requester_id else ""


def history_for(ticket: Ticket) -> QuerySet[StatusChange]:
    return ticket.history.select_related("changed_by")


def attachment_for(user, *, ticket_id: int, attachment_id: int) -> Attachment | None:
    """The attachment if `user` may see its ticket, and its message for an internal note."""
    qs = Attachment.objects.filter(pk=attachment_id, ticket_id=ticket_id).select_related("message")
    if not is_agent(user):
        qs = qs.filter(ticket__requester=user).exclude(message__internal=True)
    return qs.first()


# --- The agents' desk (admin changelist) ---------------------------------------------------
# "Most urgent and oldest-waiting first" (models.DESK_RANK), served by the index
# `ticket_desk_order` (tests/tickets/admin/test_changelist.py checks the planner uses it).
STATUS_RANK = status_rank()
PRIORITY_RANK = priority_rank()
DESK_ORDERING = (STATUS_RANK.asc(), PRIORITY_RANK.asc(), F("updated_at").asc(), F("id").asc())


def with_conversation(tickets: list[Ticket]) -> list[Ticket]:
    """`tickets` (a page of the desk's list), each with what the list's conversation
    columns show: when the requester last wrote (`requester_wrote_at`; None until they
    reply) and who wrote the last public message (`last_reply_by`, a username). One query
    for the page, two index lookups per row on `message_ticket_created`: asked of the
    page's ids, not as subqueries of the paged query, which PostgreSQL would run for every
    row an OFFSET skips too (bench/README.md, "The help centre")."""
    if not tickets:
        return tickets
    public = Message.objects.filter(ticket=OuterRef("pk"), internal=False).order_by(
        "-created_at", "-id"
    )
    rows = (
        Ticket.objects.filter(pk__in=[ticket.pk for ticket in tickets])
        .annotate(
            requester_wrote_at=Subquery(
                public.filter(author=OuterRef("requester_id")).values("created_at")[:1]
            ),
            last_reply_by=Subquery(public.values("author__username")[:1]),
        )
        .values_list("pk", "requester_wrote_at", "last_reply_by")
    )
    found = {pk: (wrote_at, by) for pk, wrote_at, by in rows}
    for ticket in tickets:
        ticket.requester_wrote_at, ticket.last_reply_by = found.get(ticket.pk, (None, None))
    return tickets


def waiting_since(ticket: Ticket):
    """Since when the requester has been waiting for the desk (a row of with_conversation):
    their last message, or the ticket itself, while no public reply has come after it and
    the ticket is unsolved; None otherwise."""
    if ticket.status in SOLVED:
        return None
    if ticket.last_reply_by not in (None, ticket.requester.username):
        return None
    return ticket.requester_wrote_at or ticket.created_at


def tickets_in_status(qs: QuerySet[Ticket], statuses: list[str]) -> QuerySet[Ticket]:
    """Filter on status and, redundantly, on its rank: the rank condition lets the desk
    index jump to the statuses' group rather than walk past every other one."""
    ranks = sorted({DESK_RANK[Status(status)] for status in statuses})
    return qs.alias(status_rank=STATUS_RANK).filter(status__in=statuses, status_rank__in=ranks)


def ticket_desk_search(qs: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    """The admin's search box, where every branch but the last can use an index:

    - a reference (`HD-000123`, or just `123`) -> that ticket (a bare number is also tried
      as an exact transaction/order id);
    - a term with `@` -> the tickets of requesters whose email starts with it (or whose
      username is exactly it);
    - one word that is exactly a transaction id or a requester's username -> those tickets;
    - anything else -> subject contains the text (a trigram index serves it on PostgreSQL).
    """
    text = text.replace("\x00", "").strip()  # PostgreSQL refuses NUL in a text parameter
    if not text:
        return qs
    ticket_id = id_from_reference(text)
    if ticket_id is not None:
        return qs.filter(pk=ticket_id)
    users = get_user_model().objects.all()
    if text.isdecimal():
        return qs.filter(Q(pk=int(text)) | _transaction_id_is(text))
    if "@" in text:
        requesters = users.filter(Q(email__istartswith=text) | Q(username__iexact=text))
        return qs.filter(requester__in=requesters.values("pk"))
    if not any(char.isspace() for char in text):
        # The usernames first, as ids: OR-ed with a subquery, the containment test would be
        # run row by row over the whole table instead of through the GIN index.
        requester_ids = list(users.filter(username__iexact=text).values_list("pk", flat=True))
        exact = _transaction_id_is(text)
        if requester_ids:
            exact |= Q(requester_id__in=requester_ids)
        if qs.filter(exact).exists():
            return qs.filter(exact)
    return qs.filter(subject__icontains=text)  # served by ticket_subject_trgm where it exists


def _transaction_id_is(text: str) -> Q:
    if connection.vendor == "postgresql":
        return Q(transaction_ids__contains=[text])  # served by the GIN index ticket_txids_gin
    return Q(transaction_ids__icontains=f'"{text}"')

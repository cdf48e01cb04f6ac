"""Every non-trivial read. Views and the admin ask here; nothing here writes."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection
from django.db.models import Prefetch, Q, QuerySet

from .models import Attachment, Message, StatusChange, Ticket, id_from_reference
from .transitions import Role

AGENTS_GROUP = "Agents"
SUPERVISORS_GROUP = "Supervisors"


def role_for(user: AbstractBaseUser | AnonymousUser) -> Role:
    """Supervisors: superusers and group Supervisors. Agents: staff in group Agents.
    Everyone else, staff without a group included, is a requester."""
    cached = getattr(user, "_helpdesk_role", None)
    if cached is not None:
        return cached
    role = Role.REQUESTER
    if user.is_authenticated:
        if user.is_superuser:
            role = Role.SUPERVISOR
        elif user.is_staff:
            groups = set(user.groups.values_list("name", flat=True))
            if SUPERVISORS_GROUP in groups:
                role = Role.SUPERVISOR
            elif AGENTS_GROUP in groups:
                role = Role.AGENT
    user._helpdesk_role = role
    return role


def is_agent(user) -> bool:
    return role_for(user) in (Role.AGENT, Role.SUPERVISOR)


def agents() -> QuerySet:
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(is_staff=True, groups__name__in=[AGENTS_GROUP, SUPERVISORS_GROUP])
        )
        .distinct()
    )


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


def ticket_search(qs: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    """`q`: a reference (`HD-000123`) finds that ticket; otherwise subject, description
    and exact transaction ids."""
    text = text.strip()
    if not text:
        return qs
    ticket_id = id_from_reference(text)
    if ticket_id is not None:
        return qs.filter(pk=ticket_id)
    condition = Q(subject__icontains=text) | Q(description__icontains=text)
    if connection.vendor == "postgresql":
        condition |= Q(transaction_ids__contains=[text])
    else:  # SQLite (the embedded run) has no JSON containment; a text match will do there.
        condition |= Q(transaction_ids__icontains=f'"{text}"')
    return qs.filter(condition)


def messages_for(user, ticket: Ticket) -> QuerySet[Message]:
    qs = ticket.messages.select_related("author").prefetch_related("attachments")
    if not is_agent(user):
        qs = qs.filter(internal=False)
    return qs


def history_for(ticket: Ticket) -> QuerySet[StatusChange]:
    return ticket.history.select_related("changed_by")


def attachment_for(user, *, ticket_id: int, attachment_id: int) -> Attachment | None:
    """The attachment if `user` may see its ticket, and its message for an internal note."""
    qs = Attachment.objects.filter(pk=attachment_id, ticket_id=ticket_id).select_related("message")
    if not is_agent(user):
        qs = qs.filter(ticket__requester=user).exclude(message__internal=True)
    return qs.first()

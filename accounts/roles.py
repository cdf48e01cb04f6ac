"""The desk's roles (SPEC §1): who is a requester, an agent or a supervisor, and what each
group may do in the admin.

Supervisors are superusers and staff in group Supervisors; agents are staff in group
Agents; everyone else (staff without a group included) is a requester. PERMISSIONS is the
one list of what the groups hold: after every `migrate` each group is given exactly these
(accounts/apps.py), so a new model's permissions are granted here and nowhere else.
"""

from enum import StrEnum

from django.contrib.auth import get_user_model
from django.db.models import QuerySet


class Role(StrEnum):
    REQUESTER = "requester"
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    SYSTEM = "system"  # the desk itself: automatic steps (auto-close, a reply reopening)


GROUPS = {Role.AGENT: "Agents", Role.SUPERVISOR: "Supervisors"}

_AGENT = frozenset(
    {
        "tickets.view_ticket",
        "tickets.change_ticket",
        "tickets.transition_ticket",
        "tickets.view_message",
        "tickets.add_message",
        "tickets.view_attachment",
        "tickets.add_attachment",
        "tickets.view_statuschange",
        "tickets.view_queue",
        "tickets.view_macro",
        "notifications.view_event",
    }
)
PERMISSIONS: dict[Role, frozenset[str]] = {
    Role.AGENT: _AGENT,
    Role.SUPERVISOR: _AGENT
    | {
        "tickets.add_queue",
        "tickets.change_queue",
        "tickets.delete_queue",
        "tickets.add_macro",
        "tickets.change_macro",
        "tickets.delete_macro",
        "helpcentre.view_article",
        "helpcentre.add_article",
        "helpcentre.change_article",
        "helpcentre.delete_article",
        "helpcentre.view_announcement",
        "helpcentre.add_announcement",
        "helpcentre.change_announcement",
        "helpcentre.delete_announcement",
        "helpcentre.view_solvedticket",
        "notifications.view_delivery",
        "notifications.view_webhookendpoint",
        "notifications.add_webhookendpoint",
        "notifications.change_webhookendpoint",
        "notifications.delete_webhookendpoint",
    },
}


def role_for(user) -> Role:
    """The user's role, worked out once per user object."""
    cached = getattr(user, "helpdesk_role", None)
    if cached is not None:
        return cached
    role = Role.REQUESTER
    if user.is_authenticated:
        if user.is_superuser:
            role = Role.SUPERVISOR
        elif user.is_staff:
            groups = set(user.groups.values_list("name", flat=True))
            if GROUPS[Role.SUPERVISOR] in groups:
                role = Role.SUPERVISOR
            elif GROUPS[Role.AGENT] in groups:
                role = Role.AGENT
    user.helpdesk_role = role
    return role


def is_agent(user) -> bool:
    """Agents and supervisors: the desk's staff."""
    return role_for(user) in (Role.AGENT, Role.SUPERVISOR)


def agents() -> QuerySet:
    """Active superusers and staff in the desk's groups. Built as a UNION of two indexed
    lookups (group members; superusers, with a partial index from tickets/0003): an OR
    across the groups join would read every user, and requesters are most of them."""
    users = get_user_model().objects
    members = users.filter(is_staff=True, groups__name__in=GROUPS.values())
    superusers = users.filter(is_superuser=True)
    return users.filter(is_active=True, pk__in=members.values("pk").union(superusers.values("pk")))

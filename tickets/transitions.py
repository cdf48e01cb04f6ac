"""The ticket lifecycle of SPEC §3 as data, plus pure checks. No ORM here."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.roles import Role

from .models import Status

A, R, S = Role.AGENT, Role.REQUESTER, Role.SYSTEM

# A role as the refusals name it, in the reader's language.
ROLE_LABELS = {
    Role.REQUESTER: gettext_lazy("requester"),
    Role.AGENT: gettext_lazy("agent"),
    Role.SUPERVISOR: gettext_lazy("supervisor"),
    Role.SYSTEM: gettext_lazy("the system"),
}

# from -> {to: roles that may take the step}. Supervisors may do whatever agents may.
# SYSTEM marks the steps SPEC §3 gives to nobody in person: pending -> open when the
# requester replies, and the auto-close. (An agent's first reply opens a ticket as that
# agent; a requester's reply reopens a resolved one as that requester, window included.)
TRANSITIONS: dict[Status, dict[Status, frozenset[Role]]] = {
    Status.NEW: {
        Status.OPEN: frozenset({A}),
        Status.PENDING: frozenset({A}),
        Status.ON_HOLD: frozenset({A}),
        Status.RESOLVED: frozenset({A}),
        Status.CLOSED: frozenset({A, R}),
    },
    Status.OPEN: {
        Status.PENDING: frozenset({A}),
        Status.ON_HOLD: frozenset({A}),
        Status.RESOLVED: frozenset({A}),
        Status.CLOSED: frozenset({A, R}),
    },
    Status.PENDING: {
        Status.OPEN: frozenset({A, S}),
        Status.ON_HOLD: frozenset({A}),
        Status.RESOLVED: frozenset({A}),
        Status.CLOSED: frozenset({A, R}),
    },
    Status.ON_HOLD: {
        Status.OPEN: frozenset({A}),
        Status.PENDING: frozenset({A}),
        Status.RESOLVED: frozenset({A}),
        Status.CLOSED: frozenset({A, R}),
    },
    Status.RESOLVED: {
        Status.OPEN: frozenset({A, R}),
        Status.CLOSED: frozenset({A, R, S}),
    },
    Status.CLOSED: {},
}

# Steps that need a reason from whoever takes them (an agent closing an unresolved
# ticket must say why: spam, duplicate...).
REASON_REQUIRED: dict[Role, frozenset[tuple[Status, Status]]] = {
    Role.AGENT: frozenset(
        (source, Status.CLOSED)
        for source in Status
        if source not in (Status.RESOLVED, Status.CLOSED)
    ),
}


def _table_role(role: Role) -> Role:
    return Role.AGENT if role is Role.SUPERVISOR else role


class RefusalKind(StrEnum):
    INVALID = "invalid"  # not a step from here for this user (409)
    FORBIDDEN = "forbidden"  # a step, but not for this role (403)
    REASON_REQUIRED = "reason_required"  # a step that needs a reason (400)


@dataclass(frozen=True)
class Refusal:
    kind: RefusalKind
    message: str


def allowed_targets(
    current: Status | str,
    role: Role,
    *,
    resolved_at: datetime | None = None,
    now: datetime | None = None,
    reopen_window: timedelta | None = None,
) -> list[Status]:
    """The statuses `role` may move a ticket to from `current`, in table order."""
    table_role = _table_role(role)
    return [
        target
        for target, roles in TRANSITIONS[Status(current)].items()
        if table_role in roles
        and not _outside_reopen_window(
            Status(current), target, role, resolved_at, now, reopen_window
        )
    ]


def _outside_reopen_window(
    current: Status,
    target: Status,
    role: Role,
    resolved_at: datetime | None,
    now: datetime | None,
    window: timedelta | None,
) -> bool:
    if not (role is Role.REQUESTER and current is Status.RESOLVED and target is Status.OPEN):
        return False
    if resolved_at is None or now is None or window is None:
        return False
    return now - resolved_at > window


def check(
    current: Status | str,
    target: Status | str,
    role: Role,
    *,
    reason: str = "",
    resolved_at: datetime | None = None,
    now: datetime | None = None,
    reopen_window: timedelta | None = None,
) -> Refusal | None:
    """None when `role` may move the ticket from `current` to `target`, else the refusal."""
    current, target = Status(current), Status(target)
    roles = TRANSITIONS[current].get(target)
    if not roles:
        return Refusal(
            RefusalKind.INVALID,
            _("A ticket cannot go from %(from)s to %(to)s.")
            % {"from": current.label, "to": target.label},
        )
    if _table_role(role) not in roles:
        return Refusal(
            RefusalKind.FORBIDDEN,
            _("A %(role)s may not move a ticket from %(from)s to %(to)s.")
            % {"role": ROLE_LABELS[role], "from": current.label, "to": target.label},
        )
    if _outside_reopen_window(current, target, role, resolved_at, now, reopen_window):
        return Refusal(RefusalKind.INVALID, _("The reopen window for this ticket has passed."))
    if reason_required(current, target, role) and not reason.strip():
        return Refusal(RefusalKind.REASON_REQUIRED, _("A reason is required for this step."))
    return None


def reason_required(current: Status | str, target: Status | str, role: Role) -> bool:
    return (Status(current), Status(target)) in REASON_REQUIRED.get(_table_role(role), frozenset())

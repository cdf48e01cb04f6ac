"""The lifecycle of SPEC §3, table-driven.

The expected table is written out here by hand from the SPEC, never read from
tickets.transitions.TRANSITIONS: a test that derived its expectations from the code under
test could never fail.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from tests.factories import ticket_in
from tests.helpers import assert_history_consistent, history_steps
from tickets import services, transitions
from tickets.errors import InvalidTransition, ReasonRequired, TransitionForbidden
from tickets.models import Status, Ticket
from tickets.transitions import RefusalKind

STATUSES = ["new", "open", "pending", "on_hold", "resolved", "closed"]

# One grid per role. Rows: from; columns: to, in the order of STATUSES.
# A = allowed; F = forbidden (the step exists, for another role: 403);
# I = invalid (no such step from here for anybody: 409).
# Supervisors do everything agents do (SPEC §1). The system's steps are the automatic
# ones SPEC §3 names: pending -> open when the requester replies, and the auto-close.
SPEC_TABLE = {
    Role.AGENT: """
                 new  open  pending  on_hold  resolved  closed
        new       I    A      A        A        A         A
        open      I    I      A        A        A         A
        pending   I    A      I        A        A         A
        on_hold   I    A      A        I        A         A
        resolved  I    A      I        I        I         A
        closed    I    I      I        I        I         I
    """,
    Role.SUPERVISOR: """
                 new  open  pending  on_hold  resolved  closed
        new       I    A      A        A        A         A
        open      I    I      A        A        A         A
        pending   I    A      I        A        A         A
        on_hold   I    A      A        I        A         A
        resolved  I    A      I        I        I         A
        closed    I    I      I        I        I         I
    """,
    Role.REQUESTER: """
                 new  open  pending  on_hold  resolved  closed
        new       I    F      F        F        F         A
        open      I    I      F        F        F         A
        pending   I    F      I        F        F         A
        on_hold   I    F      F        I        F         A
        resolved  I    A      I        I        I         A
        closed    I    I      I        I        I         I
    """,
    Role.SYSTEM: """
                 new  open  pending  on_hold  resolved  closed
        new       I    F      F        F        F         F
        open      I    I      F        F        F         F
        pending   I    A      I        F        F         F
        on_hold   I    F      F        I        F         F
        resolved  I    F      I        I        I         A
        closed    I    I      I        I        I         I
    """,
}


def _parse(grid: str) -> dict[tuple[str, str], str]:
    header, *rows = [line.split() for line in grid.strip().splitlines()]
    assert header == STATUSES
    cells = {}
    for source, *marks in rows:
        assert len(marks) == len(STATUSES), source
        cells.update({(source, target): mark for target, mark in zip(STATUSES, marks, strict=True)})
    assert len(cells) == len(STATUSES) ** 2
    return cells


EXPECTED = {role: _parse(grid) for role, grid in SPEC_TABLE.items()}
CASES = [
    pytest.param(role, source, target, mark, id=f"{role}:{source}->{target}")
    for role, cells in EXPECTED.items()
    for (source, target), mark in cells.items()
]
KINDS = {"I": RefusalKind.INVALID, "F": RefusalKind.FORBIDDEN}
ERRORS = {"I": InvalidTransition, "F": TransitionForbidden}


def test_the_table_covers_every_pair_for_every_role():
    assert set(EXPECTED) == set(Role)
    assert len(CASES) == 4 * 6 * 6


@pytest.mark.parametrize(("role", "source", "target", "mark"), CASES)
def test_check_follows_the_spec_table(role, source, target, mark):
    # given a reason, so only the table decides (the reason rule is tested below)
    refusal = transitions.check(source, target, role, reason="duplicate of HD-000001")

    if mark == "A":
        assert refusal is None
    else:
        assert refusal is not None
        assert refusal.kind is KINDS[mark]


@pytest.mark.parametrize(("role", "source", "target", "mark"), CASES)
def test_the_service_applies_the_spec_table(role, source, target, mark, agent, supervisor):
    # given a ticket brought to `source` by an agent, resolved just now if it is resolved
    ticket = ticket_in(source, agent=agent)
    actor = {
        Role.AGENT: agent,
        Role.SUPERVISOR: supervisor,
        Role.REQUESTER: ticket.requester,
        Role.SYSTEM: None,
    }[role]
    steps_before = history_steps(ticket)

    # when the actor asks for `target`
    if mark == "A":
        changed = services.ticket_transition(
            ticket=ticket, to=target, actor=actor, reason="duplicate of HD-000001"
        )
        # then the ticket moved, and the history says who moved it
        assert Ticket.objects.get(pk=ticket.pk).status == target == changed.status
        assert history_steps(ticket) == [*steps_before, (source, target)]
        assert ticket.history.last().changed_by == actor
    else:
        with pytest.raises(ERRORS[mark]):
            services.ticket_transition(
                ticket=ticket, to=target, actor=actor, reason="duplicate of HD-000001"
            )
        # then nothing moved
        assert Ticket.objects.get(pk=ticket.pk).status == source
        assert history_steps(ticket) == steps_before
    assert_history_consistent(ticket)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("source", STATUSES)
def test_allowed_targets_lists_the_allowed_cells_in_table_order(role, source):
    expected = [target for target in STATUSES if EXPECTED[role][(source, target)] == "A"]

    assert [str(status) for status in transitions.allowed_targets(source, role)] == expected


# --- An agent closing an unresolved ticket must say why (spam, duplicate...) ---


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR])
@pytest.mark.parametrize("source", ["new", "open", "pending", "on_hold"])
@pytest.mark.parametrize("reason", ["", "   \n"])
def test_agent_closing_an_unresolved_ticket_needs_a_reason(role, source, reason):
    refusal = transitions.check(source, "closed", role, reason=reason)

    assert refusal is not None
    assert refusal.kind is RefusalKind.REASON_REQUIRED


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR])
@pytest.mark.parametrize("source", ["new", "open", "pending", "on_hold"])
def test_agent_closing_an_unresolved_ticket_with_a_reason_is_allowed(role, source):
    assert transitions.check(source, "closed", role, reason="spam") is None


def test_closing_a_resolved_ticket_needs_no_reason():
    assert transitions.check("resolved", "closed", Role.AGENT) is None
    assert transitions.check("resolved", "closed", Role.REQUESTER) is None
    assert transitions.check("resolved", "closed", Role.SYSTEM) is None


@pytest.mark.parametrize("source", ["new", "open", "pending", "on_hold"])
def test_requester_withdraws_without_a_reason(source):
    assert transitions.check(source, "closed", Role.REQUESTER) is None


@pytest.mark.parametrize("source", ["open", "pending", "on_hold"])
def test_other_agent_steps_need_no_reason(source):
    assert transitions.check(source, "resolved", Role.AGENT) is None


def test_the_service_refuses_an_agent_close_without_reason(agent):
    # given an open ticket
    ticket = ticket_in("open", agent=agent)

    # when the agent closes it without saying why, then it is refused and stays open
    with pytest.raises(ReasonRequired) as refused:
        services.ticket_transition(ticket=ticket, to="closed", actor=agent, reason=" ")
    assert "reason" in refused.value.extra["errors"]
    assert Ticket.objects.get(pk=ticket.pk).status == "open"


# --- The requester's reopen window ---

WINDOW = timedelta(days=7)


@pytest.mark.parametrize(
    ("resolved_ago", "reopen_allowed"),
    [
        (timedelta(minutes=1), True),
        (timedelta(days=6, hours=23), True),
        (timedelta(days=7), True),  # "within" includes the last instant
        (timedelta(days=7, seconds=1), False),
        (timedelta(days=30), False),
    ],
)
def test_requester_reopens_only_within_the_window(resolved_ago, reopen_allowed):
    now = timezone.now()
    kwargs = {"resolved_at": now - resolved_ago, "now": now, "reopen_window": WINDOW}

    refusal = transitions.check("resolved", "open", Role.REQUESTER, **kwargs)
    targets = transitions.allowed_targets("resolved", Role.REQUESTER, **kwargs)

    if reopen_allowed:
        assert refusal is None
        assert targets == ["open", "closed"]
    else:
        assert refusal.kind is RefusalKind.INVALID
        assert targets == ["closed"]  # confirming stays possible


def test_the_window_does_not_bind_agents():
    now = timezone.now()
    long_ago = {"resolved_at": now - timedelta(days=90), "now": now, "reopen_window": WINDOW}

    assert transitions.check("resolved", "open", Role.AGENT, **long_ago) is None
    assert transitions.allowed_targets("resolved", Role.AGENT, **long_ago) == ["open", "closed"]


def test_the_service_window_comes_from_settings(agent, settings):
    # given a ticket resolved REOPEN_WINDOW_DAYS and one hour ago
    settings.REOPEN_WINDOW_DAYS = 3
    ticket = ticket_in("resolved", agent=agent)
    Ticket.objects.filter(pk=ticket.pk).update(
        resolved_at=timezone.now() - timedelta(days=3, hours=1)
    )

    # when the requester reopens it, then it is too late: 409 with what they may still do
    with pytest.raises(InvalidTransition) as refused:
        services.ticket_transition(ticket=ticket, to="open", actor=ticket.requester)
    assert refused.value.extra["allowed"] == ["closed"]
    assert Ticket.objects.get(pk=ticket.pk).status == "resolved"

    # and with the default window of 7 days it would still have been in time
    settings.REOPEN_WINDOW_DAYS = 7
    reopened = services.ticket_transition(ticket=ticket, to="open", actor=ticket.requester)
    assert reopened.status == "open"
    assert_history_consistent(ticket)


def test_default_reopen_window_is_seven_days(settings):
    assert settings.REOPEN_WINDOW_DAYS == 7


# --- What a refusal tells the user ---


def test_a_refusal_lists_what_the_user_may_do_instead(agent):
    ticket = ticket_in("open", agent=agent)

    with pytest.raises(TransitionForbidden) as forbidden:
        services.ticket_transition(ticket=ticket, to="resolved", actor=ticket.requester)
    with pytest.raises(InvalidTransition) as invalid:
        services.ticket_transition(ticket=ticket, to="new", actor=agent)

    assert forbidden.value.extra["allowed"] == ["closed"]
    assert invalid.value.extra["allowed"] == ["pending", "on_hold", "resolved", "closed"]


def test_nothing_is_allowed_from_closed(agent):
    ticket = ticket_in(Status.CLOSED, agent=agent)

    with pytest.raises(InvalidTransition) as refused:
        services.ticket_transition(ticket=ticket, to="open", actor=agent)

    assert refused.value.status == 409
    assert refused.value.extra["allowed"] == []

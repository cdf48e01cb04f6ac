"""The ticket services: every write, its history row and its version, and what is refused."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from tests.factories import AgentFactory, TicketFactory, UserFactory, ticket_in
from tests.helpers import assert_history_consistent, history_steps
from tickets import services, tasks
from tickets.errors import (
    IdempotencyConflict,
    InvalidField,
    InvalidTransition,
    ReasonRequired,
    TicketClosed,
    TransitionForbidden,
    VersionConflict,
)
from tickets.models import IdempotencyKey, Message, Queue, Status, StatusChange, Ticket


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def snapshot(ticket: Ticket) -> tuple:
    """What a refused action must leave untouched, read from the database."""
    stored = fresh(ticket)
    return (
        stored.status,
        stored.version,
        stored.resolved_at,
        stored.closed_at,
        history_steps(ticket),
        Message.objects.filter(ticket=ticket).count(),
    )


def resolved_days_ago(ticket: Ticket, days: float) -> None:
    # Only the clock is moved: the ticket really went through `resolved`.
    Ticket.objects.filter(pk=ticket.pk).update(resolved_at=timezone.now() - timedelta(days=days))


# --- ticket_create ---


def test_create_writes_one_history_row_from_null_to_new(requester):
    ticket = services.ticket_create(
        requester=requester,
        subject="2FA reset",
        description="I lost my phone and cannot log in.",
        category="security",
    )

    rows = list(StatusChange.objects.filter(ticket=ticket))
    assert [(row.from_status, row.to_status, row.changed_by) for row in rows] == [
        (None, "new", requester)
    ]
    stored = fresh(ticket)
    assert stored.status == "new"
    assert stored.version == 1
    assert stored.reference == f"HD-{ticket.pk:06d}"
    assert_history_consistent(ticket)


@pytest.mark.parametrize(
    ("category", "queue_slug"),
    [
        ("security", "security"),
        ("deposit_withdrawal", "deposits-withdrawals"),
        ("other", "general"),
    ],
)
def test_create_puts_the_ticket_in_its_categorys_default_queue(requester, category, queue_slug):
    ticket = services.ticket_create(
        requester=requester, subject="Help", description="Please help.", category=category
    )

    assert fresh(ticket).queue == Queue.objects.get(slug=queue_slug)


def test_create_stores_the_structured_details(requester):
    ticket = services.ticket_create(
        requester=requester,
        subject="Order stuck",
        description="My futures order is stuck.",
        category="trading",
        error_code="E1024",
        transaction_ids=["ord-991"],
    )

    stored = fresh(ticket)
    assert (stored.error_code, stored.transaction_ids) == ("E1024", ["ord-991"])


# --- ticket_transition ---

# One walk through every kind of step: (target, actor, reason).
WALK = [
    ("open", "agent", ""),
    ("pending", "agent", "need the TxID"),
    ("on_hold", "agent", "escalated to the wallet team"),
    ("resolved", "agent", "credited"),
    ("open", "requester", "still missing"),
    ("resolved", "agent", ""),
    ("closed", "requester", "thanks"),
]


def test_every_transition_writes_one_history_row_and_bumps_the_version(agent):
    ticket = TicketFactory()
    actors = {"agent": agent, "requester": ticket.requester}

    for target, actor_name, reason in WALK:
        before = fresh(ticket)
        history_before = StatusChange.objects.filter(ticket=ticket).count()

        services.ticket_transition(
            ticket=ticket, to=target, actor=actors[actor_name], reason=reason
        )

        after = fresh(ticket)
        new_rows = list(StatusChange.objects.filter(ticket=ticket)[history_before:])
        assert len(new_rows) == 1
        row = new_rows[0]
        assert (row.from_status, row.to_status) == (before.status, target)
        assert (row.changed_by, row.reason) == (actors[actor_name], reason)
        assert after.status == target
        assert after.version == before.version + 1
        assert_history_consistent(ticket)


def test_resolving_sets_resolved_at_and_reopening_clears_it(agent):
    ticket = ticket_in("open", agent=agent)
    assert fresh(ticket).resolved_at is None

    services.ticket_transition(ticket=ticket, to="resolved", actor=agent)
    resolved_at = fresh(ticket).resolved_at
    assert resolved_at is not None

    services.ticket_transition(ticket=ticket, to="open", actor=ticket.requester)
    assert fresh(ticket).resolved_at is None
    assert fresh(ticket).closed_at is None
    assert_history_consistent(ticket)


def test_closing_sets_closed_at_and_keeps_the_resolution(agent):
    ticket = ticket_in("resolved", agent=agent)
    resolved_at = fresh(ticket).resolved_at

    services.ticket_transition(ticket=ticket, to="closed", actor=ticket.requester)

    stored = fresh(ticket)
    assert stored.closed_at is not None
    assert stored.closed_at >= resolved_at
    assert stored.resolved_at == resolved_at


def test_withdrawing_sets_closed_at_without_a_resolution(requester, agent):
    ticket = ticket_in("on_hold", agent=agent, requester=requester)

    services.ticket_transition(ticket=ticket, to="closed", actor=requester)

    stored = fresh(ticket)
    assert (stored.status, stored.resolved_at) == ("closed", None)
    assert stored.closed_at is not None


@pytest.mark.parametrize(
    ("status", "target", "actor_name", "reason", "error"),
    [
        ("open", "new", "agent", "", InvalidTransition),
        ("pending", "pending", "agent", "", InvalidTransition),
        ("open", "resolved", "requester", "", TransitionForbidden),
        ("new", "open", "system", "", TransitionForbidden),
        ("open", "closed", "agent", "", ReasonRequired),
        ("closed", "open", "agent", "reopen", InvalidTransition),
        ("closed", "closed", "requester", "", InvalidTransition),
    ],
)
def test_a_refused_transition_writes_nothing(agent, status, target, actor_name, reason, error):
    ticket = ticket_in(status, agent=agent)
    actor = {"agent": agent, "requester": ticket.requester, "system": None}[actor_name]
    before = snapshot(ticket)

    with pytest.raises(error):
        services.ticket_transition(ticket=ticket, to=target, actor=actor, reason=reason)

    assert snapshot(ticket) == before
    assert_history_consistent(ticket)


def test_requester_reopen_after_the_window_writes_nothing(agent, settings):
    ticket = ticket_in("resolved", agent=agent)
    resolved_days_ago(ticket, settings.REOPEN_WINDOW_DAYS + 1)
    before = snapshot(ticket)

    with pytest.raises(InvalidTransition):
        services.ticket_transition(ticket=ticket, to="open", actor=ticket.requester)

    assert snapshot(ticket) == before


# --- message_add and its automatic steps ---


def test_first_public_agent_reply_opens_a_new_ticket(agent):
    ticket = TicketFactory()

    services.message_add(ticket=ticket, author=agent, body="We are looking into it.")

    stored = fresh(ticket)
    assert stored.status == "open"
    assert stored.first_response_at is not None
    assert stored.version == 2
    assert history_steps(ticket) == [(None, "new"), ("new", "open")]
    assert ticket.history.last().changed_by == agent
    assert_history_consistent(ticket)


def test_a_later_reply_keeps_the_first_response_time(agent):
    ticket = TicketFactory()
    services.message_add(ticket=ticket, author=agent, body="Looking into it.")
    first_response_at = fresh(ticket).first_response_at

    services.message_add(ticket=ticket, author=AgentFactory(), body="Found it.")

    assert fresh(ticket).first_response_at == first_response_at
    assert history_steps(ticket) == [(None, "new"), ("new", "open")]


def test_an_internal_note_neither_opens_the_ticket_nor_counts_as_a_response(agent):
    ticket = TicketFactory()

    services.message_add(ticket=ticket, author=agent, body="Looks like spam.", internal=True)

    stored = fresh(ticket)
    assert (stored.status, stored.first_response_at) == ("new", None)
    assert history_steps(ticket) == [(None, "new")]
    assert Message.objects.get(ticket=ticket).internal is True


def test_first_public_reply_naming_pending_goes_straight_from_new_to_pending(agent):
    ticket = TicketFactory()

    services.message_add(
        ticket=ticket, author=agent, body="Please send the TxID.", status="pending"
    )

    stored = fresh(ticket)
    assert stored.status == "pending"
    assert stored.first_response_at is not None
    assert history_steps(ticket) == [(None, "new"), ("new", "pending")]
    assert stored.version == 2
    assert_history_consistent(ticket)


def test_a_reply_whose_status_is_refused_is_not_kept(agent):
    ticket = ticket_in("open", agent=agent)
    before = snapshot(ticket)

    with pytest.raises(InvalidTransition):
        services.message_add(ticket=ticket, author=agent, body="Done.", status="new")

    assert snapshot(ticket) == before


def test_requester_reply_on_pending_reopens_it(agent):
    ticket = ticket_in("pending", agent=agent)

    services.message_add(ticket=ticket, author=ticket.requester, body="TxID: 0xabc")

    assert fresh(ticket).status == "open"
    assert history_steps(ticket)[-1] == ("pending", "open")
    assert ticket.history.last().changed_by == ticket.requester
    assert_history_consistent(ticket)


def test_requester_reply_on_a_recently_resolved_ticket_reopens_it(agent):
    ticket = ticket_in("resolved", agent=agent)
    resolved_days_ago(ticket, 2)

    services.message_add(ticket=ticket, author=ticket.requester, body="Still not there.")

    stored = fresh(ticket)
    assert (stored.status, stored.resolved_at) == ("open", None)
    assert history_steps(ticket)[-1] == ("resolved", "open")
    assert_history_consistent(ticket)


def test_requester_reply_after_the_reopen_window_leaves_it_resolved(agent, settings):
    ticket = ticket_in("resolved", agent=agent)
    resolved_days_ago(ticket, settings.REOPEN_WINDOW_DAYS + 1)
    steps = history_steps(ticket)

    services.message_add(ticket=ticket, author=ticket.requester, body="Thanks again!")

    assert fresh(ticket).status == "resolved"
    assert history_steps(ticket) == steps
    assert Message.objects.filter(ticket=ticket).count() == 1


@pytest.mark.parametrize("status", ["new", "open", "on_hold"])
def test_requester_reply_elsewhere_does_not_move_the_ticket(agent, status):
    ticket = ticket_in(status, agent=agent)
    steps = history_steps(ticket)

    services.message_add(ticket=ticket, author=ticket.requester, body="Any news?")

    assert fresh(ticket).status == status
    assert history_steps(ticket) == steps


def test_requester_cannot_write_an_internal_note(agent):
    ticket = ticket_in("open", agent=agent)
    before = snapshot(ticket)

    with pytest.raises(TransitionForbidden):
        services.message_add(ticket=ticket, author=ticket.requester, body="psst", internal=True)

    assert snapshot(ticket) == before


@pytest.mark.parametrize(
    ("author_name", "internal"), [("requester", False), ("agent", False), ("agent", True)]
)
def test_nothing_can_be_added_to_a_closed_ticket(agent, author_name, internal):
    ticket = ticket_in("closed", agent=agent)
    author = {"agent": agent, "requester": ticket.requester}[author_name]
    before = snapshot(ticket)

    with pytest.raises(TicketClosed):
        services.message_add(ticket=ticket, author=author, body="Hello?", internal=internal)
    with pytest.raises(TicketClosed):
        services.ticket_update(ticket=ticket, actor=agent, data={"priority": "high"})

    assert snapshot(ticket) == before
    assert fresh(ticket).priority == "normal"


# --- ticket_update ---


def test_agent_changes_the_triage_fields_in_one_version(agent):
    ticket = TicketFactory()
    colleague = AgentFactory()
    queue = Queue.objects.get(slug="security")

    services.ticket_update(
        ticket=ticket,
        actor=agent,
        data={
            "priority": "urgent",
            "category": "security",
            "queue": queue,
            "assignee": colleague,
            "tags": ["phishing"],
        },
    )

    stored = fresh(ticket)
    assert (stored.priority, stored.category, stored.queue, stored.assignee, stored.tags) == (
        "urgent",
        "security",
        queue,
        colleague,
        ["phishing"],
    )
    assert stored.version == 2
    assert history_steps(ticket) == [(None, "new")]  # fields are not status history


def test_supervisor_may_be_assigned_and_unassigned(agent, supervisor):
    ticket = TicketFactory()

    services.ticket_update(ticket=ticket, actor=agent, data={"assignee": supervisor})
    assert fresh(ticket).assignee == supervisor

    services.ticket_update(ticket=ticket, actor=agent, data={"assignee": None})
    assert fresh(ticket).assignee is None
    assert fresh(ticket).version == 3


def test_requester_changes_the_structured_details(requester):
    ticket = TicketFactory(requester=requester)
    occurred_at = timezone.now() - timedelta(hours=3)

    services.ticket_update(
        ticket=ticket,
        actor=requester,
        data={
            "occurred_at": occurred_at,
            "error_code": "WD-503",
            "transaction_ids": ["0x" + "ab" * 32],
            "steps_to_reproduce": "Withdraw 10 USDT on TRC20.",
            "contact_phone": "+65 6000 0000",
        },
    )

    stored = fresh(ticket)
    assert stored.occurred_at == occurred_at
    assert stored.error_code == "WD-503"
    assert stored.transaction_ids == ["0x" + "ab" * 32]
    assert stored.contact_phone == "+65 6000 0000"
    assert stored.version == 2


@pytest.mark.parametrize(
    ("actor_name", "data", "field"),
    [
        ("requester", {"priority": "urgent"}, "priority"),
        ("requester", {"assignee": None}, "assignee"),
        ("requester", {"status": "closed"}, "status"),
        ("agent", {"error_code": "X"}, "error_code"),
        ("agent", {"status": "closed"}, "status"),
        ("agent", {"priority": "high", "subject": "Spam"}, "subject"),
    ],
)
def test_fields_outside_the_role_are_refused_and_nothing_changes(agent, actor_name, data, field):
    ticket = TicketFactory()
    actor = {"agent": agent, "requester": ticket.requester}[actor_name]
    before = snapshot(ticket)

    with pytest.raises(InvalidField) as refused:
        services.ticket_update(ticket=ticket, actor=actor, data=data)

    assert field in refused.value.extra["errors"]
    assert snapshot(ticket) == before
    assert fresh(ticket).priority == "normal"


def test_assignee_must_be_an_agent(agent):
    ticket = TicketFactory()
    customer = UserFactory()

    with pytest.raises(InvalidField) as refused:
        services.ticket_update(ticket=ticket, actor=agent, data={"assignee": customer})

    assert "assignee" in refused.value.extra["errors"]
    assert fresh(ticket).assignee is None
    assert fresh(ticket).version == 1


def test_staff_without_an_agent_group_cannot_be_assigned(agent):
    ticket = TicketFactory()
    staff = UserFactory(is_staff=True)

    with pytest.raises(InvalidField):
        services.ticket_update(ticket=ticket, actor=agent, data={"assignee": staff})


def test_a_stale_version_is_refused_and_nothing_is_written(agent):
    ticket = TicketFactory()
    read_version = fresh(ticket).version
    services.ticket_update(ticket=ticket, actor=AgentFactory(), data={"priority": "high"})

    with pytest.raises(VersionConflict) as refused:
        services.ticket_update(
            ticket=ticket, actor=agent, data={"priority": "low"}, expected_version=read_version
        )

    assert refused.value.extra["version"] == read_version + 1
    stored = fresh(ticket)
    assert (stored.priority, stored.version) == ("high", read_version + 1)


def test_the_current_version_is_accepted(agent):
    ticket = TicketFactory()

    services.ticket_update(ticket=ticket, actor=agent, data={"tags": ["kyc"]}, expected_version=1)

    assert (fresh(ticket).tags, fresh(ticket).version) == (["kyc"], 2)


def test_a_no_op_update_does_not_bump_the_version(agent):
    ticket = TicketFactory(priority="high")
    updated_at = fresh(ticket).updated_at

    services.ticket_update(
        ticket=ticket, actor=agent, data={"priority": "high", "assignee": None, "tags": []}
    )

    stored = fresh(ticket)
    assert (stored.version, stored.updated_at) == (1, updated_at)


# --- ticket_create_idempotent ---

FIELDS = {"subject": "Deposit missing", "description": "BTC deposit not credited."}


def test_the_same_request_twice_creates_one_ticket(requester):
    first, created = services.ticket_create_idempotent(
        requester=requester, key="k-1", fingerprint="f-1", **FIELDS
    )
    again, created_again = services.ticket_create_idempotent(
        requester=requester, key="k-1", fingerprint="f-1", **FIELDS
    )

    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Ticket.objects.filter(requester=requester).count() == 1
    assert history_steps(first) == [(None, "new")]


def test_the_same_key_with_another_request_is_a_conflict(requester):
    services.ticket_create_idempotent(requester=requester, key="k-1", fingerprint="f-1", **FIELDS)

    with pytest.raises(IdempotencyConflict):
        services.ticket_create_idempotent(
            requester=requester, key="k-1", fingerprint="f-2", **{**FIELDS, "subject": "Other"}
        )

    assert Ticket.objects.filter(requester=requester).count() == 1


def test_keys_belong_to_one_requester(requester, other_requester):
    mine, _ = services.ticket_create_idempotent(
        requester=requester, key="k-1", fingerprint="f-1", **FIELDS
    )
    theirs, created = services.ticket_create_idempotent(
        requester=other_requester, key="k-1", fingerprint="f-1", **FIELDS
    )

    assert created is True
    assert theirs.pk != mine.pk


def test_an_expired_key_is_forgotten(requester, settings):
    first, _ = services.ticket_create_idempotent(
        requester=requester, key="k-1", fingerprint="f-1", **FIELDS
    )
    IdempotencyKey.objects.filter(user=requester).update(
        created_at=timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS, minutes=1)
    )

    second, created = services.ticket_create_idempotent(
        requester=requester, key="k-1", fingerprint="f-2", **FIELDS
    )

    assert created is True
    assert second.pk != first.pk
    assert Ticket.objects.filter(requester=requester).count() == 2


def test_a_key_within_its_ttl_is_remembered(requester, settings):
    first, _ = services.ticket_create_idempotent(
        requester=requester, key="k-1", fingerprint="f-1", **FIELDS
    )
    IdempotencyKey.objects.filter(user=requester).update(
        created_at=timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS - 1)
    )

    again, created = services.ticket_create_idempotent(
        requester=requester, key="k-1", fingerprint="f-1", **FIELDS
    )

    assert (again.pk, created) == (first.pk, False)


# --- tickets_auto_close and its Celery task ---


@pytest.fixture
def resolved_tickets(agent, settings):
    """Resolved 1 day, just under AUTO_CLOSE_DAYS, and AUTO_CLOSE_DAYS + 1 days ago; plus
    an open ticket and one left pending for months."""
    days = settings.AUTO_CLOSE_DAYS
    tickets = {}
    for name, ago in [("recent", 1), ("borderline", days - 0.01), ("old", days + 1)]:
        tickets[name] = ticket_in("resolved", agent=agent)
        resolved_days_ago(tickets[name], ago)
    tickets["open"] = ticket_in("open", agent=agent)
    tickets["pending"] = ticket_in("pending", agent=agent)
    Ticket.objects.filter(pk=tickets["pending"].pk).update(
        updated_at=timezone.now() - timedelta(days=90)
    )
    return tickets


def assert_only_the_old_one_closed(tickets) -> None:
    statuses = {name: fresh(ticket).status for name, ticket in tickets.items()}
    assert statuses == {
        "recent": "resolved",
        "borderline": "resolved",
        "old": "closed",
        "open": "open",
        "pending": "pending",
    }
    old = fresh(tickets["old"])
    row = old.history.last()
    assert (row.from_status, row.to_status, row.changed_by) == ("resolved", "closed", None)
    assert row.reason.strip()
    assert old.closed_at is not None
    assert old.version == 3  # created, resolved, closed
    for ticket in tickets.values():
        assert_history_consistent(ticket)


def test_auto_close_closes_only_tickets_resolved_long_enough_ago(resolved_tickets):
    closed = services.tickets_auto_close()

    assert closed == 1
    assert_only_the_old_one_closed(resolved_tickets)


def test_auto_close_spares_a_ticket_resolved_exactly_auto_close_days_ago(agent, settings):
    now = timezone.now()
    ticket = ticket_in("resolved", agent=agent)
    Ticket.objects.filter(pk=ticket.pk).update(
        resolved_at=now - timedelta(days=settings.AUTO_CLOSE_DAYS)
    )

    assert services.tickets_auto_close(now=now) == 0
    assert services.tickets_auto_close(now=now + timedelta(seconds=1)) == 1
    assert fresh(ticket).status == "closed"
    assert_history_consistent(ticket)


def test_auto_close_runs_from_the_celery_task(resolved_tickets):
    result = tasks.auto_close_resolved.apply()

    assert result.successful()
    assert result.get() == 1
    assert_only_the_old_one_closed(resolved_tickets)


def test_auto_close_twice_closes_nothing_more(resolved_tickets):
    services.tickets_auto_close()
    steps = history_steps(resolved_tickets["old"])

    assert services.tickets_auto_close() == 0
    assert history_steps(resolved_tickets["old"]) == steps


# --- History is append-only ---


@pytest.fixture
def history_row(agent):
    ticket = ticket_in("open", agent=agent)
    return ticket.history.last()


def test_a_history_row_cannot_be_saved_again(history_row):
    history_row.reason = "rewritten"

    with pytest.raises(TypeError):
        history_row.save()

    assert StatusChange.objects.get(pk=history_row.pk).reason == "test setup"


def test_a_history_row_cannot_be_deleted(history_row):
    with pytest.raises(TypeError):
        history_row.delete()

    assert StatusChange.objects.filter(pk=history_row.pk).exists()


@pytest.mark.parametrize(
    "write",
    [
        lambda row: StatusChange.objects.filter(pk=row.pk).update(reason="rewritten"),
        lambda row: StatusChange.objects.filter(pk=row.pk).delete(),
        lambda row: StatusChange.objects.all().delete(),
        lambda row: row.ticket.history.update(to_status="closed"),
        lambda row: row.ticket.history.all().delete(),
        lambda row: StatusChange.objects.bulk_update([row], ["reason"]),
    ],
    ids=["update", "delete", "delete-all", "related-update", "related-delete", "bulk-update"],
)
def test_querysets_cannot_rewrite_history(history_row, write):
    steps = history_steps(history_row.ticket)

    # (in a savepoint: bulk_update's own atomic block would break the test's transaction)
    with pytest.raises(TypeError), transaction.atomic():
        write(history_row)

    assert history_steps(history_row.ticket) == steps
    assert StatusChange.objects.get(pk=history_row.pk).reason == "test setup"


def test_a_status_change_reads_the_people_it_notifies_with_the_ticket(
    agent, django_assert_num_queries
):
    """The lock reads requester, assignee and their preferences in one query: a change
    costs the same whoever is on the ticket. In the test's transaction: savepoint, lock,
    history row, the assignee's role, event, the ticket, release. (The deliveries are the
    worker's.)"""
    for assignee in (AgentFactory(), AgentFactory()):
        ticket = services.ticket_update(
            ticket=TicketFactory(), actor=agent, data={"assignee": assignee}
        )
        ticket = Ticket.objects.get(pk=ticket.pk)  # nothing cached on it

        with django_assert_num_queries(7):
            services.ticket_transition(ticket=ticket, to=Status.OPEN, actor=agent)

"""Races on one ticket, with real concurrent PostgreSQL connections (one per thread).

Each test starts its callers together on a barrier; the row lock taken by the services
must turn the race into a sequence: one history row and one version per successful call,
and a history chain with no fork in it.
"""

import threading
from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections

from tests.factories import AgentFactory, TicketFactory, ticket_in
from tests.helpers import assert_history_consistent, history_steps
from tickets import services
from tickets.errors import InvalidTransition, VersionConflict
from tickets.models import Message, StatusChange, Ticket

# Each thread has its own connection, so the data must really be committed. (No
# serialized_rollback: these tests need none of the migrations' rows, since the factories
# make the role groups themselves, and it would clash with the content types that
# post_migrate recreates after another transactional test's flush.)
pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 3
TIMEOUT = 10


def run_together(*calls: Callable[[], object]) -> list[tuple[str, object]]:
    """Run each call in its own thread, released at the same instant. Returns, in order,
    ("ok", result) or ("error", exception)."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[tuple[str, object] | None] = [None] * len(calls)

    def worker(index: int, call: Callable[[], object]) -> None:
        try:
            connection.ensure_connection()  # connect first, so only the calls race
            barrier.wait(timeout=TIMEOUT)
            outcomes[index] = ("ok", call())
        except Exception as exc:  # noqa: BLE001 - the test inspects every failure
            outcomes[index] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a caller hung"
    return outcomes


def user(pk: int):
    """Each thread loads its own user object, as each request would."""
    return get_user_model().objects.get(pk=pk)


def transition_call(ticket_id: int, actor_id: int | None, to: str):
    def call():
        actor = user(actor_id) if actor_id else None
        ticket = Ticket.objects.get(pk=ticket_id)
        return services.ticket_transition(ticket=ticket, to=to, actor=actor, reason="race")

    return call


def test_six_agents_moving_a_new_ticket_at_once_leave_one_history_chain():
    agents = [AgentFactory() for _ in range(6)]
    targets = ["new", "open", "pending", "on_hold", "resolved", "closed"]

    for _round in range(ROUNDS):
        # given a new ticket
        ticket = TicketFactory()

        # when six agents each move it somewhere else at the same instant
        outcomes = run_together(
            *(
                transition_call(ticket.pk, agent.pk, target)
                for agent, target in zip(agents, targets, strict=True)
            )
        )

        # then every loser was told it came too late, never a database error
        errors = [value for kind, value in outcomes if kind == "error"]
        assert all(isinstance(error, InvalidTransition) for error in errors), errors
        won = [target for (kind, _), target in zip(outcomes, targets, strict=True) if kind == "ok"]
        assert won, "the first caller to get the lock always succeeds from new"

        # and the history has one row per success, chained, ending at the status
        steps_after_creation = history_steps(ticket)[1:]
        assert sorted(to for _, to in steps_after_creation) == sorted(won)
        assert Ticket.objects.get(pk=ticket.pk).version == 1 + len(won)
        assert_history_consistent(ticket)


def test_concurrent_transitions_over_the_api(client_for, requester):
    agents = [AgentFactory() for _ in range(5)]
    # five agents and the requester (who withdraws the ticket)
    clients = [client_for(agent) for agent in agents] + [client_for(requester)]
    bodies = [
        {"to": "open"},
        {"to": "pending"},
        {"to": "on_hold"},
        {"to": "resolved"},
        {"to": "closed", "reason": "duplicate"},
        {"to": "closed"},
    ]

    for _round in range(ROUNDS):
        ticket = TicketFactory(requester=requester)
        url = f"/api/v1/tickets/{ticket.pk}/transitions/"

        outcomes = run_together(
            *(
                (lambda client=client, body=body, url=url: client.post(url, body, format="json"))
                for client, body in zip(clients, bodies, strict=True)
            )
        )

        assert all(kind == "ok" for kind, _ in outcomes), outcomes
        responses = [response for _, response in outcomes]
        codes = [response.status_code for response in responses]
        assert set(codes) <= {200, 409}, [(r.status_code, r.json()) for r in responses]
        for response in responses:
            if response.status_code == 409:
                assert response.json()["code"] == "invalid_transition"
        successes = codes.count(200)
        assert successes >= 1
        assert len(history_steps(ticket)) - 1 == successes
        assert Ticket.objects.get(pk=ticket.pk).version == 1 + successes
        assert_history_consistent(ticket)


def test_requester_reply_racing_an_agent_resolving_a_pending_ticket(agent, requester):
    for _round in range(ROUNDS):
        # given a ticket waiting for the requester
        ticket = ticket_in("pending", agent=agent, requester=requester)
        version = Ticket.objects.get(pk=ticket.pk).version
        rows = StatusChange.objects.filter(ticket=ticket).count()

        def reply(ticket_id=ticket.pk):
            ticket = Ticket.objects.get(pk=ticket_id)
            return services.message_add(ticket=ticket, author=user(requester.pk), body="TxID 0x1")

        # when the requester replies while the agent resolves it
        outcomes = run_together(reply, transition_call(ticket.pk, agent.pk, "resolved"))

        # then both went through, whichever came first: the reply reopens the pending
        # ticket (then the agent resolves it) or the just-resolved one (within the window)
        assert [kind for kind, _ in outcomes] == ["ok", "ok"], outcomes
        assert Message.objects.filter(ticket=ticket).count() == 1
        assert StatusChange.objects.filter(ticket=ticket).count() == rows + 2
        assert Ticket.objects.get(pk=ticket.pk).version == version + 2
        assert history_steps(ticket)[-2:] in (
            [("pending", "open"), ("open", "resolved")],
            [("pending", "resolved"), ("resolved", "open")],
        )
        assert_history_consistent(ticket)


def test_two_agents_updating_from_the_same_version_one_wins(agent):
    other = AgentFactory()
    ticket = TicketFactory()

    def update(actor_id, priority):
        def call():
            return services.ticket_update(
                ticket=Ticket.objects.get(pk=ticket.pk),
                actor=user(actor_id),
                data={"priority": priority},
                expected_version=1,
            )

        return call

    outcomes = run_together(update(agent.pk, "high"), update(other.pk, "low"))

    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["error", "ok"], outcomes
    (winner,) = [value for kind, value in outcomes if kind == "ok"]
    (loser,) = [value for kind, value in outcomes if kind == "error"]
    assert isinstance(loser, VersionConflict)
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.priority, stored.version) == (winner.priority, 2)


def test_the_same_idempotency_key_at_once_creates_one_ticket(requester):
    def create():
        return services.ticket_create_idempotent(
            requester=user(requester.pk),
            key="retry-1",
            fingerprint="same",
            subject="Deposit missing",
            description="My BTC deposit is not credited.",
        )

    outcomes = run_together(create, create, create)

    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    tickets = {ticket.pk for _, (ticket, _created) in outcomes}
    created = sorted(created for _, (_ticket, created) in outcomes)
    assert len(tickets) == 1
    assert created == [False, False, True]
    assert Ticket.objects.filter(requester=requester).count() == 1
    assert_history_consistent(Ticket.objects.get(pk=tickets.pop()))


def test_run_together_reports_a_failing_caller():
    # A guard on the harness itself: a failure inside a thread is reported, not lost.
    outcomes = run_together(lambda: 1, lambda: 1 / 0)

    assert outcomes[0] == ("ok", 1)
    assert outcomes[1][0] == "error"
    assert isinstance(outcomes[1][1], ZeroDivisionError)

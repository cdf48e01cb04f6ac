"""Bulk actions on the ticket list: each goes through the services (history, events and
their deliveries are written), and a step the lifecycle refuses for one ticket is reported
for that ticket while the others go through."""

import pytest

from notifications.models import Delivery, Event, EventKind
from tests.factories import TicketFactory, ticket_in
from tests.helpers import assert_history_consistent, fan_out, history_steps
from tests.tickets.admin.conftest import action, messages_of
from tickets import admin as ticket_admin
from tickets.models import Category, Priority, Queue, Status, StatusChange, Ticket

pytestmark = pytest.mark.django_db


def fresh(ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def test_assign_to_me(desk, agent):
    given = [TicketFactory(), TicketFactory()]

    response = action(desk, "assign_to_me", given)

    assert "Assigned 2 tickets to you." in messages_of(response)
    for ticket in given:
        assert fresh(ticket).assignee == agent
        assert fresh(ticket).version == ticket.version + 1
        assert Event.objects.filter(ticket=ticket, kind=EventKind.ASSIGNED).count() == 1


def test_unassign(desk, agent):
    ticket = TicketFactory()
    action(desk, "assign_to_me", [ticket])

    response = action(desk, "unassign", [ticket])

    assert "Unassigned 1 ticket." in messages_of(response)
    assert fresh(ticket).assignee is None


def test_assigning_a_closed_ticket_is_reported_and_the_others_go_through(desk, agent):
    closed = ticket_in(Status.CLOSED, agent=agent)
    new = TicketFactory()

    response = action(desk, "assign_to_me", [closed, new])

    texts = messages_of(response)
    assert any(text.startswith(f"{closed.reference}: ") and "closed" in text for text in texts)
    assert "Assigned 1 ticket to you." in texts
    assert fresh(new).assignee == agent
    assert fresh(closed).assignee is None


class TestSetStatus:
    def test_asks_for_the_status_and_a_reason_first(self, desk):
        tickets = [TicketFactory(), TicketFactory()]

        page = action(desk, "set_status", tickets)

        html = page.content.decode()
        assert page.templates[0].name == "admin/tickets/ticket/bulk_action.html"
        assert 'name="to"' in html and 'name="reason"' in html
        for ticket in tickets:
            assert ticket.reference in html
            assert fresh(ticket).status == Status.NEW

    def test_moves_each_ticket_with_history_and_notifications(self, desk, agent):
        tickets = [TicketFactory(), ticket_in(Status.OPEN, agent=agent)]
        fan_out()
        deliveries_before = Delivery.objects.count()

        response = action(desk, "set_status", tickets, to=Status.PENDING, reason="Need the TxID")

        assert "Moved 2 tickets to Pending." in messages_of(response)
        for ticket in tickets:
            last = StatusChange.objects.filter(ticket=ticket).last()
            assert (last.to_status, last.changed_by, last.reason) == (
                Status.PENDING,
                agent,
                "Need the TxID",
            )
            assert_history_consistent(ticket)
            event = Event.objects.filter(ticket=ticket, kind=EventKind.STATUS_CHANGED).last()
            assert event.data["reason"] == "Need the TxID"
        # Each requester hears of it (in-site and email).
        fan_out()
        assert Delivery.objects.count() == deliveries_before + 4

    def test_refused_steps_are_reported_per_ticket(self, desk, agent):
        closed = ticket_in(Status.CLOSED, agent=agent)
        resolved = ticket_in(Status.RESOLVED, agent=agent)
        new = TicketFactory()

        response = action(desk, "set_status", [closed, resolved, new], to=Status.PENDING)

        texts = messages_of(response)
        assert any(t.startswith(f"{closed.reference}: A ticket cannot go from") for t in texts)
        assert any(t.startswith(f"{resolved.reference}: A ticket cannot go from") for t in texts)
        assert "Moved 1 ticket to Pending." in texts
        assert fresh(new).status == Status.PENDING
        assert history_steps(closed)[-1] == (Status.NEW, Status.CLOSED)
        assert history_steps(resolved)[-1] == (Status.NEW, Status.RESOLVED)

    def test_closing_unresolved_tickets_without_a_reason_is_refused_for_those(self, desk, agent):
        resolved = ticket_in(Status.RESOLVED, agent=agent)
        new = TicketFactory()

        response = action(desk, "set_status", [resolved, new], to=Status.CLOSED, reason="")

        texts = messages_of(response)
        assert any(t.startswith(f"{new.reference}: A reason is required") for t in texts), texts
        assert fresh(resolved).status == Status.CLOSED
        assert fresh(new).status == Status.NEW

    def test_an_unknown_status_shows_the_page_again(self, desk):
        ticket = TicketFactory()

        page = action(desk, "set_status", [ticket], to="archived")

        assert "Select a valid choice" in page.content.decode()
        assert fresh(ticket).status == Status.NEW


def test_set_priority(desk):
    tickets = [TicketFactory(priority=Priority.LOW), TicketFactory(priority=Priority.NORMAL)]

    assert 'name="priority"' in action(desk, "set_priority", tickets).content.decode()
    response = action(desk, "set_priority", tickets, priority=Priority.URGENT)

    assert "Set the priority of 2 tickets." in messages_of(response)
    assert {fresh(t).priority for t in tickets} == {Priority.URGENT}


def test_move_to_queue(desk, agent):
    security = Queue.objects.get(default_for=Category.SECURITY)
    tickets = [TicketFactory(), TicketFactory()]
    closed = ticket_in(Status.CLOSED, agent=agent)

    response = action(desk, "move_to_queue", [*tickets, closed], queue=str(security.pk))

    texts = messages_of(response)
    assert "Moved 2 tickets to Security." in texts
    assert any(t.startswith(f"{closed.reference}: ") for t in texts)
    assert {fresh(t).queue for t in tickets} == {security}


def test_a_bulk_action_has_a_limit(desk, monkeypatch):
    monkeypatch.setattr(ticket_admin, "BULK_LIMIT", 2)
    tickets = [TicketFactory() for _ in range(3)]

    response = action(desk, "assign_to_me", tickets)

    assert "Select at most 2 tickets for a bulk action." in messages_of(response)
    assert not Ticket.objects.filter(assignee__isnull=False).exists()


def test_select_all_applies_to_the_filtered_list(desk, agent):
    new = [TicketFactory(), TicketFactory()]
    opened = ticket_in(Status.OPEN, agent=agent)

    url = "/admin/tickets/ticket/?status=new"
    response = action(desk, "set_priority", new[:1], url=url, select_across="1", priority="high")

    assert "Set the priority of 2 tickets." in messages_of(response)
    assert [fresh(t).priority for t in new] == [Priority.HIGH, Priority.HIGH]
    assert fresh(opened).priority == Priority.NORMAL


def test_there_is_no_delete_action(desk):
    TicketFactory()

    response = desk.get("/admin/tickets/ticket/")

    choices = [value for value, _label in response.context["action_form"].fields["action"].choices]
    assert "delete_selected" not in choices
    assert {"assign_to_me", "unassign", "set_status", "set_priority", "move_to_queue"} <= set(
        choices
    )


def test_assigning_yourself_is_recorded_but_notifies_nobody(desk, agent):
    ticket = TicketFactory()

    action(desk, "assign_to_me", [ticket])

    event = Event.objects.get(ticket=ticket, kind=EventKind.ASSIGNED)
    assert event.actor == agent
    assert event.recipients == []  # nobody hears of their own action

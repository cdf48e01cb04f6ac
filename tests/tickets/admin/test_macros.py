"""Macros on the agents' desk: a preview from the ticket page, then Apply; supervisors
manage them in the admin."""

import pytest
from django.urls import reverse

from tests.factories import TicketFactory
from tests.tickets.admin.conftest import change_url, messages_of
from tickets.models import Message, Status, Ticket

pytestmark = pytest.mark.django_db


class TestTheDesk:
    def test_preview_then_apply_from_the_ticket_page(self, login, agent, ask_for_txid):
        desk = login(agent)
        ticket = TicketFactory()
        page = desk.get(change_url(ticket)).content.decode()
        assert ask_for_txid.name in page and 'form="desk-macro"' in page
        url = reverse("admin:tickets_ticket_macro", args=[ticket.pk])

        preview = desk.get(url, {"macro": ask_for_txid.pk})

        html = preview.content.decode()
        assert f"please send the TxID of {ticket.reference}" in html
        assert "Pending" in html and "txid-asked" in html
        assert not Message.objects.filter(ticket=ticket).exists()  # a preview writes nothing

        done = desk.post(url, {"macro": ask_for_txid.pk}, follow=True)

        assert f"Applied the macro “{ask_for_txid.name}”." in messages_of(done)
        assert Ticket.objects.get(pk=ticket.pk).status == Status.PENDING
        assert Message.objects.filter(ticket=ticket).count() == 1

    def test_supervisors_manage_macros_in_the_admin_and_agents_only_look(
        self, login, agent, supervisor, ask_for_txid
    ):
        assert login(supervisor).get("/admin/tickets/macro/add/").status_code == 200
        assert login(agent).get("/admin/tickets/macro/add/").status_code == 403
        assert login(agent).get("/admin/tickets/macro/").status_code == 200

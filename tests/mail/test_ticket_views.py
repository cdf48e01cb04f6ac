"""What an emailed ticket shows: `channel`, `flags` and `follow_up_of` in the API and on
the agents' ticket page (SPEC §2, §10)."""

import pytest
from django.test import Client
from django.urls import reverse

from mail.services import email_receive
from tests.factories import AgentFactory, ticket_in
from tests.mail.builders import answer_to, email
from tickets.models import Status, Ticket

pytestmark = pytest.mark.django_db


def test_the_api_shows_the_channel_flags_and_follow_up(client_for, settings):
    settings.EMAIL_TRUSTED_AUTHSERV_ID = "mx.helpdesk.test"
    agent = AgentFactory()
    closed = ticket_in(Status.CLOSED, agent=agent)
    result = email_receive(
        raw=answer_to(closed, headers={"Authentication-Results": "mx.helpdesk.test; dmarc=pass"}),
        source="test",
    )
    follow_up = Ticket.objects.get(pk=result.ticket_id)

    body = client_for(closed.requester).get(f"/api/v1/tickets/{follow_up.pk}/").json()
    assert (body["channel"], body["follow_up_of"], body["flags"]) == ("email", closed.pk, [])

    unverified = email_receive(
        raw=email(headers={"Authentication-Results": "mx.helpdesk.test; dmarc=fail"}),
        source="test",
    )
    body = client_for(agent).get(f"/api/v1/tickets/{unverified.ticket_id}/").json()
    assert body["flags"] == ["sender_unverified"]


def test_the_ticket_page_shows_flags_and_links_the_closed_ticket():
    agent = AgentFactory()
    closed = ticket_in(Status.CLOSED, agent=agent)
    result = email_receive(raw=answer_to(closed, body="again"), source="test")
    client = Client()
    client.force_login(agent)

    page = client.get(reverse("admin:tickets_ticket_change", args=[result.ticket_id]))

    assert page.status_code == 200
    html = page.content.decode()
    link = reverse("admin:tickets_ticket_change", args=[closed.pk])
    assert f'<a href="{link}">{closed.reference}</a>' in html
    assert ">Email<" in html

    flagged = email_receive(
        raw=email(body="my password: Hunter2!x", subject="locked out"), source="test"
    )
    page = client.get(reverse("admin:tickets_ticket_change", args=[flagged.ticket_id]))
    assert "Secret redacted" in page.content.decode()

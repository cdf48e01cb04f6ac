"""Where an email's ticket link goes: requesters to the exchange's own page for the ticket
(or no link at all), agents to the ticket in the desk. Never to the API, which needs a
token and would only show an error."""

import os
import subprocess
import sys

import pytest

from notifications.channels import email
from notifications.models import Delivery, EventKind
from notifications.services import preferences_update
from tests.factories import AgentFactory, TicketFactory
from tests.helpers import fan_out
from tickets import services

pytestmark = pytest.mark.django_db


def built(delivery) -> tuple[str, str]:
    """The email's text and HTML parts, as the worker would send them."""
    message = email.build(delivery)
    [(html, _mimetype)] = message.alternatives
    return message.body, html


def acknowledgement(requester) -> tuple[Delivery, object]:
    ticket = TicketFactory(requester=requester)
    fan_out()
    return Delivery.objects.get(event__ticket=ticket, channel="email"), ticket


def test_without_the_exchanges_page_a_requester_gets_the_reference_and_no_link(requester, settings):
    settings.HELPDESK_REQUESTER_TICKET_URL = ""
    delivery, ticket = acknowledgement(requester)

    text, html = built(delivery)

    assert f"Ticket {ticket.reference}" in text and ticket.reference in html
    assert "http" not in text
    assert "<a " not in html


def test_a_requester_is_linked_to_the_exchanges_page_for_the_ticket(requester, settings):
    settings.HELPDESK_REQUESTER_TICKET_URL = "https://www.example.com/support/tickets/{reference}"
    delivery, ticket = acknowledgement(requester)

    text, html = built(delivery)

    page = f"https://www.example.com/support/tickets/{ticket.reference}"
    assert f"Ticket {ticket.reference}: {page}" in text
    assert f'<a href="{page}">' in html
    assert "/api/" not in text + html


def test_a_requester_reading_chinese_gets_the_link_too(requester, settings):
    settings.HELPDESK_REQUESTER_TICKET_URL = "https://www.example.com/support/tickets/{id}"
    preferences_update(user=requester, data={"language": "zh-hans"})
    delivery, ticket = acknowledgement(requester)

    text, _html = built(delivery)

    assert f"https://www.example.com/support/tickets/{ticket.pk}" in text


def test_an_agent_is_linked_to_the_ticket_in_the_desk_and_the_link_opens_it(
    requester, settings, client
):
    settings.HELPDESK_BASE_URL = "https://desk.example.com/"
    settings.HELPDESK_REQUESTER_TICKET_URL = "https://www.example.com/support/tickets/{id}"
    agent = AgentFactory()
    ticket = TicketFactory(requester=requester)
    services.ticket_update(ticket=ticket, actor=AgentFactory(), data={"assignee": agent})
    services.message_add(ticket=ticket, author=requester, body="Here is the TxID.")
    fan_out()
    delivery = Delivery.objects.get(
        event__kind=EventKind.REQUESTER_REPLIED, recipient=agent, channel="email"
    )

    text, html = built(delivery)

    link = f"https://desk.example.com/admin/tickets/ticket/{ticket.pk}/change/"
    assert link in text and f'<a href="{link}">' in html
    client.force_login(agent)
    page = client.get(link.removeprefix("https://desk.example.com"))
    assert page.status_code == 200
    assert ticket.reference in page.content.decode()


@pytest.mark.parametrize(
    ("template", "started"),
    [
        ("https://www.example.com/support/{reference}?n={id}", True),
        ("https://www.example.com/support/{ticket}", False),
        ("https://www.example.com/support/{", False),
    ],
)
def test_the_page_template_is_checked_when_the_service_starts(template, started):
    run = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
            "HELPDESK_REQUESTER_TICKET_URL": template,
        },
        capture_output=True,
        text=True,
    )

    assert (run.returncode == 0) is started, run.stderr
    if not started:
        assert "ImproperlyConfigured: HELPDESK_REQUESTER_TICKET_URL" in run.stderr

"""GET /api/v1/queues/: the queues an agent can put a ticket in, with the slug the
ticket's `queue` field and the list's `queue` filter take."""

import pytest

from tests.factories import TicketFactory
from tickets.models import Queue

from .support import TICKETS_URL, assert_error, result_ids, ticket_url

pytestmark = pytest.mark.django_db


def test_an_agent_lists_the_queues_and_uses_a_slug(client_for, agent):
    escalations = Queue.objects.create(name="Escalations", slug="escalations")
    ticket = TicketFactory()
    client = client_for(agent)

    queues = client.get("/api/v1/queues/")

    assert queues.status_code == 200
    body = queues.json()
    assert [q["name"] for q in body] == sorted(q["name"] for q in body)
    assert {
        "id": escalations.pk,
        "name": "Escalations",
        "slug": "escalations",
        "default_for": None,
    } in body
    security = next(q for q in body if q["default_for"] == "security")
    assert security["slug"]
    moved = client.patch(ticket_url(ticket), {"queue": "escalations"}, format="json")
    assert moved.json()["queue"] == "escalations"
    assert result_ids(client.get(TICKETS_URL, {"queue": "escalations"})) == [ticket.pk]


def test_requesters_and_strangers_may_not(client_for, requester):
    assert_error(client_for(requester).get("/api/v1/queues/"), 403, "permission_denied")
    assert_error(client_for().get("/api/v1/queues/"), 401, "not_authenticated")

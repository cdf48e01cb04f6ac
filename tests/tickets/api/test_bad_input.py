"""Input that once made the API answer 500 (issue #13): a body nested too deeply for the
JSON decoder, and cursors the API never gave out. Each is a 400 in the error shape."""

import base64

import pytest
from django.utils.dateparse import parse_datetime
from rest_framework.test import APIClient

from tests.factories import TicketFactory
from tickets import services
from tickets.models import Ticket

from .support import (
    ME_URL,
    TICKETS_URL,
    TOKEN_URL,
    assert_error,
    history_url,
    messages_url,
    ticket_url,
)

pytestmark = pytest.mark.django_db

NESTED = "[" * 100_000  # a RecursionError in Python's json module, not a ValueError


def post_raw(client, method: str, url: str, body: str):
    return getattr(client, method)(url, body, content_type="application/json")


def test_deep_json_is_a_parse_error_without_a_token(db):
    response = post_raw(APIClient(), "post", TOKEN_URL, NESTED)

    assert_error(response, 400, "parse_error")


@pytest.mark.parametrize(
    ("method", "where"),
    [("post", "tickets"), ("patch", "ticket"), ("post", "messages"), ("patch", "me")],
)
def test_deep_json_is_a_parse_error_everywhere(method, where, agent, client_for):
    ticket = TicketFactory()
    url = {
        "tickets": TICKETS_URL,
        "ticket": ticket_url(ticket),
        "messages": messages_url(ticket),
        "me": ME_URL,
    }[where]

    response = post_raw(client_for(agent), method, url, NESTED)

    assert_error(response, 400, "parse_error")
    assert Ticket.objects.count() == 1


def cursor(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


FORGED = [
    "cD0yMDI2",  # p=2026: a position that is no date
    cursor("p=yesterday"),
    cursor("r=1&p=9999-99-99"),
    cursor("o=-3"),
    "not base64 !",
    cursor("p=" + "9" * 400),
]


@pytest.mark.parametrize("value", FORGED)
def test_a_forged_cursor_is_a_validation_error_on_every_list(value, requester, agent, client_for):
    ticket = TicketFactory(requester=requester)
    services.message_add(ticket=ticket, author=agent, body="On it.")
    client = client_for(requester)

    for url in (TICKETS_URL, messages_url(ticket), history_url(ticket), "/api/v1/notifications/"):
        response = client.get(url, {"cursor": value})
        body = assert_error(response, 400, "validation_error")
        assert list(body["errors"]) == ["cursor"], url


def test_a_cursor_the_api_gave_out_still_works(requester, client_for):
    TicketFactory.create_batch(3, requester=requester)
    client = client_for(requester)

    next_url = client.get(TICKETS_URL, {"page_size": 2}).json()["next"]

    assert len(client.get(next_url).json()["results"]) == 1


# --- a requester's filters on the desk's fields (SPEC §4) ---------------------------------


@pytest.mark.parametrize("params", [{"assignee": "2"}, {"queue": "security"}, {"assignee": "me"}])
def test_a_requester_may_not_filter_on_the_desks_fields(params, requester, client_for):
    TicketFactory(requester=requester)

    response = client_for(requester).get(TICKETS_URL, params)

    body = assert_error(response, 400, "validation_error")
    assert list(body["errors"]) == list(params)


def test_agents_filter_on_the_desks_fields(agent, client_for):
    mine = TicketFactory()
    services.ticket_update(ticket=mine, actor=agent, data={"assignee": agent})
    TicketFactory()

    response = client_for(agent).get(TICKETS_URL, {"assignee": "me"})

    assert [t["id"] for t in response.json()["results"]] == [mine.pk]


# --- what an internal note changes of the ticket ------------------------------------------


def test_an_internal_note_leaves_the_ticket_and_its_etag_as_the_requester_saw_them(
    requester, agent, client_for
):
    ticket = TicketFactory(requester=requester)
    services.message_add(ticket=ticket, author=agent, body="On it.")
    before = client_for(requester).get(ticket_url(ticket))

    services.message_add(ticket=ticket, author=agent, body="Chain analysis pending.", internal=True)

    after = client_for(requester).get(ticket_url(ticket), HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 304
    assert Ticket.objects.get(pk=ticket.pk).updated_at == parse_datetime(
        before.json()["updated_at"]
    )

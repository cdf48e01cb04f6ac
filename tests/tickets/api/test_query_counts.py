"""The lists cost a fixed number of queries, whatever the page size (no N+1): checked for
tickets, messages and history, as a requester and as an agent."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.services import preferences_for
from tests.factories import TicketFactory
from tickets import services
from tickets.models import Category, Status

from .support import TICKETS_URL, history_url, messages_url

PAGE_SIZES = (5, 50)

# Every request: the token, joined with its user and the user's preferences (language).
# An agent's role also costs one look at their groups.
PER_REQUEST = {"requester": 1, "agent": 2}
# The ticket list: one query for the page, one for the files sent with those tickets
# (requester, assignee and queue are joined in).
TICKET_LIST = 2
# A search first fetches the matching ids (tickets.selectors.ticket_search), then the page.
SEARCH_IDS = 1
# Messages and history first load the ticket (with its files) to check the caller may see it.
TICKET_CHECK = 2
MESSAGE_LIST = 2  # the page of messages with their authors, then their files
HISTORY_LIST = 1  # the page of status changes with who made them


def query_count(client, url, page_size: int, params: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"page_size": page_size, **(params or {})})
    assert response.status_code == 200, response.content
    assert len(response.json()["results"]) == page_size, "the page must be full to compare"
    return len(queries.captured_queries)


@pytest.fixture
def busy_requester(requester, agent, other_agent, attach):
    """A requester with 55 tickets in every category and queue, each with a file, the
    assignees alternating between two agents."""
    categories = list(Category)
    for number in range(55):
        ticket = TicketFactory(requester=requester, category=categories[number % len(categories)])
        attach(ticket, by=requester, filename=f"screenshot-{number}.txt")
        services.ticket_update(
            ticket=ticket,
            actor=agent,
            data={"assignee": (agent, other_agent)[number % 2], "tags": [f"t{number}"]},
        )
    return requester


@pytest.fixture
def long_conversation(requester, agent, other_agent, attach):
    """One ticket with 55 messages from three authors, each with a file, and 55 history rows."""
    ticket = TicketFactory(requester=requester)
    authors = (requester, agent, other_agent)
    for number in range(55):
        author = authors[number % 3]
        message = services.message_add(ticket=ticket, author=author, body=f"Update {number}")
        attach(ticket, by=author, message=message, filename=f"log-{number}.txt")
    for number in range(55):
        to = (Status.PENDING, Status.OPEN)[number % 2]
        services.ticket_transition(ticket=ticket, to=to, actor=(agent, other_agent)[number % 2])
    return ticket


def caller(role, requester, agent, client_for):
    user = {"requester": requester, "agent": agent}[role]
    preferences_for(user)  # made on first use: not what this test measures
    return client_for(user)


@pytest.mark.parametrize("role", ["requester", "agent"])
def test_the_ticket_list_costs_the_same_for_5_or_50_tickets(
    role, busy_requester, agent, client_for
):
    client = caller(role, busy_requester, agent, client_for)

    small, large = (query_count(client, TICKETS_URL, size) for size in PAGE_SIZES)

    assert small == large == PER_REQUEST[role] + TICKET_LIST


@pytest.mark.parametrize("few_matches", [1000, 1], ids=["read by id", "many matches"])
@pytest.mark.parametrize("role", ["requester", "agent"])
def test_a_search_costs_one_query_more_whatever_it_matches(
    role, few_matches, busy_requester, agent, client_for, monkeypatch
):
    monkeypatch.setattr("tickets.selectors.SEARCH_FEW_MATCHES", few_matches)
    client = caller(role, busy_requester, agent, client_for)
    search = {"q": "e"}  # in every factory ticket's subject or description

    small, large = (query_count(client, TICKETS_URL, size, search) for size in PAGE_SIZES)

    assert small == large == PER_REQUEST[role] + SEARCH_IDS + TICKET_LIST


@pytest.mark.parametrize("role", ["requester", "agent"])
def test_the_message_list_costs_the_same_for_5_or_50_messages(
    role, requester, agent, long_conversation, client_for
):
    client = caller(role, requester, agent, client_for)
    url = messages_url(long_conversation)

    small, large = (query_count(client, url, size) for size in PAGE_SIZES)

    assert small == large == PER_REQUEST[role] + TICKET_CHECK + MESSAGE_LIST


@pytest.mark.parametrize("role", ["requester", "agent"])
def test_the_history_costs_the_same_for_5_or_50_steps(
    role, requester, agent, long_conversation, client_for
):
    client = caller(role, requester, agent, client_for)
    url = history_url(long_conversation)

    small, large = (query_count(client, url, size) for size in PAGE_SIZES)

    assert small == large == PER_REQUEST[role] + TICKET_CHECK + HISTORY_LIST

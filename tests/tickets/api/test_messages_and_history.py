"""The conversation and the status history of a ticket over the API (SPEC §2-§4)."""

import json

import pytest
from django.core import mail

from notifications.channels import webhook
from notifications.models import Delivery, DeliveryStatus, WebhookEndpoint
from notifications.services import delivery_attempt
from tests.factories import TicketFactory, ticket_in
from tests.helpers import assert_history_consistent, fan_out, history_steps
from tickets import services
from tickets.models import Message, Status, Ticket

from .support import (
    assert_error,
    history_url,
    messages_url,
    result_ids,
    ticket_url,
    transitions_url,
)

NOTE = "Internal: chain analysis flags the sender wallet; do not tell the customer yet."


def deliver_everything() -> None:
    """Run every pending delivery now, as the worker would (in-site rows, emails)."""
    fan_out()
    for delivery_id in Delivery.objects.filter(status=DeliveryStatus.PENDING).values_list(
        "pk", flat=True
    ):
        delivery_attempt(delivery_id)


# --- GET / POST messages ------------------------------------------------------------------


def test_the_conversation_is_oldest_first(requester, agent, client_for):
    ticket = TicketFactory(requester=requester)
    bodies = ["Any news?", "We are checking with the TRON node team.", "Thanks, waiting."]
    for author, body in zip([requester, agent, requester], bodies, strict=True):
        services.message_add(ticket=ticket, author=author, body=body)

    response = client_for(requester).get(messages_url(ticket))

    assert response.status_code == 200
    results = response.json()["results"]
    assert [m["body"] for m in results] == bodies
    assert [m["author"]["id"] for m in results] == [requester.pk, agent.pk, requester.pk]


def test_the_conversation_is_oldest_first_and_takes_no_ordering(requester, agent, client_for):
    ticket = TicketFactory(requester=requester)
    first = services.message_add(ticket=ticket, author=requester, body="first")
    second = services.message_add(ticket=ticket, author=agent, body="second")
    client = client_for(requester)

    assert result_ids(client.get(messages_url(ticket))) == [first.pk, second.pk]
    refused = client.get(messages_url(ticket), {"ordering": "-created_at"})
    assert list(assert_error(refused, 400, "validation_error")["errors"]) == ["ordering"]


def test_a_reply_with_a_stale_if_match_is_refused_and_not_stored(requester, agent, client_for):
    ticket = TicketFactory(requester=requester)
    client = client_for(agent)
    etag = client.get(ticket_url(ticket))["ETag"]
    services.message_add(ticket=ticket, author=requester, body="Any news?")  # a new version

    stale = client.post(messages_url(ticket), {"body": "Resolved, see above."}, HTTP_IF_MATCH=etag)

    assert assert_error(stale, 412, "version_conflict")["version"] == 2
    assert list(Message.objects.filter(ticket=ticket).values_list("body", flat=True)) == [
        "Any news?"
    ]
    current = client.get(ticket_url(ticket))["ETag"]
    fresh = client.post(messages_url(ticket), {"body": "Looking."}, HTTP_IF_MATCH=current)
    assert fresh.status_code == 201, fresh.content


def test_a_requester_adds_a_reply(requester, client_for):
    ticket = TicketFactory(requester=requester)

    response = client_for(requester).post(
        messages_url(ticket), {"body": "The TxID is 0x7f3c9a."}, format="json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["author"]["id"] == requester.pk
    assert body["internal"] is False
    assert body["body"] == "The TxID is 0x7f3c9a."
    assert result_ids(client_for(requester).get(messages_url(ticket))) == [body["id"]]


def test_an_empty_reply_is_refused(requester, client_for):
    ticket = TicketFactory(requester=requester)

    response = client_for(requester).post(messages_url(ticket), {"body": ""}, format="json")

    assert list(assert_error(response, 400, "validation_error")["errors"]) == ["body"]
    assert not Message.objects.exists()


def test_an_agents_first_public_reply_opens_a_new_ticket(requester, agent, client_for):
    ticket = TicketFactory(requester=requester)

    response = client_for(agent).post(
        messages_url(ticket), {"body": "Hello, we are on it."}, format="json"
    )

    assert response.status_code == 201
    seen = client_for(requester).get(ticket_url(ticket)).json()
    assert seen["status"] == "open"
    assert seen["first_response_at"] is not None
    history = client_for(requester).get(history_url(ticket)).json()["results"]
    assert [(h["from_status"], h["to_status"]) for h in history] == [
        (None, "new"),
        ("new", "open"),
    ]
    assert history[-1]["changed_by"]["id"] == agent.pk


def test_an_agent_reply_that_names_a_status_goes_straight_there(agent, client_for):
    ticket = TicketFactory()

    client_for(agent).post(
        messages_url(ticket),
        {"body": "Please send a screenshot of the withdrawal page.", "status": "pending"},
        format="json",
    )

    assert history_steps(ticket) == [(None, "new"), ("new", "pending")]


def test_a_requester_reply_reopens_a_pending_ticket(requester, agent, client_for):
    ticket = ticket_in(Status.PENDING, agent=agent, requester=requester)

    client_for(requester).post(messages_url(ticket), {"body": "Screenshot sent."}, format="json")

    assert client_for(requester).get(ticket_url(ticket)).json()["status"] == "open"
    assert history_steps(ticket)[-1] == ("pending", "open")
    assert_history_consistent(ticket)


def test_an_internal_note_never_reaches_the_requester(requester, agent, client_for):
    ticket = TicketFactory(requester=requester)
    client_for(agent).post(messages_url(ticket), {"body": "We are checking."}, format="json")
    mail.outbox.clear()

    note = client_for(agent).post(
        messages_url(ticket), {"body": NOTE, "internal": True}, format="json"
    )
    deliver_everything()

    assert note.status_code == 201 and note.json()["internal"] is True
    requester_client = client_for(requester)
    responses = [
        requester_client.get(messages_url(ticket)),
        requester_client.get(ticket_url(ticket)),
        requester_client.get(history_url(ticket)),
        requester_client.get("/api/v1/notifications/"),
        requester_client.get("/api/v1/tickets/"),
    ]
    for response in responses:
        assert response.status_code == 200
        assert NOTE not in response.content.decode(), response.request["PATH_INFO"]
    assert [m["internal"] for m in responses[0].json()["results"]] == [False]
    assert responses[3].json()["results"], "the public reply did reach the requester in-site"
    assert mail.outbox, "and by email"
    assert not any(NOTE in str(m.message()) for m in mail.outbox)
    agent_view = client_for(agent).get(messages_url(ticket)).json()["results"]
    assert [(m["body"], m["internal"]) for m in agent_view][-1] == (NOTE, True)


AML = "AML review: source of funds flagged by the compliance engine"


def test_a_status_change_made_with_an_internal_note_keeps_its_reason_from_the_requester(
    requester, agent, client_for
):
    WebhookEndpoint.objects.create(name="risk", url="http://127.0.0.1:9/hook", secret="s")
    ticket = ticket_in(Status.OPEN, agent=agent, requester=requester)
    mail.outbox.clear()

    response = client_for(agent).post(
        messages_url(ticket),
        {"body": "Holding for compliance.", "internal": True, "status": "pending", "reason": AML},
        format="json",
    )
    deliver_everything()

    assert response.status_code == 201
    requester_client = client_for(requester)
    history = requester_client.get(history_url(ticket)).json()["results"]
    assert (history[-1]["to_status"], history[-1]["reason"]) == ("pending", "")
    for path in (history_url(ticket), ticket_url(ticket), "/api/v1/notifications/"):
        assert AML not in requester_client.get(path).content.decode(), path
    assert [n["event"] for n in requester_client.get("/api/v1/notifications/").json()["results"]][
        0
    ] == "status_changed", "the requester is told of the change itself"
    assert mail.outbox and not any(AML in str(m.message()) for m in mail.outbox)
    hooks = Delivery.objects.filter(channel="webhook", event__kind="status_changed")
    assert hooks and not any(AML in json.dumps(webhook.payload(h)) for h in hooks)
    # the agents still read it
    agent_history = client_for(agent).get(history_url(ticket)).json()["results"]
    assert agent_history[-1]["reason"] == AML


def test_a_reason_given_with_a_public_reply_or_a_transition_is_the_requesters(
    requester, agent, client_for
):
    ticket = ticket_in(Status.OPEN, agent=agent, requester=requester)
    client_for(agent).post(
        messages_url(ticket),
        {"body": "Please send the TxID.", "status": "pending", "reason": "Waiting for TxID"},
        format="json",
    )

    history = client_for(requester).get(history_url(ticket)).json()["results"]

    assert history[-1]["reason"] == "Waiting for TxID"


def test_an_internal_note_does_not_open_a_new_ticket(agent, client_for):
    ticket = TicketFactory()

    client_for(agent).post(messages_url(ticket), {"body": NOTE, "internal": True}, format="json")

    ticket.refresh_from_db()
    assert (ticket.status, ticket.first_response_at) == ("new", None)


def test_a_requester_cannot_write_an_internal_note(requester, client_for):
    ticket = TicketFactory(requester=requester)

    response = client_for(requester).post(
        messages_url(ticket), {"body": "Only for agents", "internal": True}, format="json"
    )

    assert_error(response, 403, "permission_denied")
    assert not Message.objects.exists()


def test_a_reply_whose_status_change_is_refused_is_not_kept_either(requester, agent, client_for):
    ticket = TicketFactory(requester=requester)

    by_requester = client_for(requester).post(
        messages_url(ticket), {"body": "Opening it myself", "status": "open"}, format="json"
    )
    by_agent = client_for(agent).post(
        messages_url(ticket), {"body": "Closing", "status": "closed"}, format="json"
    )

    assert_error(by_requester, 403, "permission_denied")
    assert "reason" in assert_error(by_agent, 400, "validation_error")["errors"]
    assert not Message.objects.exists()
    assert history_steps(ticket) == [(None, "new")]


@pytest.mark.parametrize("author", ["requester", "agent"])
def test_nobody_writes_to_a_closed_ticket(author, requester, agent, client_for):
    ticket = ticket_in(Status.CLOSED, agent=agent, requester=requester)
    user = {"requester": requester, "agent": agent}[author]

    response = client_for(user).post(messages_url(ticket), {"body": "Hello?"}, format="json")

    assert_error(response, 409, "ticket_closed")
    assert not Message.objects.exists()
    assert Ticket.objects.get(pk=ticket.pk).status == "closed"


# --- GET history ---------------------------------------------------------------------------


def test_the_history_is_oldest_first_and_matches_the_transitions_made(requester, agent, client_for):
    ticket = TicketFactory(requester=requester)
    agent_client, requester_client = client_for(agent), client_for(requester)
    steps = [
        (agent_client, "open", "Checking the chain"),
        (agent_client, "on_hold", "Escalated to the wallet team"),
        (agent_client, "resolved", "Re-broadcast; funds arrived"),
        (requester_client, "open", "Still missing 10 USDT"),
        (agent_client, "resolved", "Fee explained"),
        (requester_client, "closed", ""),
    ]
    for client, to, reason in steps:
        response = client.post(transitions_url(ticket), {"to": to, "reason": reason}, format="json")
        assert response.status_code == 200, response.content

    response = requester_client.get(history_url(ticket))

    assert response.status_code == 200
    history = response.json()["results"]
    assert [(h["from_status"], h["to_status"], h["reason"]) for h in history] == [
        (None, "new", ""),
        ("new", "open", "Checking the chain"),
        ("open", "on_hold", "Escalated to the wallet team"),
        ("on_hold", "resolved", "Re-broadcast; funds arrived"),
        ("resolved", "open", "Still missing 10 USDT"),
        ("open", "resolved", "Fee explained"),
        ("resolved", "closed", ""),
    ]
    who = {requester.pk: "requester", agent.pk: "agent"}
    assert [who[h["changed_by"]["id"]] for h in history] == [
        "requester", "agent", "agent", "agent", "requester", "agent", "requester"
    ]  # fmt: skip
    assert history[-1]["to_status"] == requester_client.get(ticket_url(ticket)).json()["status"]
    assert_history_consistent(ticket)


def test_a_refused_transition_leaves_no_trace_in_the_history(requester, client_for):
    ticket = TicketFactory(requester=requester)

    client_for(requester).post(transitions_url(ticket), {"to": "resolved"}, format="json")

    history = client_for(requester).get(history_url(ticket)).json()["results"]
    assert [(h["from_status"], h["to_status"]) for h in history] == [(None, "new")]


def test_the_history_pages_in_order(agent, client_for):
    ticket = TicketFactory()
    for to in ["open", "pending", "open", "pending", "open"]:
        services.ticket_transition(ticket=ticket, to=to, actor=agent)
    client = client_for(agent)

    first = client.get(history_url(ticket), {"page_size": 4}).json()
    second = client.get(first["next"]).json()

    steps = [(h["from_status"], h["to_status"]) for h in first["results"] + second["results"]]
    assert steps == history_steps(ticket)
    assert len(first["results"]) == 4
    assert second["next"] is None

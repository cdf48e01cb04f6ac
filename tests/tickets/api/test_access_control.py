"""Who sees what (SPEC §4): a requester sees only their own tickets, another user's ticket
is a 404 (never a 403, which would confirm it exists), and internal notes and the desk's
fields never reach a requester."""

import hashlib

import pytest

from tests.factories import TicketFactory, ticket_in
from tests.helpers import history_steps
from tickets import services
from tickets.models import Message, Status, Ticket

from .support import (
    TICKETS_URL,
    assert_error,
    attachment_url,
    history_url,
    messages_url,
    result_ids,
    ticket_url,
    transitions_url,
)

AGENT_ONLY_FIELDS = {"assignee", "queue", "tags", "requester"}
NOTE = "Internal: wallet flagged by compliance, hold the refund."
RECEIPT = b"Withdrawal 250 USDT, TxID 9e1f77a0, status: processing\n"

ENDPOINTS = {
    "detail": ("get", ticket_url, None),
    "patch": ("patch", ticket_url, {"error_code": "E-1"}),
    "transition": ("post", transitions_url, {"to": "closed"}),
    "messages": ("get", messages_url, None),
    "reply": ("post", messages_url, {"body": "Is this mine?"}),
    "history": ("get", history_url, None),
}


@pytest.fixture
def someone_elses_ticket(other_requester, agent):
    ticket = ticket_in(Status.OPEN, agent=agent, requester=other_requester)
    services.message_add(ticket=ticket, author=agent, body="We are checking.")
    return ticket


@pytest.mark.parametrize("endpoint", ENDPOINTS.values(), ids=ENDPOINTS.keys())
def test_another_requesters_ticket_is_404_on_every_endpoint_and_stays_untouched(
    endpoint, requester, someone_elses_ticket, client_for
):
    method, url, data = endpoint
    before = Ticket.objects.get(pk=someone_elses_ticket.pk)

    response = getattr(client_for(requester), method)(
        url(someone_elses_ticket), data, format="json"
    )

    assert_error(response, 404, "not_found")
    after = Ticket.objects.get(pk=someone_elses_ticket.pk)
    assert (after.version, after.status, after.error_code) == (
        before.version,
        before.status,
        before.error_code,
    )
    assert Message.objects.filter(ticket=someone_elses_ticket).count() == 1


def test_the_404_for_someone_elses_ticket_is_the_same_as_for_no_ticket(
    requester, someone_elses_ticket, client_for
):
    client = client_for(requester)

    hidden = client.get(ticket_url(someone_elses_ticket))
    missing = client.get(ticket_url(someone_elses_ticket.pk + 10_000))

    assert hidden.json() == missing.json()


def test_another_requesters_attachment_is_404(
    requester, other_requester, someone_elses_ticket, client_for, attach
):
    mine = TicketFactory(requester=requester)
    theirs = attach(someone_elses_ticket, by=other_requester, content=RECEIPT)
    client = client_for(requester)

    direct = client.get(attachment_url(theirs))
    via_my_ticket = client.get(f"{ticket_url(mine)}attachments/{theirs.pk}/")

    assert_error(direct, 404, "not_found")
    assert_error(via_my_ticket, 404, "not_found")


def test_a_requesters_list_holds_only_their_own_tickets(
    requester, someone_elses_ticket, client_for
):
    mine = TicketFactory.create_batch(2, requester=requester)
    client = client_for(requester)

    assert set(result_ids(client.get(TICKETS_URL))) == {t.pk for t in mine}
    assert result_ids(client.get(TICKETS_URL, {"q": someone_elses_ticket.reference})) == []
    assert result_ids(client.get(TICKETS_URL, {"status": "open"})) == []


def test_a_requester_sees_none_of_the_agent_only_fields(requester, agent, client_for):
    ticket = TicketFactory(requester=requester)
    services.ticket_update(
        ticket=ticket, actor=agent, data={"assignee": agent, "tags": ["vip-watch"]}
    )
    client = client_for(requester)

    representations = {
        "detail": client.get(ticket_url(ticket)),
        "list": client.get(TICKETS_URL),
        "create": client.post(
            TICKETS_URL,
            {"subject": "2FA reset", "description": "Lost my phone.", "category": "security"},
            format="json",
        ),
        "patch": client.patch(ticket_url(ticket), {"error_code": "2FA-9"}, format="json"),
        "transition": client.post(transitions_url(ticket), {"to": "closed"}, format="json"),
    }

    for name, response in representations.items():
        assert response.status_code in (200, 201), (name, response.content)
        body = response.json()
        tickets = body["results"] if "results" in body else [body]
        for item in tickets:
            assert not AGENT_ONLY_FIELDS & set(item), (name, sorted(item))
        text = response.content.decode()
        assert requester.email not in text and agent.email not in text, name
        assert "vip-watch" not in text, name


def test_an_agent_sees_the_desk_fields(requester, agent, client_for):
    ticket = TicketFactory(requester=requester)

    body = client_for(agent).get(ticket_url(ticket)).json()

    assert AGENT_ONLY_FIELDS <= set(body)
    assert body["requester"]["email"] == requester.email


def test_internal_notes_and_their_files_never_reach_the_requester(
    requester, agent, client_for, attach
):
    ticket = TicketFactory(requester=requester)
    services.message_add(ticket=ticket, author=agent, body="Could you send the receipt?")
    note = services.message_add(ticket=ticket, author=agent, body=NOTE, internal=True)
    note_file = attach(ticket, by=agent, message=note, filename="compliance-report.txt")
    client = client_for(requester)

    messages = client.get(messages_url(ticket))
    detail = client.get(ticket_url(ticket))
    download = client.get(attachment_url(note_file))

    assert [m["internal"] for m in messages.json()["results"]] == [False]
    for response in (messages, detail):
        text = response.content.decode()
        assert NOTE not in text and "compliance-report" not in text
    assert_error(download, 404, "not_found")
    assert client_for(agent).get(attachment_url(note_file)).status_code == 200


# --- GET /api/v1/tickets/{id}/attachments/{aid}/ -----------------------------------------------


def test_the_requester_downloads_the_file_sent_with_the_ticket(requester, client_for, attach):
    ticket = TicketFactory(requester=requester)
    receipt = attach(ticket, by=requester, filename="receipt.txt", content=RECEIPT)

    response = client_for(requester).get(attachment_url(receipt))

    assert response.status_code == 200
    assert response.streaming
    assert b"".join(response.streaming_content) == RECEIPT
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="receipt.txt"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"].startswith("text/plain")


def test_the_ticket_embeds_its_files_with_a_working_download_url(requester, client_for, attach):
    ticket = TicketFactory(requester=requester)
    receipt = attach(ticket, by=requester, content=RECEIPT)
    client = client_for(requester)

    embedded = client.get(ticket_url(ticket)).json()["attachments"]

    assert embedded == [
        {
            "id": receipt.pk,
            "filename": receipt.filename,
            "content_type": "text/plain",
            "size": len(RECEIPT),
            "sha256": hashlib.sha256(RECEIPT).hexdigest(),
            "url": f"http://testserver{attachment_url(receipt)}",
        }
    ]
    assert b"".join(client.get(embedded[0]["url"]).streaming_content) == RECEIPT


def test_a_reply_embeds_its_files_and_the_ticket_does_not(requester, agent, client_for, attach):
    ticket = TicketFactory(requester=requester)
    reply = services.message_add(ticket=ticket, author=agent, body="Here is the fee table.")
    fee_table = attach(
        ticket,
        by=agent,
        message=reply,
        filename="fees.csv",
        content=b"coin,fee\nUSDT,1\n",
        content_type="text/csv",
    )
    client = client_for(requester)

    message = client.get(messages_url(ticket)).json()["results"][0]

    assert [a["id"] for a in message["attachments"]] == [fee_table.pk]
    assert client.get(ticket_url(ticket)).json()["attachments"] == []
    download = client.get(attachment_url(fee_table))
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")


def test_an_agent_downloads_any_tickets_file(requester, agent, client_for, attach):
    receipt = attach(TicketFactory(requester=requester), by=requester, content=RECEIPT)

    response = client_for(agent).get(attachment_url(receipt))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == RECEIPT


def test_an_anonymous_caller_gets_no_file(requester, client_for, attach):
    receipt = attach(TicketFactory(requester=requester), by=requester, content=RECEIPT)

    assert_error(client_for().get(attachment_url(receipt)), 401, "not_authenticated")


def test_history_of_someone_elses_ticket_is_not_leaked_by_a_refused_transition(
    requester, someone_elses_ticket, client_for
):
    """A 409 carries `allowed`: for someone else's ticket it must not come to that."""
    before = history_steps(someone_elses_ticket)

    response = client_for(requester).post(
        transitions_url(someone_elses_ticket), {"to": "new"}, format="json"
    )

    body = assert_error(response, 404, "not_found")
    assert "allowed" not in body
    assert history_steps(someone_elses_ticket) == before

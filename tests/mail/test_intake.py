"""The email intake (SPEC §10): who, threading, follow-ups, DMARC, duplicates, noise."""

import pytest
from django.contrib.auth import get_user_model

from mail.models import InboundEmail
from mail.services import email_receive
from notifications.models import Event, EventKind
from tests.factories import AgentFactory, UserFactory, ticket_in
from tests.helpers import assert_history_consistent
from tests.mail.builders import answer_to, email
from tickets import services
from tickets.models import Channel, Flag, Message, Status, Ticket

pytestmark = pytest.mark.django_db

User = get_user_model()


def receive(raw: bytes):
    return email_receive(raw=raw, source="test")


def test_a_first_email_opens_a_ticket_for_a_new_requester():
    result = receive(email(sender="Dave@Example.org", subject="Deposit missing"))

    ticket = Ticket.objects.get(pk=result.ticket_id)
    assert result.outcome == "stored"
    assert ticket.channel == Channel.EMAIL
    assert ticket.subject == "Deposit missing"
    assert ticket.description == "Hello, my USDT deposit has not arrived."
    assert ticket.requester.email == "dave@example.org"
    assert not ticket.requester.has_usable_password()
    assert ticket.requester.first_name == "Dave"
    assert ticket.flags == [] and ticket.follow_up_of is None
    assert_history_consistent(ticket)
    # the acknowledgement goes to the new requester
    event = Event.objects.get(ticket=ticket, kind=EventKind.TICKET_CREATED)
    assert event.recipients == [ticket.requester.pk]


def test_the_sender_is_the_user_with_that_address_whatever_its_case():
    user = UserFactory(email="Erin.Smith@Example.com")
    result = receive(email(sender="erin.smith@example.COM"))
    assert Ticket.objects.get(pk=result.ticket_id).requester == user
    assert User.objects.filter(email__iexact="erin.smith@example.com").count() == 1


def test_an_answer_to_the_desks_email_is_a_reply_on_the_ticket():
    agent = AgentFactory()
    ticket = ticket_in(Status.PENDING, agent=agent)

    result = receive(answer_to(ticket, body="Here is the TxID you asked for."))

    assert result.ticket_id == ticket.pk and result.reason == "reply"
    reply = Message.objects.get(ticket=ticket)
    assert reply.author == ticket.requester and not reply.internal
    assert reply.body == "Here is the TxID you asked for."
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN  # pending -> open, as an API reply
    assert_history_consistent(ticket)


def test_an_answer_to_a_received_message_threads_by_its_message_id():
    first = receive(email(message_id="<first@example.org>"))
    second = receive(
        email(
            message_id="<second@example.org>",
            subject="more details",
            references=["<first@example.org>"],
        )
    )
    assert second.ticket_id == first.ticket_id
    assert Ticket.objects.count() == 1


def test_a_reference_in_the_subject_threads_only_for_the_tickets_requester():
    ticket = ticket_in(Status.OPEN, agent=AgentFactory())
    mine = receive(email(sender=ticket.requester.email, subject=f"Re: [{ticket.reference}] hi"))
    assert mine.ticket_id == ticket.pk

    stranger = receive(email(sender="mallory@evil.test", subject=f"[{ticket.reference}] hi"))
    assert stranger.ticket_id != ticket.pk
    assert Ticket.objects.get(pk=stranger.ticket_id).requester.email == "mallory@evil.test"


def test_quoting_anothers_thread_ids_does_not_write_into_their_ticket():
    ticket = ticket_in(Status.OPEN, agent=AgentFactory())
    result = receive(answer_to(ticket, sender="mallory@evil.test"))
    assert result.ticket_id != ticket.pk
    assert not Message.objects.filter(ticket=ticket).exists()


def test_a_forged_desk_message_id_threads_nothing():
    ticket = ticket_in(Status.OPEN, agent=AgentFactory())
    forged = f"<ticket-{ticket.pk}.0123456789abcdef@helpdesk.localhost>"
    result = receive(email(sender=ticket.requester.email, subject="hello", in_reply_to=forged))
    assert result.ticket_id != ticket.pk


def test_a_reply_to_a_closed_ticket_opens_a_follow_up_and_later_replies_join_it():
    agent = AgentFactory()
    closed = ticket_in(Status.CLOSED, agent=agent)

    first = receive(answer_to(closed, body="It happened again."))
    follow_up = Ticket.objects.get(pk=first.ticket_id)
    assert follow_up.pk != closed.pk
    assert follow_up.follow_up_of == closed
    assert follow_up.channel == Channel.EMAIL
    assert follow_up.description == "It happened again."

    second = receive(answer_to(closed, body="Any news?"))
    assert second.ticket_id == follow_up.pk
    assert Message.objects.get(ticket=follow_up).body == "Any news?"


def test_a_reply_to_a_recently_resolved_ticket_reopens_it():
    ticket = ticket_in(Status.RESOLVED, agent=AgentFactory())
    receive(answer_to(ticket, body="Still not there."))
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN


def test_a_dmarc_failure_never_joins_a_customers_ticket(settings):
    settings.EMAIL_TRUSTED_AUTHSERV_ID = "mx.helpdesk.test"
    ticket = ticket_in(Status.OPEN, agent=AgentFactory())
    forged = answer_to(
        ticket,
        body="Send the funds to my new address",
        headers={
            "Authentication-Results": "mx.helpdesk.test; spf=fail smtp.mailfrom=evil.test; "
            "dkim=none; dmarc=fail (p=reject) header.from=example.com"
        },
    )

    result = receive(forged)

    assert result.ticket_id != ticket.pk
    assert not Message.objects.filter(ticket=ticket).exists()
    new = Ticket.objects.get(pk=result.ticket_id)
    assert new.flags == [Flag.SENDER_UNVERIFIED]
    assert new.requester == ticket.requester  # the address's owner, flagged for the desk


def test_only_the_trusted_servers_verdict_counts(settings):
    settings.EMAIL_TRUSTED_AUTHSERV_ID = "mx.helpdesk.test"
    ticket = ticket_in(Status.OPEN, agent=AgentFactory())
    # a verdict the sender wrote itself, under another server's name, is no verdict
    result = receive(
        answer_to(
            ticket,
            headers={"Authentication-Results": "mx.other.test; dmarc=fail header.from=x"},
        )
    )
    assert result.ticket_id == ticket.pk

    settings.EMAIL_TRUSTED_AUTHSERV_ID = ""
    untrusted = receive(
        answer_to(ticket, headers={"Authentication-Results": "mx.helpdesk.test; dmarc=fail"})
    )
    assert untrusted.ticket_id == ticket.pk


def test_the_same_message_id_from_the_same_sender_is_stored_once():
    raw = email(message_id="<once@example.org>")
    assert receive(raw).outcome == "stored"
    assert receive(raw).outcome == "duplicate"
    assert Ticket.objects.count() == 1
    # the same id from another sender is another message
    other = email(message_id="<once@example.org>", sender="frank@example.org")
    assert receive(other).outcome == "stored"
    assert Ticket.objects.count() == 2


def test_a_message_without_a_message_id_is_still_stored_once():
    raw = b"From: gina@example.org\r\nSubject: no id\r\n\r\nHello\r\n"
    assert receive(raw).outcome == "stored"
    assert receive(raw).outcome == "duplicate"


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Auto-Submitted": "auto-generated; owner-email=x@example.org"},
        {"X-Autoreply": "yes"},
        {"Precedence": "bulk"},
        {"Precedence": "auto_reply"},
        {"Return-Path": "<>"},
        {"X-Helpdesk-Ticket": "HD-000001"},
    ],
)
def test_auto_replies_and_the_desks_own_mail_make_no_ticket(headers):
    result = receive(email(headers=headers))
    assert result.outcome == "ignored"
    assert not Ticket.objects.exists()
    assert InboundEmail.objects.get().outcome == "ignored"


def test_auto_submitted_no_is_a_person():
    assert receive(email(headers={"Auto-Submitted": "no"})).outcome == "stored"


def test_delivery_reports_make_no_ticket():
    report = (
        b"From: MAILER-DAEMON@mx.example.org\r\nTo: support@localhost\r\n"
        b"Subject: Undelivered Mail Returned to Sender\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n"
        b"--b\r\nContent-Type: message/delivery-status\r\n\r\nStatus: 5.1.1\r\n--b--\r\n"
    )
    assert receive(report).outcome == "ignored"
    assert receive(email(sender="MAILER-DAEMON@example.org")).outcome == "ignored"
    assert not Ticket.objects.exists()


def test_mail_from_the_desks_own_addresses_makes_no_ticket(settings):
    settings.HELPDESK_INBOUND_ADDRESS = "support@helpdesk.test"
    settings.EMAIL_DESK_ADDRESSES = ["noreply@helpdesk.test"]
    assert receive(email(sender="Support@helpdesk.test")).outcome == "ignored"
    assert receive(email(sender="noreply@helpdesk.test")).outcome == "ignored"
    assert not Ticket.objects.exists()


def test_acknowledgements_are_limited_per_sender_per_hour(settings):
    settings.EMAIL_ACK_LIMIT_PER_HOUR = 2
    results = [receive(email(subject=f"question {n}")) for n in range(4)]
    assert all(result.outcome == "stored" for result in results)
    acknowledged = [
        Event.objects.get(ticket_id=r.ticket_id, kind=EventKind.TICKET_CREATED).recipients
        for r in results
    ]
    assert [bool(recipients) for recipients in acknowledged] == [True, True, False, False]
    # another sender has their own count
    other = receive(email(sender="henry@example.org"))
    assert Event.objects.get(ticket_id=other.ticket_id, kind=EventKind.TICKET_CREATED).recipients


def test_an_over_long_subject_and_body_are_cut_to_the_ticket_limits():
    result = receive(email(subject="S" * 500, body="B" * 30_000))
    ticket = Ticket.objects.get(pk=result.ticket_id)
    assert len(ticket.subject) == 200 and len(ticket.description) == 20_000


def test_an_empty_body_and_subject_still_make_a_ticket():
    raw = b"From: ivy@example.org\r\nMessage-ID: <empty@example.org>\r\n\r\n"
    ticket = Ticket.objects.get(pk=receive(raw).ticket_id)
    assert ticket.subject == "(no subject)" and ticket.description == "(no text)"


def test_an_html_only_email_is_stored_as_text():
    html_only = (
        b"From: jo@example.org\r\nSubject: html\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/html; charset=utf-8\r\n\r\n"
        b"<html><body><p>My <b>withdrawal</b> is stuck.</p><ul><li>BTC</li></ul>"
        b"<script>alert(1)</script></body></html>\r\n"
    )
    ticket = Ticket.objects.get(pk=receive(html_only).ticket_id)
    assert "My withdrawal is stuck." in ticket.description
    assert "BTC" in ticket.description
    assert "<" not in ticket.description and "alert" not in ticket.description


def test_quoted_history_and_signature_are_cut_from_a_reply():
    ticket = ticket_in(Status.OPEN, agent=AgentFactory())
    body = (
        "Thanks, the deposit arrived.\n\n"
        "Best regards,\nDave\n\n"
        "On Mon, 3 Feb 2025 at 10:00, Support <support@localhost> wrote:\n"
        "> Please send us the transaction id.\n> Support\n"
    )
    receive(answer_to(ticket, body=body))
    assert Message.objects.get(ticket=ticket).body == "Thanks, the deposit arrived."


def test_the_reply_is_stored_like_an_api_reply():
    agent = AgentFactory()
    ticket = ticket_in(Status.OPEN, agent=agent)
    services.ticket_update(ticket=ticket, actor=agent, data={"assignee": agent})
    receive(answer_to(ticket, body="Any news?"))
    event = Event.objects.filter(ticket=ticket, kind=EventKind.REQUESTER_REPLIED).get()
    assert event.recipients == [agent.pk]

"""Secrets (SPEC §7) and attachments (SPEC §6) arriving by email (SPEC §10)."""

import logging

import pytest
from mnemonic import Mnemonic

from mail.models import InboundEmail
from mail.services import email_receive
from notifications.content import render
from notifications.models import Event, EventKind
from tests.factories import AgentFactory, ticket_in
from tests.mail.builders import answer_to, email
from tests.mail.test_bad_input import PNG
from tickets.models import Attachment, Flag, Message, Status, Ticket

pytestmark = pytest.mark.django_db

PHRASE = Mnemonic("english").generate(strength=128)  # twelve words
assert len(PHRASE.split()) == 12


def receive(raw: bytes):
    return email_receive(raw=raw, source="test")


def acknowledgement(ticket) -> str:
    event = Event.objects.get(ticket=ticket, kind=EventKind.TICKET_CREATED)
    return render(event, "en").body


def test_a_seed_phrase_is_redacted_flagged_and_the_sender_warned(caplog):
    caplog.set_level(logging.DEBUG)
    body = f"My wallet is empty! My seed phrase is:\n{PHRASE}\n\nPlease help."
    result = receive(email(subject="Hacked", body=body))

    ticket = Ticket.objects.get(pk=result.ticket_id)
    assert result.redacted
    assert ticket.flags == [Flag.SECRET_REDACTED]
    assert "[redacted: mnemonic]" in ticket.description
    assert ticket.description.startswith("My wallet is empty!")
    # nothing of the secret anywhere: ticket, messages, the intake's record, the logs
    words = PHRASE.split()
    stored = [ticket.subject, ticket.description, *Message.objects.values_list("body", flat=True)]
    stored += [str(row) for row in InboundEmail.objects.values_list()]
    for text in [*stored, caplog.text]:
        assert " ".join(words[:4]) not in text
    assert "new wallet" in acknowledgement(ticket)
    event = Event.objects.get(ticket=ticket, kind=EventKind.TICKET_CREATED)
    assert "新钱包" in render(event, "zh-hans").body


def test_a_password_in_a_reply_is_redacted_and_flags_the_ticket():
    ticket = ticket_in(Status.OPEN, agent=AgentFactory())
    result = receive(answer_to(ticket, body="I can log in with password: Hunter2!x now"))
    assert result.redacted
    reply = Message.objects.get(ticket=ticket)
    assert "Hunter2" not in reply.body and "[redacted: password]" in reply.body
    ticket.refresh_from_db()
    assert Flag.SECRET_REDACTED in ticket.flags


def test_a_secret_in_the_subject_is_redacted():
    result = receive(email(subject=f"seed {PHRASE}", body="see subject"))
    ticket = Ticket.objects.get(pk=result.ticket_id)
    assert PHRASE.split()[0] + " " + PHRASE.split()[1] not in ticket.subject
    assert Flag.SECRET_REDACTED in ticket.flags


def test_a_text_attachment_holding_a_secret_is_dropped_and_the_ticket_flagged():
    result = receive(
        email(
            body="Logs attached.",
            attachments=[
                ("wallet.txt", f"backup\n{PHRASE}\n".encode(), "text/plain"),
                ("app.log", b"2025-01-01 INFO started\n", "text/plain"),
            ],
        )
    )
    ticket = Ticket.objects.get(pk=result.ticket_id)
    assert result.redacted and Flag.SECRET_REDACTED in ticket.flags
    assert list(Attachment.objects.filter(ticket=ticket).values_list("filename", flat=True)) == [
        "app.log"
    ]
    note = Message.objects.get(ticket=ticket, internal=True)
    assert "wallet.txt" in note.body and PHRASE.split()[0] not in note.body
    assert "wallet.txt" in acknowledgement(ticket)


def test_accepted_files_are_stored_and_refused_ones_named_in_a_note_and_the_ack():
    result = receive(
        email(
            body="See attached.",
            attachments=[
                ("screen.png", PNG, "image/png"),
                ("setup.exe", b"MZ\x90\x00" + b"\0" * 200, "application/octet-stream"),
                ("page.html", b"<html><body>x</body></html>", "text/html"),
            ],
        )
    )
    ticket = Ticket.objects.get(pk=result.ticket_id)
    stored = Attachment.objects.get(ticket=ticket)
    assert (stored.filename, stored.content_type, stored.message_id) == (
        "screen.png",
        "image/png",
        None,
    )
    note = Message.objects.get(ticket=ticket, internal=True)
    assert note.author.username == "helpdesk-mail" and not note.author.is_active
    assert "setup.exe" in note.body and "page.html" in note.body
    ack = acknowledgement(ticket)
    assert "setup.exe" in ack and "page.html" in ack


def test_a_replys_files_belong_to_the_reply():
    ticket = ticket_in(Status.OPEN, agent=AgentFactory())
    receive(answer_to(ticket, body="Screenshot", attachments=[("s.png", PNG, "image/png")]))
    reply = Message.objects.get(ticket=ticket, internal=False)
    assert Attachment.objects.get(ticket=ticket).message == reply


def test_a_file_whose_name_is_a_secret_is_dropped_without_naming_it():
    name = "-".join(PHRASE.split()) + ".png"
    result = receive(email(attachments=[(name, PNG, "image/png")]))
    ticket = Ticket.objects.get(pk=result.ticket_id)
    assert not Attachment.objects.filter(ticket=ticket).exists()
    note = Message.objects.get(ticket=ticket, internal=True)
    assert PHRASE.split()[0] not in note.body
    assert PHRASE.split()[0] not in acknowledgement(ticket)

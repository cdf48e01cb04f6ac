"""Threading accuracy on the corpus (issue #14 §5): 300+ emails as real clients send them
(tests/mail/corpus, written by generate.py), each with the ticket it must end in.

The accuracy is measured over every message: it must be at least 99 %. How much of each
message's stored text is exactly what the sender wrote (quotes and signatures cut) is
measured too, and must be at least 95 %. Both figures are printed (`-s` shows them) and
stated in the README."""

import json
import re
from pathlib import Path

import pytest

from mail.services import email_receive
from notifications.channels.email import thread_id
from tests.factories import AgentFactory
from tickets import services
from tickets.models import Message, Status, Ticket, reference_for

CORPUS = Path(__file__).parent / "corpus"
THREADING_TARGET = 0.99
BODY_TARGET = 0.95


def fill(raw: bytes, tickets: dict[str, int]) -> bytes:
    """The desk's ids and references in place of the corpus's placeholders."""

    def desk_id(match: re.Match) -> bytes:
        kind, conversation, number = match[1].decode(), match[2].decode(), match[3]
        if conversation not in tickets:
            return b"<no-such-ticket@helpdesk.test>"
        thread = thread_id(Ticket(pk=tickets[conversation]))
        if kind == "DESK-MSG":
            thread = thread.replace("<ticket-", f"<delivery-9{number.decode()}.ticket-")
        return thread.encode()

    raw = re.sub(rb"<<(DESK-THREAD|DESK-MSG):(c\d+\w?)(?::(\d+))?>>", desk_id, raw)
    return re.sub(
        rb"<<REF:(c\d+\w?)>>",
        lambda m: reference_for(tickets.get(m[1].decode(), 999_999_999)).encode(),
        raw,
    )


def stored_text(result) -> str:
    if result.reason == "reply":
        message = Message.objects.filter(ticket_id=result.ticket_id, internal=False).last()
        return message.body
    return Ticket.objects.get(pk=result.ticket_id).description


@pytest.mark.django_db
def test_threading_accuracy_on_the_corpus(settings):
    settings.HELPDESK_INBOUND_ADDRESS = "support@helpdesk.test"
    settings.EMAIL_ACK_LIMIT_PER_HOUR = 1000
    entries = json.loads((CORPUS / "expected.json").read_text())
    assert len(entries) >= 300
    agent = AgentFactory()
    tickets: dict[str, int] = {}
    threaded, bodies, failures = 0, 0, []
    for entry in entries:
        conversation = entry["conversation"]
        if entry.get("before") == "close":
            ticket = Ticket.objects.get(pk=tickets[conversation])
            services.ticket_transition(ticket=ticket, to=Status.CLOSED, actor=agent, reason="ok")
        raw = fill((CORPUS / "messages" / entry["file"]).read_bytes(), tickets)
        result = email_receive(raw=raw, source="corpus")
        expect, known = entry["expect"], tickets.get(conversation)
        if expect == "ignored":
            right = result.outcome == "ignored"
        elif expect == "new":
            right = result.outcome == "stored" and result.reason == "new ticket"
            right = right and result.ticket_id not in tickets.values()
        elif expect == "same":
            right = result.outcome == "stored" and result.ticket_id == known
        else:  # follow_up
            new = Ticket.objects.filter(pk=result.ticket_id).first()
            right = new is not None and new.follow_up_of_id == known
        if right and expect in ("new", "follow_up"):
            tickets[conversation] = result.ticket_id
        threaded += right
        if not right:
            failures.append(f"{entry['file']}: expected {expect}, got {result}")
        elif expect != "ignored":
            text = stored_text(result)
            if text.strip() == entry["body"].strip():
                bodies += 1
            else:
                failures.append(f"{entry['file']}: body {text!r} != {entry['body']!r}")
    with_body = sum(entry["expect"] != "ignored" for entry in entries)
    accuracy, body_accuracy = threaded / len(entries), bodies / with_body
    print(
        f"\ncorpus: {len(entries)} messages, threading {threaded}/{len(entries)} "
        f"= {accuracy:.2%}; text {bodies}/{with_body} = {body_accuracy:.2%}"
    )
    detail = "\n".join(failures[:40])
    assert accuracy >= THREADING_TARGET, detail
    assert body_accuracy >= BODY_TARGET, detail

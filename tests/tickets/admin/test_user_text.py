"""User text on the agents' desk (issue #13): a bidi control in a subject, a description, a
message or a reason cannot reorder what the agent sees, and the desk's own form refuses text
that shows nothing and secrets hidden from the guard the way the API does."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from mnemonic import Mnemonic

from tests.factories import TicketFactory, ticket_in
from tests.tickets.admin.conftest import CHANGELIST, action, change_url, post_ticket_page
from tickets import services
from tickets.models import Message, Status

pytestmark = pytest.mark.django_db

RLO, PDF = "\u202e", "\u202c"  # right-to-left override, pop directional formatting
# Shown as "invoice_exe.pdf" by a browser that obeys the override.
SUBJECT = f"invoice_{RLO}fdp.exe{PDF} refund"
SEED = Mnemonic("english").to_mnemonic(bytes(range(16)))


def test_the_list_shows_a_subject_s_bidi_controls_and_isolates_it(desk):
    TicketFactory(subject=SUBJECT)

    html = desk.get(CHANGELIST).content.decode()

    assert RLO not in html and PDF not in html
    assert "<bdi>invoice_[U+202E]fdp.exe[U+202C] refund</bdi>" in html


def test_the_ticket_page_neutralises_every_user_text(desk, agent):
    ticket = ticket_in(Status.OPEN, agent=agent, subject=SUBJECT, description=f"see {RLO}txt.exe")
    services.message_add(ticket=ticket, author=ticket.requester, body=f"file {RLO}gpj.scr")
    services.ticket_transition(ticket=ticket, to=Status.PENDING, actor=agent, reason=f"{RLO}x")

    html = desk.get(change_url(ticket)).content.decode()

    assert RLO not in html and PDF not in html
    for shown in (
        "<bdi>invoice_[U+202E]fdp.exe[U+202C] refund</bdi>",  # the subject field
        f"{ticket.reference} invoice_[U+202E]fdp.exe[U+202C] refund",  # the title
        "see [U+202E]txt.exe",
        "file [U+202E]gpj.scr",
        "<bdi>[U+202E]x</bdi>",
    ):
        assert shown in html, shown


def test_a_bulk_action_page_lists_subjects_neutralised(desk):
    ticket = TicketFactory(subject=SUBJECT)

    page = action(desk, "set_status", [ticket])

    html = page.content.decode()
    assert RLO not in html
    assert "<bdi>invoice_[U+202E]fdp.exe[U+202C] refund</bdi>" in html


def test_a_reply_that_shows_nothing_is_refused(desk):
    ticket = TicketFactory()

    response = post_ticket_page(desk, ticket, reply="\u200b\u2060\u200b")

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["reply"]
    assert not Message.objects.filter(ticket=ticket).exists()


def test_a_phrase_split_between_reply_and_reason_is_refused(desk):
    ticket = TicketFactory()
    words = SEED.split()

    response = post_ticket_page(
        desk,
        ticket,
        reply=" ".join(words[:6]),
        to_status=Status.PENDING,
        reason=" ".join(words[6:]),
    )

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["reason"]
    assert not Message.objects.filter(ticket=ticket).exists()


def test_a_phrase_in_a_file_is_refused_and_the_reply_kept(desk, media):
    ticket = TicketFactory()

    response = post_ticket_page(
        desk,
        ticket,
        reply="Here is what the customer sent.",
        attachments=[SimpleUploadedFile("words.txt", SEED.encode())],
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["attachments"]
    assert "Here is what the customer sent." in response.content.decode()
    assert not Message.objects.filter(ticket=ticket).exists()
    assert not [path for path in media.rglob("*") if path.is_file()]

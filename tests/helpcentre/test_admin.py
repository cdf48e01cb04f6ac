"""The help centre's admin pages show user text as the desk does (issue #13): a solved
ticket's subject cannot reorder what the supervisor sees."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import ticket_in
from tickets.models import Status

pytestmark = pytest.mark.django_db

RLO, PDF = "\u202e", "\u202c"  # right-to-left override, pop directional formatting


def test_the_solved_tickets_list_shows_a_subject_s_bidi_controls(agent, supervisor):
    ticket_in(Status.RESOLVED, agent=agent, subject=f"invoice_{RLO}fdp.exe{PDF} refund")
    client = Client()
    client.force_login(supervisor)

    page = client.get(reverse("admin:helpcentre_solvedticket_changelist"))

    assert page.status_code == 200
    html = page.content.decode()
    assert RLO not in html and PDF not in html
    assert "<bdi>invoice_[U+202E]fdp.exe[U+202C] refund</bdi>" in html

"""Fixtures of the admin (agents' desk) tests: logged-in clients, and a helper that posts
the ticket page the way a browser would (every field it rendered, plus the changes). The
`media` folder is tests/tickets/conftest.py's."""

from importlib import import_module

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory
from tickets.models import Queue

CHANGELIST = reverse("admin:tickets_ticket_changelist")
# The list's column headers, after the checkbox, as an agent reads them.
LIST_COLUMNS = [
    "reference",
    "subject",
    "requester",
    "status",
    "priority",
    "category",
    "queue",
    "assignee",
    "waiting since",
    "last reply by",
    "updated",
]


def change_url(ticket) -> str:
    return reverse("admin:tickets_ticket_change", args=[ticket.pk])


@pytest.fixture
def migrated_rows(transactional_db):
    """The queues the data migration makes, made again: a transactional test starts after
    a flush, which empties the table. (The role groups come back with post_migrate.)"""
    migration = import_module("tickets.migrations.0002_roles_and_queues")
    for name, slug, category in migration.QUEUES:
        Queue.objects.get_or_create(slug=slug, defaults={"name": name, "default_for": category})


@pytest.fixture
def login(db):
    """login(user) -> a Django test Client with the user's session."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def desk(login, agent) -> Client:
    """The agent's browser."""
    return login(agent)


@pytest.fixture
def staff_without_group(db):
    return UserFactory(is_staff=True)


def _rendered_fields(form) -> dict:
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False or name == "attachments":
            continue
        if value is True:
            value = "on"
        if isinstance(value, list | tuple):
            data[form.add_prefix(name)] = [str(v) for v in value]
        else:
            data[form.add_prefix(name)] = str(value)
    return data


def post_ticket_page(client: Client, ticket, **changes):
    """GET the ticket page, then POST back every field as rendered, with `changes` applied
    (form field names; a value of None drops the field). Returns the POST's response."""
    url = change_url(ticket)
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    data = _rendered_fields(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_rendered_fields(formset.management_form))
        for form in formset.forms:
            data.update(_rendered_fields(form))
    data["_continue"] = "Save and continue editing"
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return client.post(url, data)


def action(client: Client, name: str, tickets, *, url: str = CHANGELIST, **answers):
    """POST a bulk action for `tickets` as the list's action bar does; with `answers`, as
    its intermediate page does (Apply). Follows the redirect back to the list."""
    data = {"action": name, "_selected_action": [str(t.pk) for t in tickets]}
    if answers:
        data.update(answers, apply="Apply")
    else:
        data["index"] = "0"
    return client.post(url, data, follow=True)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]

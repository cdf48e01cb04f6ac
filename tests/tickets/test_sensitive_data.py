"""SPEC §7 over the API: a secret in any text a user sends is refused with 400
`sensitive_data` naming the field and the kind, and nothing of it is stored or logged."""

import logging

import pytest
from mnemonic import Mnemonic

from tests.factories import TicketFactory, ticket_in
from tickets.models import Message, Status, StatusChange, Ticket

pytestmark = pytest.mark.django_db

URL = "/api/v1/tickets/"
SEED = Mnemonic("english").to_mnemonic(bytes(range(16)))  # a valid 12-word phrase
SEED_ZH = Mnemonic("chinese_simplified").to_mnemonic(bytes(range(32)))
WIF = "5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ"  # the well-known test vector
PASSWORD = "my password is Tr0ub4dor&3"


def create(client, **fields):
    body = {"subject": "Help", "description": "My wallet is empty.", "category": "security"}
    return client.post(URL, {**body, **fields}, format="json")


def assert_refused(response, field: str, kind: str, secret: str):
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "sensitive_data"
    assert body["field"] == field and body["kind"] == kind
    assert field in body["errors"]
    assert secret not in response.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "kind", "secret"),
    [
        ("description", f"Agent asked for my phrase: {SEED}", "mnemonic", SEED),
        ("description", f"助记词 {SEED_ZH}", "mnemonic", SEED_ZH),
        ("subject", f"key {WIF}", "private_key", WIF),
        ("description", PASSWORD, "password", "Tr0ub4dor&3"),
        ("steps_to_reproduce", "1. open wallet 2. password: Hunter22!", "password", "Hunter22!"),
        ("transaction_ids", SEED.split(), "mnemonic", SEED.split()[5]),
        ("error_code", WIF, "private_key", WIF),
    ],
)
def test_a_new_ticket_with_a_secret_is_refused_and_not_stored(
    client_for, requester, caplog, field, value, kind, secret
):
    caplog.set_level(logging.DEBUG)
    response = create(client_for(requester), **{field: value})

    assert_refused(response, field, kind, secret)
    assert Ticket.objects.count() == 0
    assert secret not in caplog.text


def test_ordinary_support_text_passes(client_for, requester):
    response = create(
        client_for(requester),
        subject="I forgot my password and 2FA",
        description=(
            "Withdrawal txid 9f2c6a1e0b7d4c3a8e5f1d2b3c4a5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d "
            "to address 1BoatSLRHtKNngkdXEeobR76b53LETtpyT never arrived. "
            "我的提现还没有到账，请帮忙查一下。"
        ),
        transaction_ids=["0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060"],
    )
    assert response.status_code == 201, response.json()


def test_a_reply_with_a_secret_is_refused(client_for, requester, agent):
    ticket = ticket_in(Status.PENDING, agent=agent, requester=requester)
    response = client_for(requester).post(
        f"{URL}{ticket.pk}/messages/", {"body": f"here it is {SEED}"}, format="json"
    )
    assert_refused(response, "body", "mnemonic", SEED)
    assert Message.objects.count() == 0
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING  # the automatic reopen did not happen either


def test_details_changed_later_are_checked_too(client_for, requester):
    ticket = TicketFactory(requester=requester)
    response = client_for(requester).patch(
        f"{URL}{ticket.pk}/", {"steps_to_reproduce": f"imported {WIF}"}, format="json"
    )
    assert_refused(response, "steps_to_reproduce", "private_key", WIF)
    ticket.refresh_from_db()
    assert ticket.steps_to_reproduce == "" and ticket.version == 1


def test_a_transition_reason_is_checked(client_for, requester, agent):
    ticket = TicketFactory(requester=requester)
    response = client_for(requester).post(
        f"{URL}{ticket.pk}/transitions/", {"to": "closed", "reason": PASSWORD}, format="json"
    )
    assert_refused(response, "reason", "password", "Tr0ub4dor&3")
    assert StatusChange.objects.filter(ticket=ticket).count() == 1

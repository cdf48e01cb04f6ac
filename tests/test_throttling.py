"""Limits on abuse: 429 `throttled` with Retry-After, counted in Redis."""

import pytest

from tests.factories import UserFactory
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

URL = "/api/v1/tickets/"
TICKET = {
    "subject": "Deposit missing",
    "description": "Sent 10 USDT.",
    "category": "deposit_withdrawal",
}


@pytest.fixture
def rates(settings):
    def set_rates(**changes):
        settings.HELPDESK_THROTTLE_RATES = {**settings.HELPDESK_THROTTLE_RATES, **changes}

    return set_rates


def assert_throttled(response):
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "throttled"
    assert body["detail"]
    assert int(response["Retry-After"]) > 0
    assert body["retry_after"] == int(response["Retry-After"])


def test_tickets_per_user_per_hour_are_capped(client_for, requester, rates):
    rates(ticket_create="2/hour")
    client = client_for(requester)

    assert [client.post(URL, TICKET, format="json").status_code for _ in range(2)] == [201, 201]
    refused = client.post(URL, TICKET, format="json")

    assert_throttled(refused)
    assert int(refused["Retry-After"]) > 60  # an hourly window
    assert Ticket.objects.count() == 2
    # reading and other users are not held back by this cap
    assert client.get(URL).status_code == 200
    assert client_for(UserFactory()).post(URL, TICKET, format="json").status_code == 201


def test_requests_per_user_are_limited(client_for, requester, rates):
    rates(user="3/min")
    client = client_for(requester)
    assert [client.get(URL).status_code for _ in range(3)] == [200, 200, 200]
    assert_throttled(client.get(URL))
    assert client_for(UserFactory()).get(URL).status_code == 200


def test_requests_per_address_are_limited_across_accounts(client_for, rates):
    rates(ip="4/min")
    clients = [client_for(UserFactory()) for _ in range(4)]
    assert [client.get(URL).status_code for client in clients] == [200] * 4
    assert_throttled(client_for(UserFactory()).get(URL))


def test_password_guessing_is_limited(client_for, requester, rates):
    rates(login="3/min")
    client = client_for()
    wrong = {"username": requester.username, "password": "guess"}
    assert [client.post("/api/v1/auth/token/", wrong).status_code for _ in range(3)] == [400] * 3
    assert_throttled(client.post("/api/v1/auth/token/", wrong))

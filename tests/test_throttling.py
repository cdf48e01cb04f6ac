"""Limits on abuse: 429 `throttled` with Retry-After, counted in Redis."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from rest_framework.request import Request

from helpdesk.throttling import RateLimits
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


def test_the_limit_holds_when_requests_arrive_at_once(rates):
    """The counters are bumped atomically: 24 requests at once from one address let exactly
    the limit through, not every one that read the count before another wrote it."""
    rates(ip="6/min")
    factory = RequestFactory()
    start = threading.Barrier(24)

    def attempt(_number):
        request = Request(factory.get(URL, REMOTE_ADDR="203.0.113.9"))
        request.user = AnonymousUser()
        start.wait()
        return RateLimits().allow_request(request, view=None)  # one per request, as DRF

    with ThreadPoolExecutor(24) as pool:
        allowed = list(pool.map(attempt, range(24)))

    assert allowed.count(True) == 6


def test_a_client_that_waits_retry_after_is_let_in(client_for, requester, rates):
    rates(user="2/s")
    client = client_for(requester)
    assert [client.get(URL).status_code for _ in range(2)] == [200, 200]
    refused = client.get(URL)
    assert_throttled(refused)

    time.sleep(int(refused["Retry-After"]))

    assert client.get(URL).status_code == 200


def test_refused_requests_are_not_counted(client_for, requester, rates):
    """Hammering while refused does not push the wait further out."""
    rates(user="2/s")
    client = client_for(requester)
    [client.get(URL) for _ in range(2)]
    first = client.get(URL)
    assert_throttled(first)
    for _ in range(20):
        assert client.get(URL).status_code == 429

    time.sleep(int(first["Retry-After"]))

    assert client.get(URL).status_code == 200


def test_the_limits_hold_per_process_when_redis_is_down(client_for, requester, rates, settings):
    """Without Redis the API still answers (no 500, no stall) and the limits still hold,
    counted in this process's memory instead of failing open."""
    rates(user="2/min")
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    client = client_for(requester)

    started = time.monotonic()
    statuses = [client.get(URL).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    # and without stalling on it: no retries, and Redis is left alone after a failure
    assert time.monotonic() - started < 2.0

"""Password guessing (SPEC §4): admin and token logins are limited per account
(LOGIN_FAILURE_LIMIT failures lock it for LOGIN_LOCKOUT_MINUTES, whatever the address)
and per client address (THROTTLE_LOGIN_RATE), and stay limited when Redis is down."""

import pytest
from django.test import Client

from tests.factories import PASSWORD, AgentFactory, UserFactory
from tests.tickets.api.support import assert_error

from .conftest import address

pytestmark = pytest.mark.django_db

WRONG = "hunter2"


def logged_in(client: Client) -> bool:
    return client.get("/admin/").status_code == 200


def assert_locked_page(response):
    assert response.status_code == 429
    assert "locked" in response.content.decode()
    assert int(response["Retry-After"]) > 0


def assert_login_locked(response, settings):
    body = assert_error(response, 429, "login_locked")
    assert "token" not in body
    wait = int(response["Retry-After"])
    assert 0 < wait <= settings.LOGIN_LOCKOUT_MINUTES * 60
    assert body["retry_after"] == wait


# --- per account: the admin -------------------------------------------------------------------


def test_thirty_wrong_admin_passwords_lock_the_account_until_the_cool_off(
    admin_login, time_passes, settings
):
    agent = AgentFactory()
    limit = settings.LOGIN_FAILURE_LIMIT

    responses = [admin_login(agent.username, WRONG, address=address(n)) for n in range(30)]

    assert [r.status_code for r in responses[: limit - 1]] == [200] * (limit - 1)
    for response in responses[limit - 1 :]:
        assert_locked_page(response)
    # The right password, from yet another address, is refused while the lock lasts.
    browser = Client()
    assert_locked_page(admin_login(agent.username, PASSWORD, address=address(99), client=browser))
    assert not logged_in(browser)
    time_passes(minutes=settings.LOGIN_LOCKOUT_MINUTES - 1)
    assert_locked_page(admin_login(agent.username, PASSWORD, address=address(99), client=browser))

    time_passes(minutes=1, seconds=1)

    response = admin_login(agent.username, PASSWORD, address=address(99), client=browser)
    assert response.status_code == 302
    assert logged_in(browser)


def test_a_lock_holds_only_the_account_that_was_guessed(admin_login, settings):
    agent, colleague = AgentFactory(), AgentFactory()
    for n in range(settings.LOGIN_FAILURE_LIMIT):
        admin_login(agent.username, WRONG, address=address(n))

    browser = Client()
    response = admin_login(colleague.username, PASSWORD, address=address(0), client=browser)

    assert response.status_code == 302
    assert logged_in(browser)


def test_a_successful_login_forgets_the_failures_before_it(admin_login, settings):
    agent = AgentFactory()
    limit = settings.LOGIN_FAILURE_LIMIT
    for n in range(limit - 1):
        admin_login(agent.username, WRONG, address=address(n))
    assert admin_login(agent.username, PASSWORD).status_code == 302

    responses = [admin_login(agent.username, WRONG, address=address(n)) for n in range(limit - 1)]

    assert [r.status_code for r in responses] == [200] * (limit - 1)


def test_the_limit_and_the_lock_out_are_settings(admin_login, time_passes, settings):
    settings.LOGIN_FAILURE_LIMIT, settings.LOGIN_LOCKOUT_MINUTES = 3, 2
    agent = AgentFactory()

    statuses = [admin_login(agent.username, WRONG, address=address(n)).status_code for n in (1, 2)]

    assert statuses == [200, 200]
    assert_locked_page(admin_login(agent.username, WRONG, address=address(3)))
    assert_locked_page(admin_login(agent.username, PASSWORD, address=address(4)))
    time_passes(minutes=2, seconds=1)
    assert admin_login(agent.username, PASSWORD, address=address(4)).status_code == 302


# --- per account: the token endpoint -----------------------------------------------------------


def test_thirty_wrong_api_passwords_lock_the_account_until_the_cool_off(
    api_login, time_passes, settings
):
    user = UserFactory()
    limit = settings.LOGIN_FAILURE_LIMIT

    responses = [api_login(user.username, WRONG, address=address(n)) for n in range(30)]

    for response in responses[: limit - 1]:
        assert_error(response, 400, "validation_error")
    for response in responses[limit - 1 :]:
        assert_login_locked(response, settings)
    assert_login_locked(api_login(user.username, PASSWORD, address=address(99)), settings)
    time_passes(minutes=settings.LOGIN_LOCKOUT_MINUTES - 1)
    locked = api_login(user.username, PASSWORD, address=address(99))
    assert_login_locked(locked, settings)
    assert int(locked["Retry-After"]) <= 60

    time_passes(minutes=1, seconds=1)

    response = api_login(user.username, PASSWORD, address=address(99))
    assert response.status_code == 200
    assert response.json()["token"]


def test_the_api_and_the_admin_share_an_accounts_lock(api_login, admin_login, settings):
    agent = AgentFactory()
    for n in range(settings.LOGIN_FAILURE_LIMIT):
        api_login(agent.username, WRONG, address=address(n))

    assert_locked_page(admin_login(agent.username, PASSWORD, address=address(42)))


# --- per address ---------------------------------------------------------------------------


def test_admin_logins_from_one_address_are_rate_limited(admin_login, rates):
    rates(login="3/min")
    users = [AgentFactory() for _ in range(4)]

    statuses = [admin_login(u.username, WRONG, address="192.0.2.7").status_code for u in users]

    assert statuses[:3] == [200, 200, 200]
    assert statuses[3] == 429
    refused = admin_login(users[0].username, PASSWORD, address="192.0.2.7")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    # The login page itself still shows, and other addresses are not held back.
    assert Client().get("/admin/login/", REMOTE_ADDR="192.0.2.7").status_code == 200
    assert admin_login(users[0].username, PASSWORD, address="192.0.2.8").status_code == 302


def test_token_logins_from_one_address_are_rate_limited_across_accounts(api_login, rates):
    rates(login="3/min")
    users = [UserFactory() for _ in range(4)]

    responses = [api_login(u.username, WRONG, address="192.0.2.9") for u in users]

    assert [r.status_code for r in responses[:3]] == [400] * 3
    assert_error(responses[3], 429, "throttled")
    assert api_login(users[0].username, PASSWORD, address="192.0.2.10").status_code == 200


# --- with Redis down -------------------------------------------------------------------------


def test_with_redis_down_an_account_is_still_locked(
    redis_down, api_login, admin_login, time_passes, settings
):
    agent = AgentFactory()
    for n in range(settings.LOGIN_FAILURE_LIMIT):
        api_login(agent.username, WRONG, address=address(n))

    assert_login_locked(api_login(agent.username, PASSWORD, address=address(50)), settings)
    assert_locked_page(admin_login(agent.username, PASSWORD, address=address(51)))
    time_passes(minutes=settings.LOGIN_LOCKOUT_MINUTES, seconds=1)
    assert api_login(agent.username, PASSWORD, address=address(52)).status_code == 200


def test_with_redis_down_an_address_is_still_rate_limited(
    redis_down, api_login, admin_login, rates
):
    rates(login="4/min")
    users = [AgentFactory() for _ in range(5)]

    api = [api_login(u.username, WRONG, address="192.0.2.20").status_code for u in users[:2]]
    admin = [admin_login(u.username, WRONG, address="192.0.2.20").status_code for u in users[2:4]]

    assert api == [400, 400] and admin == [200, 200]
    assert_error(api_login(users[4].username, PASSWORD, address="192.0.2.20"), 429, "throttled")
    assert admin_login(users[4].username, PASSWORD, address="192.0.2.20").status_code == 429


def test_a_locked_login_is_explained_in_the_callers_language(api_login, settings):
    from rest_framework.test import APIClient

    user = UserFactory()
    for n in range(settings.LOGIN_FAILURE_LIMIT):
        api_login(user.username, WRONG, address=address(n))

    response = APIClient().post(
        "/api/v1/auth/token/",
        {"username": user.username, "password": PASSWORD},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    body = assert_error(response, 429, "login_locked")
    assert "锁定" in body["detail"]

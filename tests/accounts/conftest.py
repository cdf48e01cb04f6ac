"""Fixtures of the accounts tests: signing in over the API and through the admin's login
page from a chosen client address, and moving a lock-out's clock."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import PASSWORD

TOKEN_URL = "/api/v1/auth/token/"
PASSWORD_URL = "/api/v1/me/password/"
ME_URL = "/api/v1/me/"


def address(number: int) -> str:
    """A documentation address (TEST-NET-2): one per attempt, so that an account's limit is
    seen to hold whatever the address."""
    return f"198.51.100.{number % 250 + 1}"


@pytest.fixture
def api_login(db):
    """api_login(username, password, address=...) -> the response of POST /auth/token/."""

    def post(username: str, password: str = PASSWORD, *, address: str = "203.0.113.5"):
        return APIClient().post(
            TOKEN_URL,
            {"username": username, "password": password},
            format="json",
            REMOTE_ADDR=address,
        )

    return post


@pytest.fixture
def token_of(api_login):
    """token_of(user) -> a new token of the user's, from the login endpoint."""

    def login(user) -> str:
        response = api_login(user.username)
        assert response.status_code == 200, response.content
        return response.json()["token"]

    return login


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def admin_login(db):
    """admin_login(username, password, address=..., client=None) -> the response of the
    admin's login form, posted as a browser would."""

    def post(username, password=PASSWORD, *, address="203.0.113.5", client=None):
        client = client or Client()
        return client.post(
            reverse("admin:login"),
            {"username": username, "password": password, "next": "/admin/"},
            REMOTE_ADDR=address,
        )

    return post


@pytest.fixture
def rates(settings):
    def set_rates(**changes):
        settings.HELPDESK_THROTTLE_RATES = {**settings.HELPDESK_THROTTLE_RATES, **changes}

    return set_rates


@pytest.fixture
def redis_down(settings):
    """Every Redis the web process uses points at a port nothing listens on: the rate
    limits' (REDIS_URL) and the cache's."""
    dead = "redis://127.0.0.1:1/0"
    settings.REDIS_URL = dead
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": dead},
    }


@pytest.fixture
def time_passes():
    """time_passes(minutes=...) -> the login attempts recorded so far are that much older,
    as if the time had gone by (the lock-out's cool-off is measured from them)."""
    from datetime import timedelta

    from axes.models import AccessAttempt
    from django.db.models import F

    def age(**delta):
        AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(**delta))

    return age

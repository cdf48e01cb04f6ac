import pytest
from rest_framework.test import APIClient

from accounts import services as accounts
from tests.factories import AgentFactory, SupervisorFactory, UserFactory


def pytest_collection_modifyitems(config, items):
    """The suite is for PostgreSQL: an SQLite run would hide locking and JSON behaviour."""
    from django.conf import settings
    from django.db import connection

    if not settings.configured:
        return
    engine = settings.DATABASES["default"]["ENGINE"]
    if connection.vendor != "postgresql":
        raise pytest.UsageError(
            f"The tests run on PostgreSQL, not {engine}: set DATABASE_URL (`make test` does)."
        )


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Factory users get a password; the production hasher costs ~0.3 s per user. The hash
    itself is not under test (login tests still go through the real check)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Each test starts with empty rate-limit counters (they live in the Redis cache)."""
    from django.core.cache import caches

    caches["default"].clear()
    caches["local"].clear()


@pytest.fixture(autouse=True)
def closed_breakers():
    """A Redis or broker failure in one test must not keep the next away from them."""
    from helpdesk.breakers import BROKER, SHARED_REDIS

    for breaker in (BROKER, SHARED_REDIS):
        breaker.reset()


@pytest.fixture
def requester(db):
    return UserFactory()


@pytest.fixture
def other_requester(db):
    return UserFactory()


@pytest.fixture
def agent(db):
    return AgentFactory()


@pytest.fixture
def supervisor(db):
    return SupervisorFactory()


@pytest.fixture
def client_for(db):
    """client_for(user) -> an APIClient that authenticates with a real token of the user's
    (a new one per client, as each device signs in for its own)."""

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            _token, key = accounts.token_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make


@pytest.fixture
def media(settings, tmp_path):
    """Attachments are written to a media folder of the test's own."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return tmp_path

"""API tokens (SPEC §4): several per user, stored hashed, expiring unless used, revoked
by DELETE /auth/token/ and by a password change."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from tests.factories import PASSWORD, UserFactory
from tests.tickets.api.support import assert_error

from .conftest import ME_URL, TOKEN_URL, with_token

pytestmark = pytest.mark.django_db


def stored_token(key: str):
    """The token's row, found the way the API finds it (tests may look inside knox)."""
    from knox.crypto import hash_token
    from knox.models import AuthToken

    return AuthToken.objects.get(digest=hash_token(key))


# --- signing in ---------------------------------------------------------------------------


def test_a_login_answers_a_token_and_when_it_expires(requester, api_login, settings):
    before = timezone.now()

    response = api_login(requester.username)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires_at"}
    ttl = timedelta(hours=settings.TOKEN_TTL_HOURS)
    assert before + ttl <= parse_datetime(body["expires_at"]) <= timezone.now() + ttl
    assert with_token(body["token"]).get(ME_URL).json()["username"] == requester.username


def test_each_login_is_a_token_of_its_own_and_all_of_them_work(requester, token_of):
    phone, laptop = token_of(requester), token_of(requester)

    assert phone != laptop
    for key in (phone, laptop):
        assert with_token(key).get(ME_URL).status_code == 200


def test_a_token_is_not_stored_in_plain_text(requester, token_of):
    """No row of any table holds the key: only its hash is kept."""
    key = token_of(requester)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        )
        tables = [name for (name,) in cursor.fetchall()]
        holding = []
        for table in tables:
            cursor.execute(
                f'SELECT count(*) FROM "{table}" AS row WHERE row::text LIKE %s', [f"%{key}%"]
            )
            if cursor.fetchone()[0]:
                holding.append(table)

    assert len(tables) > 20  # the whole schema was read
    assert holding == []
    assert with_token(key).get(ME_URL).status_code == 200


# --- expiry --------------------------------------------------------------------------------


def test_an_expired_token_is_refused_with_401(requester, token_of):
    key = token_of(requester)
    token = stored_token(key)
    token.expiry = timezone.now() - timedelta(seconds=1)
    token.save()

    assert_error(with_token(key).get(ME_URL), 401, "authentication_failed")
    # and it is gone for good: using it again does not bring it back
    assert_error(with_token(key).get(ME_URL), 401, "authentication_failed")


def test_using_a_token_extends_its_life(requester, token_of, settings):
    key = token_of(requester)
    token = stored_token(key)
    token.expiry = timezone.now() + timedelta(hours=1)  # about to expire
    token.save()

    assert with_token(key).get(ME_URL).status_code == 200

    expiry = stored_token(key).expiry
    assert expiry >= timezone.now() + timedelta(hours=settings.TOKEN_TTL_HOURS) - timedelta(
        minutes=1
    )


def test_extending_a_fresh_token_writes_nothing(requester, token_of):
    """The expiry is moved on at most once in a while, not written on every request."""
    client = with_token(token_of(requester))
    client.get(ME_URL)

    with CaptureQueriesContext(connection) as queries:
        assert client.get(ME_URL).status_code == 200

    writes = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("SELECT")]
    assert writes == []


def test_expired_tokens_are_purged_every_hour_and_live_ones_kept(requester, token_of, settings):
    from accounts.tasks import purge_expired_tokens

    stale_key, live_key = token_of(requester), token_of(requester)
    stale = stored_token(stale_key)
    stale.expiry = timezone.now() - timedelta(minutes=1)
    stale.save()
    schedule = {
        entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    assert schedule[purge_expired_tokens.name] == 3600.0

    assert purge_expired_tokens.apply().get() == 1

    assert not type(stale).objects.filter(pk=stale.pk).exists()
    assert with_token(live_key).get(ME_URL).status_code == 200


# --- revoking ------------------------------------------------------------------------------


def test_delete_revokes_the_token_used_and_no_other(requester, token_of):
    phone, laptop = token_of(requester), token_of(requester)

    response = with_token(phone).delete(TOKEN_URL)

    assert response.status_code == 204
    assert_error(with_token(phone).get(ME_URL), 401, "authentication_failed")
    assert with_token(laptop).get(ME_URL).status_code == 200


def test_delete_without_a_token_is_401(requester, client_for):
    from rest_framework.test import APIClient

    assert_error(APIClient().delete(TOKEN_URL), 401, "not_authenticated")


def test_another_users_tokens_are_untouched_by_a_delete(requester, token_of):
    other = UserFactory()
    mine, theirs = token_of(requester), token_of(other)

    assert with_token(mine).delete(TOKEN_URL).status_code == 204

    assert with_token(theirs).get(ME_URL).status_code == 200


def test_a_deactivated_users_token_is_refused(requester, token_of):
    key = token_of(requester)
    requester.is_active = False
    requester.save()

    assert_error(with_token(key).get(ME_URL), 401, "authentication_failed")


@pytest.mark.parametrize(
    "header",
    ["Token", "Token a b", "Token \u00e9\u00e9\u00e9", "Token abc\x00def", "Token " + "f" * 300],
)
def test_malformed_tokens_are_401_not_500(db, header):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    assert_error(client.get(ME_URL), 401, "authentication_failed")


# --- the operators' command ----------------------------------------------------------------


def test_create_token_prints_a_working_token(requester):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("create_token", requester.username, stdout=out)

    key = out.getvalue().strip()
    assert with_token(key).get(ME_URL).json()["username"] == requester.username


def test_create_token_for_nobody_is_an_error(db):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="no-such-user"):
        call_command("create_token", "no-such-user")


def test_the_password_still_logs_in_after_tokens_are_revoked(requester, token_of, api_login):
    with_token(token_of(requester)).delete(TOKEN_URL)

    assert api_login(requester.username, PASSWORD).status_code == 200


# --- tokens from before: DRF's plain-text ones --------------------------------------------


def test_plain_drf_tokens_are_hashed_by_the_migration_and_keep_working(requester, settings):
    """A database that had DRF's authtoken table: its keys still sign in afterwards, now
    stored as hashes, and the plain-text table is gone."""
    from django.core.management import call_command

    key = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"  # DRF's format: 40 hex digits
    call_command("migrate", "accounts", "zero", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, "
            "created timestamptz NOT NULL, user_id bigint NOT NULL)"
        )
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, now(), %s)", [key, requester.pk])

    call_command("migrate", "accounts", verbosity=0)

    assert "authtoken_token" not in connection.introspection.table_names()
    assert with_token(key).get(ME_URL).json()["username"] == requester.username
    expiry = stored_token(key).expiry
    assert expiry > timezone.now() + timedelta(hours=settings.TOKEN_TTL_HOURS - 1)

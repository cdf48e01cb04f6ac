"""Database connections come from a pool per process (Django's psycopg pool): requests
reuse them instead of connecting each time, and one the server has ended is replaced
before a request uses it, so the request does not fail."""

import psycopg
import pytest
from django.db import close_old_connections, connection

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def api(client_for, requester):
    client = client_for(requester)
    assert client.get("/api/v1/me/").status_code == 200  # the pool holds a connection
    return client


def as_the_server_does():
    """What Django's WSGI handler does at the end of every request and the test client
    leaves out: the request's connection goes back to the pool."""
    close_old_connections()


def backends() -> set[int]:
    """The server processes connected to the test database, other than an admin's."""
    with admin_connection() as admin:
        rows = admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [connection.settings_dict["NAME"]],
        ).fetchall()
    return {pid for (pid,) in rows}


def admin_connection() -> psycopg.Connection:
    params = connection.get_connection_params()
    keys = ("host", "port", "user", "password", "dbname", "sslmode")
    return psycopg.connect(**{k: params[k] for k in keys if params.get(k)}, autocommit=True)


def terminate_all() -> None:
    """End every connection to the test database, as a server restart would."""
    with admin_connection() as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [connection.settings_dict["NAME"]],
        )


def test_requests_reuse_the_pools_connections(api):
    as_the_server_does()
    before = backends()

    for _ in range(5):
        assert api.get("/api/v1/me/").status_code == 200
        as_the_server_does()

    assert backends() == before


def test_a_request_after_the_server_ended_the_connections_gets_a_new_one(api):
    as_the_server_does()
    before = backends()
    terminate_all()

    assert api.get("/api/v1/me/").status_code == 200

    assert backends().isdisjoint(before)


def test_a_ticket_is_created_on_a_new_connection_after_a_server_restart(api):
    as_the_server_does()
    terminate_all()

    response = api.post(
        "/api/v1/tickets/",
        {
            "subject": "Deposit missing",
            "description": "Sent 1 BTC, not credited.",
            "category": "deposit_withdrawal",
        },
        format="json",
    )

    assert response.status_code == 201
    assert api.get(f"/api/v1/tickets/{response.json()['id']}/").status_code == 200

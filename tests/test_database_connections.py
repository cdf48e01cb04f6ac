"""Kept database connections (CONN_MAX_AGE with CONN_HEALTH_CHECKS): a kept connection
serves the next request, and one the server has ended is replaced before a request uses
it, so the request does not fail."""

import select

import psycopg
import pytest
from django.db import close_old_connections, connection

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def api(client_for, requester):
    client = client_for(requester)
    assert client.get("/api/v1/me/").status_code == 200  # the connection is open and kept
    return client


def as_the_server_does():
    """What Django's WSGI handler does at the start of every request, and the test client
    leaves out: the kept connection is due for its health check before its next query."""
    close_old_connections()
    assert connection.connection is not None and not connection.health_check_done


def backend_pid() -> int:
    return connection.connection.info.backend_pid


def terminate(pid: int) -> None:
    """End the backend from another session, as a server restart or an admin would, and
    wait for its goodbye to reach our socket."""
    params = connection.get_connection_params()
    keys = ("host", "port", "user", "password", "dbname", "sslmode")
    given = {key: params[key] for key in keys if params.get(key)}
    with psycopg.connect(**given, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    readable, _, _ = select.select([connection.connection.fileno()], [], [], 5)
    assert readable, "the server's goodbye never arrived"


def test_the_kept_connection_serves_the_next_request(api):
    pid = backend_pid()
    as_the_server_does()

    assert api.get("/api/v1/me/").status_code == 200

    assert backend_pid() == pid


def test_a_request_after_the_server_ended_the_connection_gets_a_new_one(api):
    pid = backend_pid()
    terminate(pid)
    as_the_server_does()

    response = api.get("/api/v1/me/")

    assert response.status_code == 200
    assert backend_pid() != pid


def test_a_ticket_is_created_on_a_new_connection_after_a_server_restart(api):
    terminate(backend_pid())
    as_the_server_does()

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

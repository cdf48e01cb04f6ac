"""helpdesk.postgresql: a kept connection is checked before a request uses it, without a
round trip while the server has said nothing, and replaced when the server has ended it."""

import select

import psycopg
import pytest
from django.db import close_old_connections, connection

from helpdesk.postgresql import base as postgresql_base

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


def queries_sent(api, tmp_path) -> list[str]:
    """The queries the next request sends the server, read from the protocol trace."""
    trace = tmp_path / "protocol.log"
    as_the_server_does()
    with trace.open("w") as sink:
        connection.connection.pgconn.trace(sink.fileno())
        try:
            assert api.get("/api/v1/me/").status_code == 200
        finally:
            connection.connection.pgconn.untrace()
    # The trace's lines: time, F (to the server) or B (from it), length, message, text.
    return [line.split("\t")[4] for line in trace.read_text().splitlines() if "\tF\t" in line]


def test_a_busy_quiet_connection_is_not_tested_with_a_query(api, tmp_path):
    queries = queries_sent(api, tmp_path)

    assert queries, "the trace saw the request's own query"
    assert all("authtoken_token" in query for query in queries), queries


def test_a_connection_left_idle_is_tested_with_a_query(api, tmp_path, monkeypatch):
    """A peer can vanish without a word from an idle connection (a NAT or load balancer
    forgetting it): past QUIET_SECONDS the check is a real query again."""
    monkeypatch.setattr(postgresql_base, "QUIET_SECONDS", 0.0)

    queries = queries_sent(api, tmp_path)

    assert queries[0].strip() == '"SELECT 1"'
    assert "authtoken_token" in queries[1]


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

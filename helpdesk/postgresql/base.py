"""Django's PostgreSQL backend, with a health check that costs no round trip while the
connection is quiet.

CONN_HEALTH_CHECKS makes Django test a kept connection before a request first uses it,
with a `SELECT 1`: a round trip to the server on every request. On this machine a round
trip on loopback costs the web process 100–250 µs of CPU (the system calls and waking the
other side), a twentieth of creating a ticket (bench/README.md, issue #6). A server that
ends a connection (a restart, `pg_terminate_backend`, `idle_session_timeout`) says so
first: it sends an error and closes the socket, and an idle connection's socket, which
otherwise has nothing to read, becomes readable. So a quiet socket is taken as healthy,
and only one with something to read, or not idle, is tested with `SELECT 1` as before.
A server that vanished without a word (a cut network) is found by the first query, as it
would be between the check and the query anyway.
"""

import select

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed:
            return False
        if connection.info.transaction_status == pq.TransactionStatus.IDLE:
            readable, _, _ = select.select([connection.fileno()], [], [], 0)
            if not readable:
                return True
        return super().is_usable()

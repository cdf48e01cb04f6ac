"""Django's PostgreSQL backend, with a health check that costs no round trip while the
connection is busy and quiet.

CONN_HEALTH_CHECKS makes Django test a kept connection before a request first uses it,
with a `SELECT 1`: a round trip to the server on every request. On this machine a round
trip on loopback costs the web process 50–250 µs of CPU (the system calls and waking the
other side), a sizeable part of creating a ticket (bench/README.md, issue #6).

A server that ends a connection (a restart, `pg_terminate_backend`, `idle_session_timeout`)
says so first: it sends an error and closes the socket, and an idle connection's socket,
which otherwise has nothing to read, becomes readable. So a connection used moments ago
(within QUIET_SECONDS) whose socket has nothing to read is taken as healthy; any other is
tested with `SELECT 1` as before. What the quiet check cannot see is a peer gone without a
word (a cut network, a load balancer or NAT forgetting the connection), which mostly
happens to connections left idle: those are past QUIET_SECONDS and tested for real. A
busy connection lost that way in the moment fails the request's first query, as it would
have between the check and the query.
"""

import select
import time

from django.db.backends.postgresql import base
from psycopg import pq

QUIET_SECONDS = 5.0


class DatabaseWrapper(base.DatabaseWrapper):
    _healthy_at = float("-inf")

    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed:
            return False
        now = time.monotonic()
        recent, self._healthy_at = now - self._healthy_at < QUIET_SECONDS, now
        if recent and connection.info.transaction_status == pq.TransactionStatus.IDLE:
            try:
                poller = select.poll()  # not select(): it fails on descriptors past 1023
                poller.register(connection.fileno(), select.POLLIN)
                if not poller.poll(0):
                    return True
            except (AttributeError, OSError, ValueError):
                pass  # no poll() here, or a closed descriptor: the real check decides
        usable = super().is_usable()
        if not usable:
            self._healthy_at = float("-inf")
        return usable

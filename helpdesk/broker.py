"""Celery's Redis transport, keeping its Redis client instead of building one per call.

kombu's Redis channel makes a new `redis.Redis` for every synchronous use: each publish
batch, and in a worker each message taken (the unacked bookkeeping) and each ack. Building
one sets up a table of some 250 response callbacks: under cProfile it was a sixth of
queueing a ticket's deliveries, and about a tenth of a worker's time per delivery
(bench/README.md, issue #6). A client is only a handle on the channel's connection pool and
is safe to share between threads (every command takes a connection from the pool), so the
channel keeps one per pool.

Selected by CELERY_BROKER_TRANSPORT (helpdesk/settings.py) for redis:// URLs; rediss:// keeps
kombu's own transport, since kombu turns TLS on by the transport's name.
"""

from kombu.transport import redis as kombu_redis


class Channel(kombu_redis.Channel):
    _kept_client = None

    def _create_client(self, asynchronous=False):
        if asynchronous:  # the event loop's own connection (BRPOP): one per channel already
            return super()._create_client(asynchronous=True)
        kept, pool = self._kept_client, self.pool
        if kept is None or kept.connection_pool is not pool:
            kept = self._kept_client = super()._create_client()
        return kept


class Transport(kombu_redis.Transport):
    Channel = Channel

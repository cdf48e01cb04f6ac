"""State the web processes share in Redis (REDIS_URL), and small tables cached in each
process against a version number kept there.

Redis is a help here, never a dependency: a call fails fast (short timeouts, no retries)
and after a failure Redis is left alone for a few seconds, so an outage costs a request
no more than the shortcut it skips."""

import logging
import threading
import time
from collections.abc import Callable
from functools import cache
from typing import Generic, TypeVar

import redis
from django.conf import settings
from django.core.signals import request_started
from django.db import transaction
from django.db.models import signals
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

REDIS_TIMEOUT_SECONDS = 0.5
REDIS_PAUSE_SECONDS = 5.0
_paused_until = 0.0


@cache
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(
        url,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        retry=Retry(NoBackoff(), 0),  # redis-py would retry, with backoff
    )


def shared_redis() -> redis.Redis | None:
    """The shared Redis; None without REDIS_URL, or for a while after it failed."""
    if not settings.REDIS_URL or time.monotonic() < _paused_until:
        return None
    return _client(settings.REDIS_URL)


def redis_failed(exc: Exception, what: str) -> None:
    global _paused_until
    _paused_until = time.monotonic() + REDIS_PAUSE_SECONDS
    logger.warning("Redis unavailable, %s for %.0f s: %s", what, REDIS_PAUSE_SECONDS, exc)


T = TypeVar("T")

ALL: list["RowsCache"] = []

# The versions of every cached table, read together (one MGET) by the first cache a request
# or a task asks, and trusted for the rest of it: each Redis round trip costs a web process
# 50-250 us of CPU here, and a ticket's creation asked twice (bench/README.md, issue #6).
# Read again at the start of each request (below) and task (helpdesk/celery.py), and in
# any case after VERSIONS_MAX_AGE seconds (management commands, the shell).
VERSIONS_MAX_AGE = 1.0
_local = threading.local()


def _versions(client: redis.Redis, key: str) -> dict[str, bytes | None]:
    kept = getattr(_local, "versions", None)
    if kept is None or key not in kept[1] or time.monotonic() >= kept[0]:
        keys = [cache.key for cache in ALL]
        kept = _local.versions = (
            time.monotonic() + VERSIONS_MAX_AGE,
            dict(zip(keys, client.mget(keys), strict=True)),
        )
    return kept[1]


def forget_versions(**_signal_kwargs) -> None:
    """Check the tables' versions again on next use: a new request or task begins."""
    _local.versions = None


request_started.connect(forget_versions, dispatch_uid="helpdesk.cache.forget_versions")


class RowsCache(Generic[T]):
    """`load()`'s result, kept while the table's version in Redis stays the same: a save
    or delete of `model` bumps the version when its transaction commits, and every process
    then reads the table again from its next request or task on. At most one Redis MGET
    per request instead of a query; without Redis (the embedded run, or Redis failing) the
    table is read each time. As a safety net nothing is kept longer than `max_age`
    seconds."""

    def __init__(self, name: str, model, load: Callable[[], T], *, max_age: float = 60.0):
        self.key, self.load, self.max_age = f"helpdesk:version:{name}", load, max_age
        self._kept: tuple[bytes | None, float, T] | None = None
        for signal in (signals.post_save, signals.post_delete):
            signal.connect(self.changed, sender=model, weak=False)
        ALL.append(self)

    def get(self) -> T:
        client = shared_redis()
        if client is None:
            return self.load()
        try:
            version = _versions(client, self.key)[self.key]
        except redis.RedisError as exc:
            redis_failed(exc, "tables read from the database")
            return self.load()
        kept = self._kept
        if kept is not None and kept[0] == version and time.monotonic() < kept[1]:
            return kept[2]
        value = self.load()  # read after the version: a change since then reloads next time
        self._kept = (version, time.monotonic() + self.max_age, value)
        return value

    def changed(self, **_signal_kwargs) -> None:
        self.clear()
        transaction.on_commit(self._bump)

    def _bump(self) -> None:
        self.clear()
        client = shared_redis()
        if client is None:
            return
        try:
            client.incr(self.key)
        except redis.RedisError as exc:
            redis_failed(exc, "other processes keep their copy up to a minute")

    def clear(self) -> None:
        self._kept = None


def clear_all() -> None:
    """Forget every kept table (tests: rows rolled back leave no version bump behind)."""
    forget_versions()
    for kept in ALL:
        kept.clear()

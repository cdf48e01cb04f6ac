"""Rate limits (SPEC §4: 429 `throttled` with Retry-After).

One throttle per view checks all of the view's scopes at once, each a counter per time
window in Redis (when REDIS_URL is set, so every web process shares the counts; otherwise
in the process's cache): the scopes' counters are bumped and read in one round trip with
atomic INCRs. DRF's own throttles keep a list of timestamps per key, read and written back
whole on every request (two round trips per scope, lost updates under concurrency, and a
list as long as the rate).

The count over the last `duration` is the sliding-window estimate: the previous window's
count weighted by how much of it still overlaps, plus the current window's (a burst at
the end of one window followed by another early in the next can pass up to about twice
the rate within one `duration`; steady traffic is held to it). A refused request is not
counted. While Redis is down (helpdesk.breakers) each process counts on its own, so the
limits hold per process rather than failing open. Rates come from
settings.HELPDESK_THROTTLE_RATES at request time, so they can be changed per deployment and
per test."""

import time
from functools import cache

import redis
from django.conf import settings
from django.core.cache import caches
from redis.backoff import NoBackoff
from redis.retry import Retry
from rest_framework.throttling import BaseThrottle

from .breakers import SHARED_REDIS

REDIS_TIMEOUT_SECONDS = 0.5


@cache
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(
        url,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        retry=Retry(NoBackoff(), 0),  # fail fast: the breaker decides when to try again
    )


def shared_redis() -> redis.Redis | None:
    """The shared Redis; None without REDIS_URL, or while its breaker is open."""
    if not settings.REDIS_URL or SHARED_REDIS.is_open:
        return None
    return _client(settings.REDIS_URL)


DURATIONS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'600/min' -> (600, 60): requests, seconds."""
    number, period = rate.split("/")
    return int(number), DURATIONS[period[0]]


class _Counters:
    """INCR the current windows' keys and read the previous windows' counts: in the
    shared Redis, or in this process's memory (the `local` cache) without it."""

    def bump(self, client, keys: list[tuple[str, str, int]]) -> list[tuple[int, int]]:
        if client is not None:
            pipe = client.pipeline(transaction=False)
            for current, previous, ttl in keys:
                pipe.incr(current)
                pipe.expire(current, ttl)
                pipe.get(previous)
            replies = pipe.execute()
            return [(int(replies[i]), int(replies[i + 2] or 0)) for i in range(0, len(replies), 3)]
        local, counts = caches["local"], []
        for current, previous, ttl in keys:
            local.add(current, 0, ttl)
            counts.append((local.incr(current), local.get(previous, 0)))
        return counts

    def unbump(self, client, keys: list[str]) -> None:
        if client is not None:
            pipe = client.pipeline(transaction=False)
            for key in keys:
                pipe.decr(key)
            pipe.execute()
        else:
            for key in keys:
                caches["local"].decr(key)


COUNTERS = _Counters()


class RateLimits(BaseThrottle):
    """The per-address and per-user limits, on every view that does not say otherwise."""

    scopes = ("ip", "user")

    def ident(self, scope: str, request, view) -> str | None:
        """Whom `scope` counts this request against; None: the scope does not apply."""
        if scope == "user" and request.user.is_authenticated:
            return f"u{request.user.pk}"
        return self.address(request)

    def address(self, request) -> str:
        # Callers without an address (no REMOTE_ADDR) share one count, as with DRF's.
        return self.get_ident(request) or "unknown"

    def allow_request(self, request, view) -> bool:
        self.waits = []
        now = time.time()
        checks, keys = [], []
        for scope in self.scopes:
            rate = settings.HELPDESK_THROTTLE_RATES.get(scope)
            ident = self.ident(scope, request, view) if rate else None
            if ident is None:
                continue
            limit, duration = parse_rate(rate)
            window = int(now // duration)
            key = f"throttle:{scope}:{ident}:{duration}:"
            checks.append((limit, duration, now - window * duration))
            keys.append((f"{key}{window}", f"{key}{window - 1}", 2 * duration))
        if not checks:
            return True
        client = shared_redis()
        try:
            counts = COUNTERS.bump(client, keys)
        except redis.RedisError as exc:
            SHARED_REDIS.failed(exc, "rate limits counted per process")
            client = None
            counts = COUNTERS.bump(client, keys)
        for (limit, duration, elapsed), (current, previous) in zip(checks, counts, strict=True):
            if previous * (1 - elapsed / duration) + current > limit:
                self.waits.append(_wait(limit, duration, elapsed, current - 1, previous))
        if self.waits:
            try:
                COUNTERS.unbump(client, [current for current, _previous, _ttl in keys])
            except redis.RedisError as exc:
                SHARED_REDIS.failed(exc, "rate limits counted per process")
        return not self.waits

    def wait(self) -> float | None:
        return max(self.waits, default=None)


def _wait(limit: int, duration: int, elapsed: float, current: int, previous: int) -> float:
    """Seconds until one more request fits, if no other comes: `current` requests counted
    in this window (this one not included), `previous` in the one before."""
    if limit <= 0:
        return float(duration)
    if current + 1 <= limit and previous:
        # Later in this window the previous one weighs less: p * (1 - t/d) + c + 1 <= L.
        return max(duration * (1 - (limit - current - 1) / previous) - elapsed, 1.0)
    # In the next window this one is the previous: c * (1 - t/d) + 1 <= L.
    return duration - elapsed + duration * max(1 - (limit - 1) / max(current, 1), 0)


class TicketLimits(RateLimits):
    """The ticket views: besides, new tickets per user per hour (replies and reads are not
    counted)."""

    scopes = ("ip", "user", "ticket_create")

    def ident(self, scope: str, request, view) -> str | None:
        if scope == "ticket_create":
            if request.method != "POST" or getattr(view, "action", None) != "create":
                return None
            scope = "user"
        return super().ident(scope, request, view)


class LoginLimits(RateLimits):
    """Password guesses at the token endpoint and the admin's login form, per address."""

    scopes = ("ip", "login")

    def ident(self, scope: str, request, view) -> str | None:
        return self.address(request)

"""Circuit breakers: after a failure, leave a service alone for a while.

Redis (rate limits) and the broker (queueing deliveries) help the web processes but must
never hold a request up: while one is down, each request would otherwise wait for its
own connection attempt to fail. A breaker remembers the failure for a while (the setting
it names, in seconds), per process, and the callers skip the call meanwhile (the rate
limits count in this process; deliveries stay in the database for the sweep)."""

import logging
import threading
import time

from django.conf import settings

logger = logging.getLogger(__name__)


class CircuitBreaker:
    def __init__(self, name: str, *, pause_setting: str) -> None:
        self.name, self.pause_setting = name, pause_setting
        self._until = 0.0
        self._failed_since_success = False
        self._lock = threading.Lock()

    @property
    def is_open(self) -> bool:
        """True while the service is being left alone after a failure."""
        return time.monotonic() < self._until

    def failed(self, exc: BaseException, consequence: str) -> None:
        pause = getattr(settings, self.pause_setting)
        with self._lock:
            first = not self.is_open
            self._until = time.monotonic() + pause
            self._failed_since_success = True
        if first:
            logger.warning("%s unavailable, %s for %.0f s: %s", self.name, consequence, pause, exc)

    def succeeded(self) -> bool:
        """Record a call that worked; True for the first one after a failure (once), so
        that the caller can start catching up on what the outage left behind."""
        with self._lock:
            recovered, self._failed_since_success = self._failed_since_success, False
        if recovered:
            logger.warning("%s available again", self.name)
        return recovered

    def reset(self) -> None:
        self._until = 0.0
        self._failed_since_success = False


SHARED_REDIS = CircuitBreaker("Redis (REDIS_URL)", pause_setting="REDIS_RETRY_SECONDS")
BROKER = CircuitBreaker("Broker (CELERY_BROKER_URL)", pause_setting="BROKER_RETRY_SECONDS")

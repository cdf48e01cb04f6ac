"""Small tables read on every request and changed by hand now and then (queues, webhook
endpoints): kept in the process for a few seconds instead of queried each time."""

import time
from collections.abc import Callable
from typing import Generic, TypeVar

from django.db.models import signals

T = TypeVar("T")

ALL: list["RowsCache"] = []


class RowsCache(Generic[T]):
    """`load()`'s result, reused for `ttl` seconds. A save or delete of `model` in this
    process drops it at once; other processes see the change within `ttl`."""

    def __init__(self, model, load: Callable[[], T], *, ttl: float = 10.0):
        self.load, self.ttl = load, ttl
        self._value: T | None = None
        self._expires = 0.0
        for signal in (signals.post_save, signals.post_delete):
            signal.connect(self.clear, sender=model, weak=False)
        ALL.append(self)

    def get(self) -> T:
        now = time.monotonic()
        if self._value is None or now >= self._expires:
            self._value, self._expires = self.load(), now + self.ttl
        return self._value

    def clear(self, **_signal_kwargs) -> None:
        self._value = None


def clear_all() -> None:
    """Forget every cached table (tests: rows rolled back leave no signal behind)."""
    for cached in ALL:
        cached.clear()

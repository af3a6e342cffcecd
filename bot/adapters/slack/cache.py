"""Small in-process caches with a time to live and a size bound.

Used for de-duplicating Slack's retried deliveries and for caching user and user-group lookups
for a few minutes. They use a monotonic clock (platform time limits are about real time, not
the bot's simulated clock) and evict the oldest entries first when full.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

V = TypeVar("V")


class TtlCache(Generic[V]):
    """A mapping whose entries expire ``ttl`` seconds after they were stored.

    Args:
        ttl: Seconds an entry stays valid.
        max_size: Entries kept at most; the oldest go first.
        clock: Monotonic seconds (injectable for tests).
    """

    def __init__(
        self, ttl: float, max_size: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self.max_size = max_size
        self._clock = clock
        self._items: OrderedDict[str, tuple[float, V]] = OrderedDict()

    def get(self, key: str) -> V | None:
        """The live value under ``key``, or ``None``."""
        item = self._items.get(key)
        if item is None:
            return None
        expires, value = item
        if expires <= self._clock():
            del self._items[key]
            return None
        return value

    def put(self, key: str, value: V) -> None:
        """Store ``value`` under ``key`` for ``ttl`` seconds."""
        self._items.pop(key, None)
        self._items[key] = (self._clock() + self.ttl, value)
        self._evict()

    def pop(self, key: str) -> None:
        """Forget ``key``."""
        self._items.pop(key, None)

    def __len__(self) -> int:
        return len(self._items)

    def _evict(self) -> None:
        now = self._clock()
        # Entries are in insertion order, so expired ones cluster at the front.
        while self._items:
            key, (expires, _) = next(iter(self._items.items()))
            if expires > now and len(self._items) <= self.max_size:
                break
            del self._items[key]


class SeenKeys:
    """Remembers keys for a while: ``first_time(key)`` is true once per key per ``ttl``."""

    def __init__(
        self, ttl: float, max_size: int = 50_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._cache: TtlCache[bool] = TtlCache(ttl, max_size, clock)

    def first_time(self, key: str) -> bool:
        """Record ``key``; true if it was not seen within the time to live."""
        if self._cache.get(key):
            return False
        self._cache.put(key, True)
        return True

"""Small in-process caches with a time to live and a size bound, on ``cachetools``.

Used for de-duplicating Slack's retried deliveries and for caching user and user-group lookups
for a few minutes. They use a monotonic clock (platform time limits are about real time, not
the bot's simulated clock). :class:`cachetools.TTLCache` does the expiry and the bound
(least recently used first when full); this module only keeps the small typed interface the
adapter uses (``get``/``put``/``pop``), which returns ``None`` for a missing key.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Generic, TypeVar

from cachetools import TTLCache

V = TypeVar("V")


class TtlCache(Generic[V]):
    """A mapping whose entries expire ``ttl`` seconds after they were stored.

    Args:
        ttl: Seconds an entry stays valid.
        max_size: Entries kept at most; the least recently used go first.
        clock: Monotonic seconds (injectable for tests).
    """

    def __init__(
        self, ttl: float, max_size: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self.max_size = max_size
        self._items: TTLCache[str, V] = TTLCache(maxsize=max_size, ttl=ttl, timer=clock)

    def get(self, key: str) -> V | None:
        """The live value under ``key``, or ``None``."""
        return self._items.get(key)

    def put(self, key: str, value: V) -> None:
        """Store ``value`` under ``key`` for ``ttl`` seconds (from now, also on a refresh)."""
        self._items.pop(key, None)  # a re-stored entry gets a fresh time to live
        self._items[key] = value

    def pop(self, key: str) -> None:
        """Forget ``key``."""
        self._items.pop(key, None)

    def __len__(self) -> int:
        self._items.expire()
        return len(self._items)


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

"""Per-process caches of reference tables, refreshed every few minutes.

The load state is explicit: a cache is "never loaded" until its first load, whatever the clock says.
(A timestamp of 0 meaning "never" against `time.monotonic()`, whose origin is the machine's boot, read as
"loaded a moment ago" on a machine up for less than the TTL: the tables never loaded.)
"""

import threading
import time
import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


_ALL: "weakref.WeakSet[Refreshed]" = weakref.WeakSet()


def clear_all() -> None:
    """Every cache loads again on next use (tests: each builds its own reference tables)."""
    for cache in list(_ALL):
        cache.clear()


class Refreshed(Generic[T]):
    """`get()` returns `load()`'s value, loaded on first use and again once `ttl` seconds have passed."""

    def __init__(
        self, load: Callable[[], T], ttl: float = 300.0, clock: Callable[[], float] = time.monotonic
    ):
        self._load = load
        self.ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self.loaded_at: float | None = None  # None: never loaded (or cleared)
        self._value: T | None = None
        _ALL.add(self)

    @property
    def loaded(self) -> bool:
        return self.loaded_at is not None

    def get(self) -> T:
        loaded_at = self.loaded_at
        if loaded_at is None or self._clock() - loaded_at > self.ttl:
            with self._lock:
                if self.loaded_at is None or self._clock() - self.loaded_at > self.ttl:
                    self._value = self._load()
                    self.loaded_at = self._clock()
        return self._value  # type: ignore[return-value]

    def clear(self) -> None:
        """Load again on next use (tests, or after the reference data changed)."""
        self.loaded_at = None

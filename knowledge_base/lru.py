"""A small thread-safe LRU map: the caches of embeddings, retrieval results and sentence analyses."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Iterator, Sequence
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LruCache(Generic[K, V]):
    """Keeps the ``size`` most recently used entries; ``size`` 0 keeps nothing (the cache is off)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[K]:
        """The keys, least recently used first."""
        with self._lock:
            return iter(list(self._entries))

    def get_many(self, keys: Sequence[K]) -> list[V | None]:
        """The cached value of each key (None where there is none), marking those found as recently used."""
        found: list[V | None] = []
        with self._lock:
            for key in keys:
                value = self._entries.get(key)
                if value is not None:
                    self._entries.move_to_end(key)
                found.append(value)
        return found

    def get(self, key: K) -> V | None:
        """The cached value, or None."""
        return self.get_many([key])[0]

    def put_many(self, items: Iterable[tuple[K, V]]) -> None:
        """Store these entries, dropping the least recently used beyond ``size``."""
        if not self.size:
            return
        with self._lock:
            self._entries.update(items)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def put(self, key: K, value: V) -> None:
        """Store one entry."""
        self.put_many([(key, value)])

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()

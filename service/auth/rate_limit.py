"""Per-key rate limits: a token bucket per key, refilled continuously."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """``per_minute`` requests a minute on average, with bursts of up to ``burst``. Per worker process."""

    def __init__(self, per_minute: int, burst: int) -> None:
        self.per_minute = per_minute
        self.burst = burst
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def acquire(self, key: str, per_minute: int | None = None) -> float:
        """Take one request for ``key``: 0.0 if allowed, else the seconds to wait before retrying."""
        rate = (per_minute or self.per_minute) / 60.0
        capacity = float(self.burst if per_minute is None else max(1, min(self.burst, per_minute)))
        now = time.monotonic()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(capacity, now)
            bucket.tokens = min(capacity, bucket.tokens + (now - bucket.updated) * rate)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return max(1.0, math.ceil((1.0 - bucket.tokens) / rate))

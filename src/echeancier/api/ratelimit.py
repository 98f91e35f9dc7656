"""A simple in-process rate limit for every API route (issue #8; the account routes too, before their token is
checked): a token bucket per client address.

Each client (its IP address as the server sees it) may make `burst` requests at once, then `per_minute` a minute
on average; beyond that the API answers 429 with a `Retry-After` header. The buckets live in the process: with
several workers each has its own, so the effective limit is multiplied by their number. `per_minute=0` turns the
limit off (benchmarks on loopback). A front proxy should set the real limit in production.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from fastapi import Request

from echeancier.api.parsing import ApiError

MAX_CLIENTS = 10_000  # buckets kept; the least recently seen are forgotten first


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(self, per_minute: int, burst: int | None = None) -> None:
        if per_minute < 0:
            raise ValueError("rate_limit : zéro (aucune limite) ou plus")
        self.per_minute = per_minute
        self.burst = burst if burst is not None else max(1, per_minute // 6)
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.per_minute > 0

    def acquire(self, client: str, now: float | None = None) -> float:
        """0 when `client` may proceed (one token taken), else the seconds until it may retry."""
        if not self.enabled:
            return 0.0
        moment = time.monotonic() if now is None else now
        rate = self.per_minute / 60
        with self._lock:
            bucket = self._buckets.pop(client, None) or _Bucket(float(self.burst), moment)
            bucket.tokens = min(float(self.burst), bucket.tokens + (moment - bucket.updated) * rate)
            bucket.updated = moment
            self._buckets[client] = bucket
            if len(self._buckets) > MAX_CLIENTS:
                self._buckets.popitem(last=False)
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return 0.0
            return (1 - bucket.tokens) / rate


def retry_after(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))


class RateLimited(ApiError):
    def __init__(self, seconds: str) -> None:
        super().__init__(429, None, f"trop de requêtes : réessayer dans {seconds} s")
        self.retry_after = seconds


async def limit_rate(request: Request) -> None:
    """FastAPI dependency of every router: 429 beyond the client's share."""
    limiter: RateLimiter = request.app.state.limiter
    client = request.client.host if request.client else "unknown"
    wait = limiter.acquire(client)
    if wait:
        raise RateLimited(retry_after(wait))

"""Which article URLs a crawl has taken on: within one process, or shared by crawlers on several machines.

Without REDIS_URL the frontier is a set in the spider's process. With REDIS_URL, every crawler of the same
spider claims an article URL in Redis before requesting it (`SET <prefix>:<spider>:<url> NX EX <lease>`,
one round trip per listing page): the first claim wins and the others skip the URL, so machines crawling
the same sources split the articles between them and none is fetched twice.

A claim is a lease, not a record of success: it expires after FRONTIER_LEASE_SECONDS (default six hours).
A URL whose crawler died, or whose fetch failed (recorded in `fetch_failures` for the next run), is taken
on again by a run after the lease; what was stored is known from the database, which stays the only
record of what is done. This is why the frontier is not scrapy-redis's shared scheduler: its duplicate
filter keeps every scheduled URL for good and a popped request is never acknowledged, so a crawler that
dies mid-run would lose its URLs for every later run.

Redis unreachable when the crawl starts: the spider does not start (a clear error, the run fails). Redis
lost during the crawl: URLs are taken on locally (counted as `frontier/redis_errors`), so the crawl goes
on and at worst fetches an article twice, which the store's upsert absorbs.

Claims run on the crawl's event loop, so a Redis that hangs (accepts connections, never answers) must not hold
it: every call gives up after FRONTIER_REDIS_TIMEOUT seconds (default 1; a claim takes milliseconds), and a
failure, hang or loss alike, sends claims to the local set for FRONTIER_REDIS_RETRY seconds (default 30)
before Redis is tried again. A hung Redis therefore costs the loop at most one timeout per retry period.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Sequence
from typing import Protocol

log = logging.getLogger(__name__)

DEFAULT_LEASE_SECONDS = 6 * 3600
DEFAULT_KEY_PREFIX = "newscrawl:claim"
DEFAULT_REDIS_TIMEOUT = 1.0  # seconds a Redis call may take
DEFAULT_REDIS_RETRY = 30.0  # seconds claims stay local after Redis failed


class FrontierUnavailable(RuntimeError):
    """REDIS_URL is set but Redis cannot be reached or used."""


class Frontier(Protocol):
    def claim(self, keys: Sequence[str]) -> list[bool]:
        """For each key, True when this crawler takes it on (no other crawler has a live claim)."""
        ...

    def taken_here(self, key: str) -> bool:
        """True when this process took the key on already (no round trip)."""
        ...

    def close(self) -> None: ...


class LocalFrontier:
    """The URLs taken on by this process."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def claim(self, keys: Sequence[str]) -> list[bool]:
        won = []
        for key in keys:
            won.append(key not in self.taken)
            self.taken.add(key)
        return won

    def taken_here(self, key: str) -> bool:
        return key in self.taken

    def close(self) -> None:
        self.taken.clear()


class RedisFrontier:
    """Leases in Redis shared by every crawler of one spider (see the module docstring)."""

    def __init__(
        self,
        url: str,
        spider: str,
        lease_seconds: int = DEFAULT_LEASE_SECONDS,
        prefix: str = DEFAULT_KEY_PREFIX,
        owner: str | None = None,
        timeout: float = DEFAULT_REDIS_TIMEOUT,
        retry_after: float = DEFAULT_REDIS_RETRY,
    ) -> None:
        import redis

        if lease_seconds < 1:
            raise ValueError("FRONTIER_LEASE_SECONDS must be at least 1")
        if timeout <= 0 or retry_after < 0:
            raise ValueError("FRONTIER_REDIS_TIMEOUT must be positive and FRONTIER_REDIS_RETRY not negative")
        self.errors = redis.RedisError
        self.client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        self.retry_after = retry_after
        self.local_until = 0.0  # monotonic time before which claims stay local (Redis failed)
        self.namespace = f"{prefix}:{spider}:"
        self.lease_seconds = lease_seconds
        self.owner = f"{owner or socket.gethostname()}:{os.getpid()}"  # the value of a claim, for whoever looks
        self.local = LocalFrontier()  # this process's own claims, also the fallback while Redis is down
        self.redis_errors = 0
        try:
            self.client.ping()
        except self.errors as exc:
            raise FrontierUnavailable(
                f"REDIS_URL is set but Redis does not answer ({exc}); start it, or unset REDIS_URL to crawl "
                "from this machine alone"
            ) from exc

    def claim(self, keys: Sequence[str]) -> list[bool]:
        mine = self.local.claim(keys)  # a key this process took already is not claimed again
        fresh = [key for key, new in zip(keys, mine, strict=True) if new]
        if not fresh or time.monotonic() < self.local_until:
            return mine
        try:
            pipeline = self.client.pipeline(transaction=False)
            for key in fresh:
                pipeline.set(self.namespace + key, self.owner, nx=True, ex=self.lease_seconds)
            answers = iter(pipeline.execute())
        except self.errors as exc:  # lost or hung alike
            self.redis_errors += 1
            self.local_until = time.monotonic() + self.retry_after
            log.warning(
                "frontier: Redis failed (%s); taking URLs on without a shared claim for %.0f s",
                exc,
                self.retry_after,
            )
            return mine
        return [bool(next(answers)) if new else False for new in mine]

    def taken_here(self, key: str) -> bool:
        return self.local.taken_here(key)

    def close(self) -> None:
        self.local.close()
        self.client.close()


def make_frontier(
    redis_url: str | None,
    spider: str,
    lease_seconds: int,
    prefix: str,
    owner: str | None = None,
    timeout: float = DEFAULT_REDIS_TIMEOUT,
    retry_after: float = DEFAULT_REDIS_RETRY,
) -> Frontier:
    """A RedisFrontier when REDIS_URL is set, else a LocalFrontier."""
    if not redis_url:
        return LocalFrontier()
    frontier = RedisFrontier(redis_url, spider, lease_seconds, prefix, owner, timeout, retry_after)
    log.info("frontier shared through Redis: claims under %s*, leases of %d s", frontier.namespace, lease_seconds)
    return frontier

"""A Redis that hangs (issue 12, item 8): it accepts connections and answers the crawl's first PING, then never
answers again. Claims must not hold the crawl's event loop: one short timeout, then local claims for a while."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from crawler.spiders.frontier import FrontierUnavailable, RedisFrontier


def _commands(data: bytes) -> list[bytes]:
    """The command names in a buffer of whole RESP requests (arrays of bulk strings)."""
    lines = data.split(b"\r\n")
    names = []
    for index, line in enumerate(lines):
        if line.startswith(b"*") and index + 2 < len(lines):
            names.append(lines[index + 2].upper())
    return names


class HungRedis:
    """A TCP server on 127.0.0.1 that speaks enough Redis to be connected to and pinged, until `hang` is set;
    from then on it reads every request and answers none (a stopped or wedged Redis)."""

    def __init__(self) -> None:
        self.hang = False
        self.server = socket.create_server(("127.0.0.1", 0))
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.stopped = False

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.server.getsockname()[1]}/0"

    def _serve(self) -> None:
        while not self.stopped:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._talk, args=(connection,), daemon=True).start()

    def _talk(self, connection: socket.socket) -> None:
        with connection:
            while True:
                try:
                    data = connection.recv(65536)
                except OSError:
                    return
                if not data:
                    return
                if self.hang:
                    continue
                for name in _commands(data):
                    if name == b"HELLO":  # RESP3 handshake of redis-py 6+
                        connection.sendall(b"%2\r\n$6\r\nserver\r\n$5\r\nredis\r\n$5\r\nproto\r\n:3\r\n")
                    elif name == b"PING":
                        connection.sendall(b"+PONG\r\n")
                    else:
                        connection.sendall(b"+OK\r\n")


@pytest.fixture
def hung_after_ping() -> Iterator[HungRedis]:
    server = HungRedis()
    server.thread.start()
    yield server
    server.stopped = True
    server.server.close()


def test_claims_against_a_hung_redis_cost_one_short_timeout(hung_after_ping: HungRedis) -> None:
    frontier = RedisFrontier(hung_after_ping.url, "sina_finance", 60, "test", timeout=0.5, retry_after=30)
    hung_after_ping.hang = True
    started = time.monotonic()
    won = [frontier.claim([f"https://example.org/{page}/{i}" for i in range(50)]) for page in range(10)]
    took = time.monotonic() - started
    assert all(all(page) for page in won)  # taken on locally: the crawl goes on
    assert frontier.redis_errors == 1  # the first claim timed out; the others did not wait on Redis at all
    assert took < 2.0, f"ten listing pages of claims held the loop for {took:.1f} s"
    frontier.close()


def test_a_redis_that_hangs_from_the_start_fails_fast(hung_after_ping: HungRedis) -> None:
    hung_after_ping.hang = True
    started = time.monotonic()
    with pytest.raises(FrontierUnavailable, match="does not answer"):
        RedisFrontier(hung_after_ping.url, "sina_finance", 60, "test", timeout=0.5)
    assert time.monotonic() - started < 2.0

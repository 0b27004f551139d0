"""A local HTTP server on 127.0.0.1 that plays many news sites at once, for crawl and fault tests.

Crawls reach it through crawler.middlewares.hostmap (HOST_MAP_TARGET): a request for
`https://finance.sina.com.cn/a` arrives as `/https/finance.sina.com.cn/a`. Each page is a `Page`
with a body and optional faults (a status, a delay, a reset connection, a redirect, a huge body).
ETags are served and `If-None-Match` answered with 304, so incremental re-runs can be tested.
Every request is logged for assertions.
"""

from __future__ import annotations

import hashlib
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass
class Page:
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    delay: float = 0.0
    reset: bool = False
    redirect_to: str | None = None
    extra_headers: dict[str, str] = field(default_factory=dict)
    then: Page | None = None  # what the next request of this URL gets (this page answers once)
    truncate_at: int | None = None  # announce the whole body, send this many bytes of it, close the connection

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:16] + '"'


def site_key(url: str) -> str:
    """`https://www.x.org/a?b=1` -> `www.x.org/a?b=1` (the scheme is not part of a page's identity here)."""
    parts = urlsplit(url)
    return parts.netloc + (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


class LocalSite:
    def __init__(self) -> None:
        self.pages: dict[str, Page] = {}
        self.log: list[tuple[str, int, dict[str, str]]] = []
        self.arrivals: list[tuple[str, float]] = []  # (page, when its request arrived), in order
        self._lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
                return

            def do_GET(self) -> None:
                _, _scheme, rest = self.path.split("/", 2) if self.path.count("/") >= 2 else ("", "", "")
                key = rest if "/" in rest else rest + "/"
                page = site.pages.get(key)
                headers = {k.lower(): v for k, v in self.headers.items()}
                if page is None:
                    self._send(404, b"not found", "text/plain", {})
                    site._record(key, 404, headers)
                    return
                if page.reset:
                    status = 0
                elif page.redirect_to:
                    status = 301
                elif page.status == 200 and headers.get("if-none-match") == page.etag:
                    status = 304
                else:
                    status = page.status
                site._record(key, status, headers)  # logged on arrival, before any delay
                if page.then is not None:
                    site.pages[key] = page.then
                if page.delay:
                    time.sleep(page.delay)
                if status == 0:
                    # abort with a TCP reset: linger 0, then shut the socket down under the buffered files
                    linger_off_reset = b"\x01\x00\x00\x00\x00\x00\x00\x00"
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger_off_reset)
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                elif status == 301:
                    self._send(301, b"", "text/plain", {"Location": page.redirect_to or "/"})
                elif status == 304:
                    self._send(304, b"", None, {"ETag": page.etag})
                else:
                    self._send(status, page.body, page.content_type, {"ETag": page.etag, **page.extra_headers}, page)

            def _send(
                self,
                status: int,
                body: bytes,
                content_type: str | None,
                headers: dict[str, str],
                page: Page | None = None,
            ) -> None:
                try:
                    self.send_response(status)
                    if content_type:
                        self.send_header("Content-Type", content_type)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    if status != 304:
                        self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    if status != 304:
                        cut = page.truncate_at if page is not None else None
                        self.wfile.write(body if cut is None else body[:cut])
                        if cut is not None:
                            self.wfile.flush()
                            self.close_connection = True
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _record(self, key: str, status: int, headers: dict[str, str]) -> None:
        with self._lock:
            self.log.append((key, status, headers))
            self.arrivals.append((key, time.monotonic()))

    @property
    def target(self) -> str:
        """The HOST_MAP_TARGET setting for crawls against this site."""
        return f"127.0.0.1:{self.server.server_address[1]}"

    def add(self, url: str, page: Page | bytes | str, **kwargs: object) -> Page:
        if isinstance(page, str):
            page = page.encode("utf-8")
        if isinstance(page, bytes):
            page = Page(page, **kwargs)  # type: ignore[arg-type]
        self.pages[site_key(url)] = page
        return page

    def requests_for(self, url: str) -> list[tuple[int, dict[str, str]]]:
        key = site_key(url)
        return [(status, headers) for k, status, headers in self.log if k == key]

    def clear_log(self) -> None:
        with self._lock:
            self.log.clear()

    def __enter__(self) -> LocalSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

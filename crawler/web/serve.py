"""`newscrawl serve`: the web application on 127.0.0.1:8000 (`--host`, `--port`) until Ctrl-C.

With the embedded database, this command holds the server while it serves (it stops when the command exits).
The socket is bound before uvicorn starts, so a port in use is one line and exit 1, and `--port 0` picks a free
port and prints it.
"""

from __future__ import annotations

import argparse
import ipaddress
import socket
import sys
from pathlib import Path
from typing import Any

import crawler
from crawler.config import Config

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def _port(value: str) -> int:
    if not value.isdigit() or not 0 <= int(value) <= 65535:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number (0-65535)")
    return int(value)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (IPv6 when host is an IPv6 address)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def capture_dirs(config: Config) -> list[Path]:
    """Where raw captures are looked up: the crawl's WARC folder, then the bundled demo capture's folder (the
    articles `newscrawl demo` stores point at demo.warc.gz)."""
    return [config.warc_dir, Path(crawler.__file__).resolve().parent / "demo"]


def serve(args: argparse.Namespace, config: Config) -> int:
    import uvicorn

    from crawler.store.database import Store
    from crawler.web.app import create_app

    store = Store.from_config(config)  # starts (or joins) the embedded server, held until this command exits
    try:
        store.check()
    finally:
        store.dispose()
    try:
        sock = bind(args.host, args.port)
    except OSError as exc:
        print(f"newscrawl serve: error: cannot listen on {args.host}:{args.port}: {exc.strerror or exc} "
              "(another port: --port N, any free one: --port 0)", file=sys.stderr)  # fmt: skip
        return 1
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    print(f"serving the corpus at http://{shown}:{port}/ until Ctrl-C (read-only)", flush=True)
    if not is_loopback(args.host):
        print(
            f"warning: listening on {args.host}, not only on this machine: anyone who can reach this address "
            "can read the whole corpus (there is no login); put it behind a proxy with authentication",
            file=sys.stderr,
            flush=True,
        )
    app = create_app(store.url, capture_dirs(config))
    server = uvicorn.Server(uvicorn.Config(app, log_level=args.log_level, access_log=args.access_log))
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
        app.state.engine.dispose()
    print("stopped serving", file=sys.stderr)
    return 0


def add_serve_parser(commands: Any) -> None:
    """`newscrawl serve [--host H] [--port N]`."""
    parser = commands.add_parser(
        "serve",
        help="read-only web application over the corpus: search, articles, stories, sources, crawl health",
        description="Serve the corpus in a browser (read-only) until Ctrl-C. Binds to 127.0.0.1 unless --host "
        "says otherwise: there is no login, so anyone who can reach the address can read the corpus.",
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    parser.add_argument("--port", type=_port, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0: any free)")
    parser.add_argument("--access-log", action="store_true", help="log every request")
    parser.add_argument("--log-level", default="warning", choices=("debug", "info", "warning", "error"),
                        help="uvicorn's log level (default warning)")  # fmt: skip
    parser.set_defaults(handler=serve)

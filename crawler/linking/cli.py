"""`newscrawl link [--rebuild] [--no-encoder]`: run the syndication linker (parser and handler for crawler/cli.py)."""

from __future__ import annotations

import argparse
from typing import Any

from crawler.config import Config


def _link(args: argparse.Namespace, config: Config) -> int:
    from crawler.linking.run import link_all, link_new
    from crawler.store.database import Store

    store = Store.from_config(config)
    try:
        store.check()
        use_encoder = not args.no_encoder
        stats = link_all(store, use_encoder=use_encoder) if args.rebuild else link_new(store, use_encoder=use_encoder)
    finally:
        store.dispose()
    print(stats.summary())
    return 0


def add_link_parser(commands: Any) -> None:
    """`newscrawl link [--rebuild] [--no-encoder]`."""
    parser = commands.add_parser("link", help="link copies to originals (new articles; --rebuild: all of them)")
    parser.add_argument("--rebuild", action="store_true", help="re-link every article and drop stale links")
    parser.add_argument("--no-encoder", action="store_true", help="judge translations on anchors alone")
    parser.set_defaults(handler=_link)

"""`scrapy crawl NAME`: Scrapy's own command, but an unknown spider or a bad `-a` argument is one line and
exit code 2 (as with `newscrawl crawl`), not a traceback."""

from __future__ import annotations

import argparse

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError


class Command(ScrapyCrawl):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) == 1:
            assert self.crawler_process
            loader = self.crawler_process.spider_loader
            known = sorted(loader.list())
            if args[0] not in known:
                raise UsageError(f"unknown spider {args[0]!r}; known: {', '.join(known)}", print_help=False)
            try:
                loader.load(args[0])(**opts.spargs)  # the spider checks its arguments before anything runs
            except ValueError as exc:
                raise UsageError(str(exc), print_help=False) from None
        super().run(args, opts)

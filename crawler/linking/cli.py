"""`newscrawl link [--rebuild] [--no-encoder | --encoder static|full]` runs the syndication linker;
`newscrawl similar ARTICLE_ID` lists the articles closest to one article (parsers and handlers for crawler/cli.py)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from crawler.config import Config


def _select_encoder(args: argparse.Namespace) -> None:
    from crawler.linking import encoder

    encoder.select(args.encoder)


def _encoder_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--encoder", choices=("static", "full"), default="static",
        help="static: the model reading each word alone, ~0.3 ms an article (default); full: the whole model,"
        " 13-31 ms an article, slightly higher recall. Vectors of one are not reused by the other",
    )


def _link(args: argparse.Namespace, config: Config) -> int:
    from crawler.analyst.views import refresh_views
    from crawler.linking.run import link_all, link_new
    from crawler.store.database import Store

    _select_encoder(args)
    store = Store.from_config(config)
    try:
        store.check()
        use_encoder = not args.no_encoder
        stats = link_all(store, use_encoder=use_encoder) if args.rebuild else link_new(store, use_encoder=use_encoder)
        refresh_views(store)  # the materialised analyst views (stories, daily counts)
    finally:
        store.dispose()
    print(stats.summary())
    return 0


def add_link_parser(commands: Any) -> None:
    """`newscrawl link [--rebuild] [--no-encoder | --encoder static|full]`."""
    parser = commands.add_parser("link", help="link copies to originals (new articles; --rebuild: all of them)")
    parser.add_argument("--rebuild", action="store_true", help="re-link every article and drop stale links")
    parser.add_argument("--no-encoder", action="store_true", help="judge translations on anchors alone")
    _encoder_option(parser)
    parser.set_defaults(handler=_link)


def _positive_int(low: int, high: int) -> Any:
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
        if not low <= number <= high:
            raise argparse.ArgumentTypeError(f"{value!r} must be between {low} and {high}")
        return number

    return parse


def _similar(args: argparse.Namespace, config: Config) -> int:
    from datetime import timedelta

    from crawler.linking.similar import ArticleNotFound, similar_articles
    from crawler.store.database import Store

    _select_encoder(args)
    store = Store.from_config(config)
    try:
        store.check()
        with store.sessions() as session:
            target, ranked = similar_articles(session, args.article_id, limit=args.limit,
                                              window=timedelta(days=args.window_days), use_encoder=not args.no_encoder)
    except ArticleNotFound as exc:
        print(f"newscrawl similar: error: {exc}", file=sys.stderr)
        return 2
    finally:
        store.dispose()
    date = target.published_at.strftime("%Y-%m-%d %H:%M") if target.published_at else "-"
    print(f"article {target.id} ({target.language or '?'}, {date}, {target.source_name}): {target.url}")
    if not ranked:
        print(f"no article within {args.window_days} days shares an embedding neighbourhood or an anchor with it")
        return 0
    for number, hit in enumerate(ranked, 1):
        when = hit.published_at.strftime("%Y-%m-%d %H:%M") if hit.published_at else "-"
        cosine = f"cosine {hit.cosine:.3f}" if hit.cosine is not None else "cosine -"
        link = f" | {hit.relation} link {hit.link_score:.2f}" if hit.relation and hit.link_score is not None else ""
        print(f"{number}. #{hit.id} {hit.language or '?'} | {when} | {hit.source} | score {hit.score:.3f} | {cosine}"
              f" | anchors {hit.anchor_score:.2f}{link}")
        print(f"   {hit.title or '(no title)'} | {hit.url}")
        if hit.shared:
            print(f"   shared anchors: {', '.join(a[2:] for a in hit.shared[:12])}")
    return 0


def add_similar_parser(commands: Any) -> None:
    """`newscrawl similar ARTICLE_ID [--limit N] [--window-days D] [--no-encoder | --encoder static|full]`."""
    parser = commands.add_parser("similar", help="the articles closest to one article, in any language")
    parser.add_argument("article_id", type=_positive_int(1, 2**63 - 1), help="articles.id of the article")
    parser.add_argument("--limit", type=_positive_int(1, 1000), default=10, help="number of articles (default 10)")
    parser.add_argument("--window-days", type=_positive_int(1, 3650), default=3,
                        help="published within this many days of the article (default 3)")
    parser.add_argument("--no-encoder", action="store_true", help="rank by shared anchors alone")
    _encoder_option(parser)
    parser.set_defaults(handler=_similar)

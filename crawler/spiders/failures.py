"""Classify why a request failed (for crawl_runs counts and fetch_failures), from the exception Scrapy gives.

Scrapy 2.13+ raises its own download exceptions (DownloadTimeoutError, …); older versions raise Twisted's.
Both are recognised.
"""

from __future__ import annotations

import scrapy.exceptions
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import defer, error
from twisted.web import _newclient

from crawler.middlewares.addressguard import BlockedAddress


def _available(module: object, *names: str) -> tuple[type[BaseException], ...]:
    return tuple(cls for name in names if isinstance(cls := getattr(module, name, None), type))


TIMEOUT = _available(error, "TimeoutError", "TCPTimedOutError") + _available(scrapy.exceptions, "DownloadTimeoutError")
DNS = _available(error, "DNSLookupError") + _available(scrapy.exceptions, "CannotResolveHostError")
# Scrapy cancels a download that announces or reaches more than DOWNLOAD_MAXSIZE
TOO_LARGE = _available(defer, "CancelledError") + _available(scrapy.exceptions, "DownloadCancelledError")
CONNECTION = (
    _available(error, "ConnectionRefusedError", "ConnectionLost", "ConnectionDone")
    + _available(_newclient, "ResponseNeverReceived", "ResponseFailed")
    + _available(scrapy.exceptions, "DownloadConnectionRefusedError", "DownloadFailedError", "ResponseDataLossError")
)


def _decompressed_too_large(failure: BaseException) -> bool:
    """Scrapy's HttpCompressionMiddleware refusing a body that inflates past DOWNLOAD_MAXSIZE (a gzip bomb)."""
    cause = failure.__cause__
    return isinstance(failure, IgnoreRequest) and (
        (cause is not None and "MaxSize" in cause.__class__.__name__) or "DOWNLOAD_MAXSIZE" in str(failure)
    )


def classify(failure: BaseException) -> tuple[str, int | None]:
    """(kind, HTTP status or None); kind is one of the fetch_failures kinds."""
    if isinstance(failure, HttpError):
        return "http", failure.response.status
    if isinstance(failure, TIMEOUT):
        return "timeout", None
    if isinstance(failure, DNS):
        return "dns", None
    if isinstance(failure, TOO_LARGE) or _decompressed_too_large(failure):
        return "too_large", None
    if isinstance(failure, BlockedAddress):
        return "blocked", None
    if isinstance(failure, IgnoreRequest) and "redirect" in str(failure).lower():
        return "redirect_loop", None
    if isinstance(failure, CONNECTION):
        return "connection", None
    return "other", None


def describe(failure: BaseException) -> str:
    """One line for logs and the database."""
    if isinstance(failure, HttpError):
        return f"HTTP {failure.response.status}"
    reasons = getattr(failure, "reasons", None)
    if reasons:
        return f"{failure.__class__.__name__}: " + "; ".join(str(getattr(r, "value", r)) for r in reasons)
    return f"{failure.__class__.__name__}: {failure}"

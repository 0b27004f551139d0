"""Refuse requests and responses that involve private, loopback, link-local or reserved addresses.

A hostile or broken site can redirect (HTTP 3xx or a meta refresh) to `http://169.254.169.254/` (a cloud
metadata service), `http://10.0.0.5/` or `http://127.0.0.2/`, and the crawler would otherwise store what
answered there as an article. This downloader middleware refuses:

- before sending: a request whose URL names such an address (an IP literal, `localhost`, `*.localhost`);
- after the connection: a response that came from such an address (the address the host name resolved to,
  `response.ip_address`), so a public name that resolves to an internal address is refused too. Its bytes
  never reach the archive, the spider or the store.

Every request passes through it, redirects and meta refreshes included (they are new requests). A refused
request fails with `BlockedAddress`, which the spiders record in `fetch_failures` as kind `blocked`.

Setting ALLOWED_ADDRESSES (a list of networks in CIDR notation, e.g. `127.0.0.1` or `10.1.0.0/16`; default
none) lets such addresses through: a crawl of an intranet site, and the tests, which crawl a local server on
127.0.0.1 and opt in with `-s ALLOWED_ADDRESSES=127.0.0.1`. Behind an HTTP proxy, the address a response
came from is the proxy's: a proxy on a private network must be listed too (its own checks then apply).
Responses made up from an archive (replay) or the HTTP cache have no address and pass. Order 950: after the
WARC capture's response step (a refused response is not archived), before the host mapping of the tests
rewrites URLs.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

log = logging.getLogger(__name__)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class BlockedAddress(IgnoreRequest):
    """A request to (or a response from) an internal address that ALLOWED_ADDRESSES does not allow."""


def internal_kind(address: Address) -> str | None:
    """Why `address` is not a public Internet address ('loopback', 'private', …), or None when it is."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for kind in ("loopback", "unspecified", "link_local", "multicast", "private", "reserved"):
        if getattr(address, f"is_{kind}"):
            return kind.replace("_", "-")
    return None if address.is_global else "reserved"


def _named_address(url: str) -> Address | None:
    """The address a URL names by itself: an IP literal, or loopback for `localhost`."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return ipaddress.IPv4Address("127.0.0.1")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def parse_networks(values: Iterable[str]) -> list[Network]:
    """ALLOWED_ADDRESSES entries as networks; raises ValueError naming a bad entry."""
    networks = []
    for value in values:
        value = value.strip()
        if not value:
            continue
        try:
            networks.append(ipaddress.ip_network(value, strict=False))
        except ValueError as exc:
            raise ValueError(f"ALLOWED_ADDRESSES: {value!r} is not an address or network: {exc}") from None
    return networks


class AddressGuardMiddleware:
    def __init__(self, allowed: Iterable[Network] = ()) -> None:
        self.allowed = list(allowed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AddressGuardMiddleware:
        return cls(parse_networks(crawler.settings.getlist("ALLOWED_ADDRESSES")))

    def refusal(self, address: Address) -> str | None:
        kind = internal_kind(address)
        if kind is None or any(address in network for network in self.allowed):
            return None
        return f"{kind} address {address} refused (ALLOWED_ADDRESSES does not allow it)"

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        address = _named_address(request.url)
        why = self.refusal(address) if address is not None else None
        if why:
            self._refuse(request, why)

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        address = response.ip_address
        why = self.refusal(address) if address is not None else None
        if why:
            self._refuse(request, f"{why}: {response.url} resolved to it")
        return response

    @staticmethod
    def _refuse(request: Request, why: str) -> None:
        redirected = request.meta.get("redirect_urls")
        origin = f" (redirected from {redirected[0]})" if redirected else ""
        log.warning("blocked %s%s: %s", request.url, origin, why)
        raise BlockedAddress(f"blocked: {why}{origin}")

"""The raw capture of an article: its WARC record (crawler.archive.reader) as the original HTML in a sandboxed
frame, or as plain text. The HTML is served with `Content-Security-Policy: sandbox` and nothing else allowed to
load, so it can neither run scripts nor reach the network; a missing or unreadable WARC is a 404."""

from __future__ import annotations

import codecs

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from crawler.archive.reader import CapturedResponse, WarcReadError, read_capture
from crawler.web import params
from crawler.web.queries import article
from crawler.web.render import connection, page

MAX_CAPTURE_BYTES = 16 * 1024 * 1024
SANDBOX_CSP = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'"


def _capture(request: Request) -> tuple[dict[str, object], CapturedResponse]:
    article_id = params.path_id(request.path_params["article_id"], "article")
    with connection(request) as conn:
        row = article(conn, article_id)
    if row is None:
        raise params.NotFound(f"no article has the id {article_id}")
    if not row["capture_ref"]:
        raise params.NotFound(f"article {article_id} has no capture (it was stored without a WARC record)")
    dirs = request.app.state.warc_dirs
    try:
        captured = read_capture(row["capture_ref"], dirs)
    except (FileNotFoundError, ValueError) as exc:
        raise params.NotFound(f"the capture {row['capture_ref']} of article {article_id} is missing: {exc}") from None
    except (WarcReadError, OSError) as exc:
        raise params.NotFound(f"the capture {row['capture_ref']} cannot be read: {exc}") from None
    return dict(row), captured


def _charset(captured: CapturedResponse) -> str | None:
    """The charset the response declared, when Python knows it."""
    content_type = captured.header("content-type") or ""
    for part in content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        charset = value.strip().strip('"')
        if name.lower() == "charset" and charset:
            try:
                return codecs.lookup(charset).name
            except LookupError:
                return None
    return None


def capture_page(request: Request) -> Response:
    row, captured = _capture(request)
    return page(request, "capture.html", article=row, captured=captured, size=len(captured.body))


def capture_raw(request: Request) -> Response:
    """The captured body: HTML under a sandbox CSP (for the frame), anything else (or ?as=text) as plain text."""
    _, captured = _capture(request)
    body = captured.body[:MAX_CAPTURE_BYTES]
    charset = _charset(captured)
    headers = {"content-security-policy": SANDBOX_CSP}
    if request.query_params.get("as") == "text" or "html" not in captured.media_type:
        decoded = body.decode(charset or "utf-8", errors="replace")
        return Response(decoded, media_type="text/plain; charset=utf-8", headers=headers)
    # without a declared charset the browser reads the page's own <meta charset>, as it did when crawled
    media_type = f"text/html; charset={charset}" if charset else "text/html"
    return Response(body, headers={**headers, "content-type": media_type})


routes = [
    Route("/articles/{article_id}/capture", capture_page, name="capture"),
    Route("/articles/{article_id}/capture/raw", capture_raw, name="capture_raw"),
]

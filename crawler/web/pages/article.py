"""The article page: metadata, the clean text by language segment, attribution evidence, every link in and out
with its relation, evidence and score, the story it belongs to, similar articles and the raw capture."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from crawler.web import params, queries
from crawler.web.evidence import paragraphs
from crawler.web.render import connection, page


def article_page(request: Request) -> Response:
    article_id = params.path_id(request.path_params["article_id"], "article")
    with connection(request) as conn:
        row = queries.article(conn, article_id)
        if row is None:
            raise params.NotFound(f"no article has the id {article_id}")
        segs = queries.segments(conn, [article_id])[article_id]
        if not segs:  # stored without segments: the whole text in the article's language
            segs_text = [(row["language"] or "und", queries.article_text(conn, article_id))]
        else:
            segs_text = [(s["language"], s["text"]) for s in segs]
        out, into = queries.links_out(conn, article_id), queries.links_in(conn, article_id)
        story_id = queries.stories_of(conn, [article_id]).get(article_id)
        similar = queries.similar(conn, article_id)
    segments = [
        {"language": language, "paragraphs": paragraphs([(language, text_)], limit=queries.MAX_SEGMENTS)}
        for language, text_ in segs_text
    ]
    return page(request, "article.html", article=row, segments=segments, links_out=out, links_in=into,
                story_id=story_id, similar=similar)  # fmt: skip


routes = [Route("/articles/{article_id}", article_page, name="article")]

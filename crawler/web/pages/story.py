"""The story pages: the list of stories carried in several languages, and one story with its articles in columns
by language, paragraphs aligned to the original's where they share anchors (numbers, dates, names, marked in
both), and a timeline: the original first, then copies and translations with their lag."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from crawler.web import evidence, params, queries
from crawler.web.render import connection, page


def stories_page(request: Request) -> Response:
    with connection(request) as conn:
        rows = queries.largest_stories(conn)
    return page(request, "stories.html", stories=rows)


LANGUAGE_ORDER = ("zh", "en", "de")


def _column_order(members: list[dict[str, Any]], original_language: str | None) -> list[str]:
    """The original's language first, then zh, en, de, then any other."""
    languages = {m["language"] or "und" for m in members}
    known = [lang for lang in LANGUAGE_ORDER if lang in languages]
    ordered = known + sorted(languages - set(known))
    if original_language in ordered:
        ordered.remove(original_language)
        ordered.insert(0, original_language)
    return ordered


def story_page(request: Request) -> Response:
    story_id = params.path_id(request.path_params["story_id"], "story")
    with connection(request) as conn:
        summary = queries.story(conn, story_id)
        if summary is None:
            raise params.NotFound(f"no story has the id {story_id}")
        members = [dict(m) for m in queries.story_members(conn, story_id)]
        ids = [m["article_id"] for m in members]
        segments = queries.segments(conn, ids)
        links = queries.story_links(conn, ids)
    for member in members:
        segs = [(s["language"], s["text"]) for s in segments.get(member["article_id"], [])]
        member["paragraphs"] = evidence.paragraphs(segs)
    original = next((m for m in members if m["is_original"]), members[0] if members else None)
    if original is not None:
        mine = evidence.text_anchors(original["paragraphs"])
        shared_with_original: set[str] = set()
        for member in members:
            if member is original:
                continue
            theirs = evidence.text_anchors(member["paragraphs"])
            shared = mine & theirs
            shared_with_original |= shared
            evidence.align(original["paragraphs"], member["paragraphs"])
            evidence.mark_all(member["paragraphs"], shared)
            member["common"] = sorted(shared)
        evidence.mark_all(original["paragraphs"], frozenset(shared_with_original))
        original["common"] = sorted(shared_with_original)
    linked = {(link["copy_article_id"], link["original_article_id"]): link for link in links}
    for member in members:
        member["link"] = linked.get((member["article_id"], member["links_to_article_id"]))
    languages = _column_order(members, summary["original_language"])
    columns = [(lang, [m for m in members if (m["language"] or "und") == lang]) for lang in languages]
    return page(request, "story.html", story=summary, members=members, columns=columns, original=original,
                capped=len(members) >= queries.MAX_STORY_MEMBERS)  # fmt: skip


routes = [
    Route("/stories", stories_page, name="stories"),
    Route("/stories/{story_id}", story_page, name="story"),
]

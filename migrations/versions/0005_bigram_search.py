"""Chinese search by character bigrams alone: documents no longer carry jieba's words.

`chinese_tsquery` matches a Chinese word as the phrase of its bigrams (a two-character word is one bigram),
without the jieba-word alternative, and splits a word that mixes Chinese and Latin into its parts. The
search vectors of stored articles are rebuilt with the rules of crawler.analyst.chinese (bigrams, the last
character of each run, Latin words as `search_form` cuts them); vectors written before still match every
query, as they held the bigrams too, so the rebuild only makes them smaller and consistent.

The function's SQL is a copy of schema/functions/search.sql as it was when this revision was written;
tests/test_analyst_views.py checks that the database at head renders exactly like that file.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHINESE_TSQUERY_SQL = r"""CREATE OR REPLACE FUNCTION chinese_tsquery(words text) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (
    SELECT coalesce(string_agg(term, ' & ' ORDER BY n), '')::tsquery
    FROM (
        SELECT t.n,
               CASE
                   WHEN char_length(t.w) > 2 AND t.w ~ '^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+$' THEN
                       '('
                       || (SELECT string_agg('''' || substr(t.w, i, 2) || '''', ' <-> ' ORDER BY i)
                           FROM generate_series(1, char_length(t.w) - 1) AS i)
                       || ')'
                   WHEN char_length(t.w) = 1 AND t.w ~ '^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]$' THEN
                       '''' || t.w || ''':*'
                   ELSE '''' || t.w || ''''
               END AS term
        FROM regexp_split_to_table(
                 btrim(regexp_replace(search_form(words), '([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)', ' \1 ', 'g')),
                 '\s+') WITH ORDINALITY AS t(w, n)
        WHERE t.w <> ''
    ) AS terms
);
"""

PREVIOUS_CHINESE_TSQUERY_SQL = r"""CREATE OR REPLACE FUNCTION chinese_tsquery(words text) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (
    SELECT coalesce(string_agg(term, ' & ' ORDER BY n), '')::tsquery
    FROM (
        SELECT t.n,
               CASE
                   WHEN char_length(t.w) > 2 AND t.w ~ '^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+$' THEN
                       '(''' || t.w || ''' | ('
                       || (SELECT string_agg('''' || substr(t.w, i, 2) || '''', ' <-> ' ORDER BY i)
                           FROM generate_series(1, char_length(t.w) - 1) AS i)
                       || '))'
                   WHEN char_length(t.w) = 1 AND t.w ~ '^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]$' THEN
                       '''' || t.w || ''':*'
                   ELSE '''' || t.w || ''''
               END AS term
        FROM regexp_split_to_table(btrim(search_form(words)), ' ') WITH ORDINALITY AS t(w, n)
        WHERE t.w <> ''
    ) AS terms
);
"""


def _run(sql: str) -> None:
    """Run a script as written: no bind-parameter parsing of its colons and quotes."""
    cursor = op.get_bind().connection.dbapi_connection.cursor()
    try:
        cursor.execute(sql)
    finally:
        cursor.close()


def upgrade() -> None:
    _run(CHINESE_TSQUERY_SQL)
    from crawler.analyst.search import refresh_search_vectors

    refresh_search_vectors(op.get_bind(), only_missing=False, chinese_only=True, into_articles_column=True)


def downgrade() -> None:
    # the bigram vectors stay: the earlier function matches them through its bigram-phrase alternative
    _run(PREVIOUS_CHINESE_TSQUERY_SQL)

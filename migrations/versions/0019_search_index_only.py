"""search_articles never scans a month of search vectors sequentially, and sets no date condition over the whole corpus.

Measured on benchmarks/scale.py's corpus while it grew past 400,000 articles (migration 0018's month
partitions): `人工智能` in Chinese took 600-820 ms instead of about 40 ms. The planner filtered the two newest
months' rows on their search vectors, by a sequential scan (a month whose index had a full 16 MB pending list,
which the planner prices as reading it all) or through the primary key for `sort_date >= '-infinity'` (a month
autovacuum had not analysed yet). Each row's vector is out of line (TOAST), which the planner does not count:
each of those months cost 200-300 ms. With sequential scans off for the function and the date condition left
out where the window is the whole corpus, the search index finds the rows in every month (69 ms on the same
database at that moment, pending lists included).

The function's SQL is a copy of schema/functions/search.sql as it was when this revision was written;
tests/test_analyst_views.py checks that the database at head renders exactly like that file. The downgrade
restores revision 0018's function.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from crawler.analyst.views import run_script  # runs a script as written (its `::` casts and colons included)
from crawler.store.migrate import revision_module

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCH_ARTICLES_SQL = r"""
-- search_articles(query, lang, since, max_results): ranked matches with a snippet, at a cost that does not
-- grow with the number of matches (schema/search.md, "Ranking"):
-- 1. the query is bounded: at most 300 characters and 24 words (error 22023 otherwise);
-- 2. candidates: the newest matches, found through the search index within a time window that ends at the newest
--    article (only the months it covers are read) and widens (by the rate at which it found matches) until 100 (or 2 x
--    max_results) match, up to the whole corpus (or down to since). The first window is the one expected to hold twice
--    that many by the column's statistics (the share of articles holding the query's rarest word); a query expected in
--    fewer than 5,000 articles, or found in none of the first window, is looked for in the whole corpus at once. For
--    several required words the index is asked for the rarest within the window, the rest checked on its rows; rows the
--    index cannot decide alone (a phrase, the words beside the rarest) are checked newest first, and only until enough
--    match. No JIT compilation: it costs more than it saves here;
-- 3. those candidates are ranked: score = (tier + r / (1 + r)) / 3, in [0, 1), where r is ts_rank (title
--    words weigh more than body words) and tier is 2 when the query occurs as written in the title, 1 when it
--    does in the first 1000 characters of the text, else 0 (Latin words as whole words, Chinese as a
--    substring); ties go newest first, then by the larger article id;
-- 4. snippets are made for the returned rows only, from the text around the first occurrence of a query word.
-- lang restricts the results to articles with text in that language (article_search.languages); since compares
-- with published_at (fetched_at when the page gave no date).
CREATE OR REPLACE FUNCTION search_articles(
    query text,
    lang text DEFAULT NULL,
    since timestamptz DEFAULT NULL,
    max_results integer DEFAULT 20
)
RETURNS TABLE (
    article_id bigint,
    rank real,
    title text,
    source text,
    language varchar,
    published_at timestamptz,
    url text,
    snippet text
)
LANGUAGE plpgsql STABLE
SET jit = off
SET enable_seqscan = off
AS $$
#variable_conflict use_column
DECLARE
    max_chars CONSTANT integer := 300;
    max_words CONSTANT integer := 24;
    word_class CONSTANT text := '0-9a-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff';
    words text[];
    tsq tsquery;
    tsq_index tsquery;
    phrase_check text;
    rarest tsquery;
    exact text;
    wanted integer;
    newest timestamptz;
    oldest timestamptz;
    span interval;
    share double precision;
    expected double precision;
    rare_rows CONSTANT double precision := 5000;
    lower_bound timestamptz;
    candidates bigint[];
    check_rows boolean;
    found integer;
BEGIN
    IF char_length(query) > max_chars THEN
        RAISE EXCEPTION 'search_articles: the query has % characters; at most %', char_length(query), max_chars
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    words := array_remove(regexp_split_to_array(btrim(search_form(query)), ' '), '');
    IF cardinality(words) > max_words THEN
        RAISE EXCEPTION 'search_articles: the query has % words; at most %', cardinality(words), max_words
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF max_results IS NULL OR max_results < 1 OR max_results > 1000 THEN
        RAISE EXCEPTION 'search_articles: max_results must be between 1 and 1000, not %', max_results
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    tsq := search_tsquery(query, lang);
    IF tsq IS NULL OR numnode(tsq) = 0 THEN
        RETURN;
    END IF;
    -- a phrase (a Chinese word of 3+ characters, "quoted words") is looked up in the index as all of its words,
    -- which needs no recheck of the vector, and checked as a phrase only on the rows in the time window
    IF tsq::text ~ '<(-|[0-9]+)>' THEN
        tsq_index := regexp_replace(tsq::text, '<(-|[0-9]+)>', '&', 'g')::tsquery;
        phrase_check := ' AND ts_match_vq(s.search_vector, $1)';
    ELSE
        tsq_index := tsq;
        phrase_check := '';
    END IF;
    -- several words, all required (no "or", no "-word"): within a time window the index is asked for the
    -- rarest of them by the column's statistics (search_word_share), whose number of rows the planner
    -- estimates well, so that it intersects them with the window in the index; the whole query is checked on
    -- the rows that are left
    IF numnode(tsq) > 1 AND tsq::text !~ '[|!]' THEN
        SELECT ('''' || m.parts[1] || '''' || coalesce(m.parts[2], ''))::tsquery INTO rarest
        FROM regexp_matches(tsq::text, '''([^'']+)''(:\*)?', 'g') WITH ORDINALITY AS m(parts, n)
        ORDER BY search_word_share(m.parts[1]), m.n
        LIMIT 1;
    END IF;
    wanted := greatest(100, 2 * max_results);
    SELECT max(coalesce(a.published_at, a.fetched_at)), min(coalesce(a.published_at, a.fetched_at))
    INTO newest, oldest FROM articles AS a;
    IF newest IS NULL THEN
        RETURN;
    END IF;
    -- how many articles are expected to match: the share holding the rarest required word (for alternatives,
    -- their words together) by the column's statistics (search_word_share); negated words do not count
    SELECT CASE WHEN tsq::text ~ '[|]' THEN least(1, sum(search_word_share(m.parts[2])))
                ELSE min(search_word_share(m.parts[2])) END
    INTO share
    FROM regexp_matches(tsq_index::text, '(!?)''([^'']+)''', 'g') AS m(parts)
    WHERE m.parts[1] = '';
    SELECT coalesce(share, 0) * greatest(c.reltuples, 0) INTO expected
    FROM pg_class AS c WHERE c.oid = 'articles'::regclass;
    -- a rare query: the index's rows at once; a common one: the newest articles among which twice `wanted`
    -- matches are expected, counted on the date index (however unevenly the corpus spreads over time)
    IF coalesce(expected, 0) >= rare_rows THEN
        SELECT newest - coalesce(a.published_at, a.fetched_at) INTO span
        FROM articles AS a
        ORDER BY coalesce(a.published_at, a.fetched_at) DESC
        OFFSET least(ceil(2.0 * wanted / share), 1e7)::bigint LIMIT 1;
        span := greatest(interval '1 day', span);
    END IF;
    IF span IS NOT NULL AND newest - span <= oldest THEN
        span := NULL;
    END IF;
    LOOP
        lower_bound := CASE WHEN span IS NULL THEN since ELSE greatest(newest - span, since) END;
        -- planned for these values each time (EXECUTE), so the planner sees how wide the window is. Over the
        -- whole corpus the rows the index finds are all taken first (a materialised CTE): a plan that walks
        -- the date index hoping to meet matches soon reads every article when the matches are old. The rows
        -- found are sorted newest first by their date alone, and when the index's answer needs checking (a
        -- phrase, or the other words beside the rarest) the whole query is checked on them in that order
        -- until enough match: a check reads the row's search vector, so checking every row found would cost
        -- in proportion to the corpus. No sequential scans (the function's setting), and no date condition over
        -- the whole corpus, so that the search index finds the rows: a month's search vectors are mostly out of
        -- line (TOAST), which the planner does not count, and filtering a month's rows on them cost 200-300 ms
        -- where the month had not been analysed yet or its index had a full pending list
        check_rows := (span IS NOT NULL AND rarest IS NOT NULL) OR phrase_check <> '';
        EXECUTE
            'WITH m AS MATERIALIZED ('
            '    SELECT s.article_id AS id, s.sort_date AS d FROM article_search AS s'
            '    WHERE s.search_vector @@ $5'
            || CASE WHEN lower_bound IS NULL THEN '' ELSE '      AND s.sort_date >= $2' END
            || CASE WHEN lang IS NULL THEN '' ELSE '      AND $3 = ANY (s.languages)' END
            || ') SELECT array_agg(c.id) FROM ('
            || CASE WHEN check_rows THEN
            '    SELECT n.id FROM (SELECT m.id, m.d FROM m ORDER BY m.d DESC, m.id DESC OFFSET 0) AS n'
            '    WHERE ts_match_vq((SELECT v.search_vector FROM article_search AS v'
            '                       WHERE v.article_id = n.id AND v.sort_date = n.d), $1)'
               ELSE
            '    SELECT m.id FROM m ORDER BY m.d DESC, m.id DESC' END
            || '    LIMIT $4) AS c'
            INTO candidates
            USING tsq, lower_bound, lang, wanted,
                  CASE WHEN span IS NOT NULL AND rarest IS NOT NULL THEN rarest ELSE tsq_index END;
        found := coalesce(cardinality(candidates), 0);
        EXIT WHEN span IS NULL OR found >= wanted OR (since IS NOT NULL AND lower_bound <= since);
        -- widen to where the rate found so far promises enough (at least 4x). Nothing found: when the index
        -- alone decided, the query is absent from the window, so the whole corpus (its matches are old); when
        -- the language or a check removed what the index found, 16 times the window. A window that would reach
        -- the oldest article: the whole corpus
        span := CASE WHEN found > 0 THEN span * greatest(4, ceil(1.5 * wanted / found))
                     WHEN lang IS NOT NULL OR check_rows THEN span * 16 END;
        IF span IS NOT NULL AND newest - span <= oldest THEN
            span := NULL;
        END IF;
    END LOOP;
    IF found = 0 THEN
        RETURN;
    END IF;
    -- the query as written: its words in a row (Chinese words joined), Latin words whole, Chinese as a substring
    IF cardinality(words) > 0 THEN
        exact := regexp_replace(array_to_string(words, ' '),
            '(?<=[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]) (?=[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])', '', 'g');
        exact := '(^|[^' || word_class || '])' || replace(exact, ' ', '[^' || word_class || ']+')
                 || '($|[^' || word_class || '])';
    END IF;
    RETURN QUERY
    WITH scored AS (
        SELECT a.id, coalesce(a.published_at, a.fetched_at) AS sort_date,
               (CASE WHEN exact IS NULL THEN 0
                     WHEN lower(a.title) ~ exact THEN 2
                     WHEN lower(left(a.text, 1000)) ~ exact THEN 1
                     ELSE 0 END
                + ts_rank(v.search_vector, tsq, 32)) / 3.0 AS score
        FROM articles AS a
        JOIN article_search AS v ON v.article_id = a.id AND v.sort_date = coalesce(a.published_at, a.fetched_at)
        WHERE a.id = ANY (candidates)
    ),
    hits AS (
        SELECT * FROM scored AS h
        ORDER BY h.score DESC, h.sort_date DESC, h.id DESC
        LIMIT max_results
    )
    SELECT a.id, h.score::real, a.title, s.name, a.language, a.published_at, a.url,
           CASE
               WHEN left(coalesce(a.language, ''), 2) = 'zh' THEN
                   CASE WHEN at.p IS NULL THEN left(regexp_replace(left(a.text, 200), '\s+', ' ', 'g'), 100)
                        ELSE CASE WHEN at.p > 30 THEN '…' ELSE '' END
                             || left(regexp_replace(substr(a.text, greatest(at.p - 30, 1), 200), '\s+', ' ', 'g'),
                                     100)
                             || '…' END
               ELSE ts_headline(
                   CASE a.language WHEN 'en' THEN 'english' WHEN 'de' THEN 'german' ELSE 'simple' END::regconfig,
                   regexp_replace(substr(a.text, greatest(coalesce(at.p, 1) - 200, 1), 600), '\s+', ' ', 'g'), tsq,
                   'MaxWords=30, MinWords=12, MaxFragments=1, StartSel=[, StopSel=]')
           END
    FROM hits AS h
    JOIN articles AS a ON a.id = h.id
    JOIN sources AS s ON s.id = a.source_id
    -- where the text first has a query word (Chinese) or the stem of one (the tsquery's lexemes)
    CROSS JOIN LATERAL (
        SELECT min(nullif(strpos(lower(a.text), w), 0)) AS p
        FROM unnest(CASE WHEN left(coalesce(a.language, ''), 2) = 'zh' THEN words
                         ELSE ARRAY(SELECT m[1] FROM regexp_matches(tsq::text, '''([^'']+)''', 'g') AS m) END) AS w
    ) AS at
    ORDER BY h.score DESC, h.sort_date DESC, h.id DESC;
END
$$;
"""


def upgrade() -> None:
    run_script(op.get_bind(), SEARCH_ARTICLES_SQL)


def downgrade() -> None:
    run_script(op.get_bind(), revision_module("0018").SEARCH_ARTICLES_SQL)

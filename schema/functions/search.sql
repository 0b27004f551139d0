-- Full-text search over Chinese, English and German articles (see schema/search.md).
--
-- articles.search_vector is built when an article is stored (crawler/analyst/search.py): the title with
-- weight A and each language segment with weight B, English under the `english` configuration, German under
-- `german`, Chinese as character bigrams under no parser at all (PostgreSQL has no Chinese parser),
-- anything else under `simple`. These functions turn a query into a tsquery the same way and rank.

-- search_form(text): lower-cased words separated by single spaces, padded with one space at each end,
-- so that `strpos(search_form(doc), search_form(phrase))` is a whole-word match in any script.
CREATE FUNCTION search_form(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN ' ' || btrim(regexp_replace(lower(value),
    '[^0-9a-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+', ' ', 'g')) || ' ';

-- chinese_tsquery(words): all of the space-separated words must occur. Chinese documents are indexed as
-- character bigrams (plus the last character of each run), so a Chinese word of three or more characters
-- matches as the phrase of its bigrams (人工智能: '人工' <-> '工智' <-> '智能'), i.e. as a substring; a
-- two-character word is a bigram; a single character matches any lexeme it starts. A word mixing Chinese
-- and Latin (a股) counts as its parts (a, 股). Analysts writing SQL separate Chinese words by spaces
-- themselves; `newscrawl search` does it with jieba.
CREATE FUNCTION chinese_tsquery(words text) RETURNS tsquery
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

-- search_tsquery(query, lang): the tsquery for a query in one language ('zh', 'en', 'de'; another code uses
-- the `simple` configuration), or in any of the three when lang is NULL.
CREATE FUNCTION search_tsquery(query text, lang text DEFAULT NULL) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
    WHEN lang IS NULL THEN chinese_tsquery(query) || websearch_to_tsquery('english', query)
                           || websearch_to_tsquery('german', query)
    WHEN left(lang, 2) = 'zh' THEN chinese_tsquery(query)
    WHEN lang = 'en' THEN websearch_to_tsquery('english', query)
    WHEN lang = 'de' THEN websearch_to_tsquery('german', query)
    ELSE websearch_to_tsquery('simple', query)
END;

-- search_articles(query, lang, since, max_results): ranked matches with a snippet.
-- rank = ts_rank over the search vector (title counts more than body), plus 1 when the query occurs as written
-- (whole words) in the title and 0.5 when it does in the first 2000 characters of the text, so an exact
-- match ranks above a stemmed or partial one. lang restricts the results to articles with text in that
-- language; since compares with published_at (fetched_at when the page gave no date).
CREATE FUNCTION search_articles(
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
LANGUAGE sql STABLE
AS $$
    WITH q AS (
        SELECT search_tsquery(query, lang) AS tsq,
               search_form(regexp_replace(query,
                   '(?<=[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])\s+(?=[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])',
                   '', 'g')) AS exact,
               regexp_split_to_array(btrim(search_form(query)), ' ') AS words
    ),
    hits AS (
        SELECT a.id, a.title, a.text, a.language, a.published_at, a.url, a.source_id,
               ts_rank(a.search_vector, q.tsq)
               + CASE WHEN q.exact = '  ' THEN 0
                      WHEN strpos(search_form(a.title), q.exact) > 0 THEN 1
                      WHEN strpos(search_form(left(a.text, 2000)), q.exact) > 0 THEN 0.5
                      ELSE 0 END AS rank
        FROM articles AS a, q
        WHERE a.search_vector @@ q.tsq
          AND (lang IS NULL OR a.language = lang
               OR EXISTS (SELECT 1 FROM article_segments AS g WHERE g.article_id = a.id AND g.language = lang))
          AND (since IS NULL OR coalesce(a.published_at, a.fetched_at) >= since)
        ORDER BY rank DESC, a.published_at DESC NULLS LAST, a.id
        LIMIT max_results
    )
    SELECT h.id, h.rank::real, h.title, s.name, h.language, h.published_at, h.url,
           CASE
               WHEN left(coalesce(h.language, ''), 2) = 'zh' THEN
                   (SELECT CASE WHEN min(p) IS NULL THEN left(flat, 100)
                                ELSE CASE WHEN min(p) > 30 THEN '…' ELSE '' END
                                     || substr(flat, greatest(min(p) - 30, 1), 100) || '…' END
                    FROM (SELECT regexp_replace(h.text, '\s+', ' ', 'g') AS flat) AS f
                    LEFT JOIN LATERAL unnest(q.words) AS w ON true
                    LEFT JOIN LATERAL (SELECT nullif(strpos(lower(f.flat), w), 0) AS p) AS found ON true
                    GROUP BY f.flat)
               ELSE ts_headline(
                   CASE h.language WHEN 'en' THEN 'english' WHEN 'de' THEN 'german' ELSE 'simple' END::regconfig,
                   regexp_replace(h.text, '\s+', ' ', 'g'), q.tsq,
                   'MaxWords=30, MinWords=12, MaxFragments=1, StartSel=[, StopSel=]')
           END
    FROM hits AS h
    JOIN sources AS s ON s.id = h.source_id
    CROSS JOIN q
    ORDER BY h.rank DESC, h.published_at DESC NULLS LAST, h.id
$$;

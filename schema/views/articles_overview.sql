-- articles_overview: one row per article with its source and its language segments (see schema/views.md).
CREATE VIEW articles_overview AS
SELECT a.id AS article_id,
       a.url,
       a.title,
       a.original_title,
       a.authors,
       s.name AS source,
       s.kind AS source_kind,
       s.country AS source_country,
       a.language,
       a.published_at,
       a.fetched_at,
       a.section,
       char_length(a.text) AS char_count,
       seg.segment_languages,
       seg.chars_by_language,
       seg.segments,
       a.text
FROM articles AS a
JOIN sources AS s ON s.id = a.source_id
LEFT JOIN LATERAL (
    SELECT array_agg(DISTINCT g.language ORDER BY g.language) AS segment_languages,
           (SELECT jsonb_object_agg(x.language, x.chars)
            FROM (SELECT language, sum(char_count) AS chars FROM article_segments
                  WHERE article_id = a.id GROUP BY language) AS x) AS chars_by_language,
           jsonb_agg(jsonb_build_object('ordinal', g.ordinal, 'language', g.language, 'char_count', g.char_count)
                     ORDER BY g.ordinal) AS segments
    FROM article_segments AS g
    WHERE g.article_id = a.id
) AS seg ON true;

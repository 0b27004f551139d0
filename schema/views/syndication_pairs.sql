-- syndication_pairs: every syndication link with both sides' titles, sources, languages and the time lag.
CREATE VIEW syndication_pairs AS
SELECT l.id AS link_id,
       l.relation,
       l.evidence,
       l.score,
       c.id AS copy_article_id,
       c.title AS copy_title,
       cs.name AS copy_source,
       cs.kind AS copy_source_kind,
       c.language AS copy_language,
       c.published_at AS copy_published_at,
       c.url AS copy_url,
       o.id AS original_article_id,
       o.title AS original_title,
       coalesce(os.name, ns.name) AS original_source,
       coalesce(os.kind, ns.kind) AS original_source_kind,
       coalesce(o.language, ns.language) AS original_language,
       o.published_at AS original_published_at,
       coalesce(o.url, l.original_url) AS original_url,
       c.published_at - o.published_at AS lag,
       (extract(epoch FROM c.published_at - o.published_at) / 3600)::double precision AS lag_hours,
       l.details,
       l.created_at
FROM syndication_links AS l
JOIN articles AS c ON c.id = l.copy_article_id
JOIN sources AS cs ON cs.id = c.source_id
LEFT JOIN articles AS o ON o.id = l.original_article_id
LEFT JOIN sources AS os ON os.id = o.source_id
LEFT JOIN sources AS ns ON ns.id = l.original_source_id;

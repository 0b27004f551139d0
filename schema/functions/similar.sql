-- similar_articles(article, max_results, within): the articles in any language published within `within` of
-- `article`, closest first by the cosine of their stored embeddings (article_link_data.embedding, written by
-- the linker when the multilingual encoder is installed; only embeddings of the same model, and only those of
-- the article's current text, are compared), with the strongest syndication link between the two when the
-- linker made one. An article without an embedding has no rows. `newscrawl similar ARTICLE_ID` shows the same
-- list with the anchors both texts share.
CREATE OR REPLACE FUNCTION similar_articles(
    article bigint, max_results integer DEFAULT 10, within interval DEFAULT '3 days'
)
RETURNS TABLE (article_id bigint, language text, published_at timestamptz, source text, title text, url text,
               cosine double precision, relation text, link_score double precision)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT b.id, b.language::text, b.published_at, src.name, b.title, b.url, sim.cosine,
           link.relation::text, link.score
    FROM articles AS a
    JOIN article_link_data AS ad
      ON ad.article_id = a.id
     AND ad.content_hash = a.content_hash
     AND ad.embedding IS NOT NULL
    JOIN articles AS b
      ON b.id <> a.id
     AND (a.published_at IS NULL OR b.published_at IS NULL
          OR b.published_at BETWEEN a.published_at - within AND a.published_at + within)
    JOIN article_link_data AS bd
      ON bd.article_id = b.id
     AND bd.content_hash = b.content_hash
     AND bd.embedding IS NOT NULL
     AND bd.embedding_model = ad.embedding_model
    JOIN sources AS src ON src.id = b.source_id
    CROSS JOIN LATERAL (
        SELECT sum(x::double precision * y::double precision) AS cosine
        FROM unnest(ad.embedding, bd.embedding) AS pair(x, y)
    ) AS sim
    LEFT JOIN LATERAL (
        SELECT l.relation, l.score
        FROM syndication_links AS l
        WHERE (l.copy_article_id = a.id AND l.original_article_id = b.id)
           OR (l.copy_article_id = b.id AND l.original_article_id = a.id)
        ORDER BY l.score DESC, l.id
        LIMIT 1
    ) AS link ON true
    WHERE a.id = article
    ORDER BY sim.cosine DESC, b.id
    LIMIT max_results
$$;

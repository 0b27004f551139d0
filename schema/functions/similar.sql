-- similar_articles(article, max_results, within): the articles in any language published within `within` of
-- `article`, closest first by the cosine of their stored embeddings (articles.embedding, written by the
-- linker when the multilingual encoder is installed; only embeddings of the same model are compared), with
-- the strongest syndication link between the two when the linker made one. An article without an embedding
-- has no rows. `newscrawl similar ARTICLE_ID` shows the same list with the anchors both texts share.
CREATE FUNCTION similar_articles(
    article bigint, max_results integer DEFAULT 10, within interval DEFAULT '3 days'
)
RETURNS TABLE (article_id bigint, language text, published_at timestamptz, source text, title text, url text,
               cosine double precision, relation text, link_score double precision)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT b.id, b.language::text, b.published_at, src.name, b.title, b.url, sim.cosine,
           link.relation::text, link.score
    FROM articles AS a
    JOIN articles AS b
      ON b.id <> a.id
     AND b.embedding IS NOT NULL
     AND b.embedding_model = a.embedding_model
     AND (a.published_at IS NULL OR b.published_at IS NULL
          OR b.published_at BETWEEN a.published_at - within AND a.published_at + within)
    JOIN sources AS src ON src.id = b.source_id
    CROSS JOIN LATERAL (
        SELECT sum(x::double precision * y::double precision) AS cosine
        FROM unnest(a.embedding, b.embedding) AS pair(x, y)
    ) AS sim
    LEFT JOIN LATERAL (
        SELECT l.relation, l.score
        FROM syndication_links AS l
        WHERE (l.copy_article_id = a.id AND l.original_article_id = b.id)
           OR (l.copy_article_id = b.id AND l.original_article_id = a.id)
        ORDER BY l.score DESC, l.id
        LIMIT 1
    ) AS link ON true
    WHERE a.id = article AND a.embedding IS NOT NULL
    ORDER BY sim.cosine DESC, b.id
    LIMIT max_results
$$;

-- Question: What share of People's Daily German articles translate a Chinese original?
WITH german AS (
    SELECT a.article_id,
           EXISTS (SELECT 1 FROM syndication_pairs AS p
                   WHERE p.copy_article_id = a.article_id
                     AND p.relation = 'translates'
                     AND p.original_language = 'zh') AS translates_chinese
    FROM articles_overview AS a
    WHERE a.source = 'People''s Daily German'
)
SELECT count(*) AS german_articles,
       count(*) FILTER (WHERE translates_chinese) AS translations_of_chinese,
       round(100.0 * count(*) FILTER (WHERE translates_chinese) / nullif(count(*), 0), 1) AS percent
FROM german;

-- Question: Which articles cite Xinhua, by any of its names (新华社, Xinhua News Agency, Nachrichtenagentur
-- Xinhua, …): through a link to the agency, the attribution found on the page, or a mention in the text?
-- named_as: the longest of its names that the text uses, else the name the page's attribution gives.
WITH xinhua AS (
    SELECT id, name || aliases AS names FROM sources WHERE name = 'Xinhua'
)
SELECT a.article_id,
       a.source,
       a.language,
       a.title,
       (SELECT n FROM unnest(x.names) AS n
        WHERE strpos(a.text, n) > 0
           OR EXISTS (SELECT 1 FROM articles AS r, jsonb_array_elements(r.attributions) AS e
                      WHERE r.id = a.article_id AND e ->> 'source_name' = n)
        ORDER BY strpos(a.text, n) > 0 DESC, char_length(n) DESC LIMIT 1) AS named_as
FROM articles_overview AS a
CROSS JOIN xinhua AS x
WHERE EXISTS (SELECT 1 FROM syndication_links AS l
              WHERE l.copy_article_id = a.article_id AND l.original_source_id = x.id)
   OR EXISTS (SELECT 1 FROM articles AS r, jsonb_array_elements(r.attributions) AS e
              WHERE r.id = a.article_id AND e ->> 'source_name' = ANY (x.names))
   OR EXISTS (SELECT 1 FROM unnest(x.names) AS n WHERE strpos(a.text, n) > 0)
ORDER BY a.article_id;

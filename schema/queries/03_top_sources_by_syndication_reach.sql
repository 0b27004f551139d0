-- Question: Which sources have the widest syndication reach: how many other outlets carried (republished or
-- translated) their stories, in how many copies, of how many of their stories?
SELECT original_source AS source,
       count(DISTINCT copy_source) AS outlets,
       count(*) AS copies,
       count(DISTINCT original_article_id) AS stories
FROM syndication_pairs
WHERE relation IN ('republishes', 'translates')
  AND original_source IS NOT NULL
  AND copy_source <> original_source
GROUP BY original_source
ORDER BY outlets DESC, copies DESC, source;

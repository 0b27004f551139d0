-- Question: Which originals do copies point to that we have not crawled yet (known only by URL), and how
-- many copies point to each? (A to-do list for the crawler.)
SELECT original_url,
       count(*) AS copies,
       array_agg(DISTINCT copy_source ORDER BY copy_source) AS copied_by,
       min(copy_published_at) AS first_copy
FROM syndication_pairs
WHERE original_article_id IS NULL
  AND original_url IS NOT NULL
GROUP BY original_url
ORDER BY copies DESC, original_url;

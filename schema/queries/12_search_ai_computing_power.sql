-- Question: Which Chinese articles since 2024 are about AI computing power (人工智能 and 算力), best match
-- first? (Separate Chinese words by spaces in SQL; `newscrawl search` segments them for you.)
SELECT title, source, published_at, url, snippet
FROM search_articles('人工智能 算力', 'zh', '2024-01-01')
ORDER BY rank DESC;

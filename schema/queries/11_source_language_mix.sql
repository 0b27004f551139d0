-- Question: In which languages does each source write, measured in characters of text per language?
SELECT s.name AS source,
       g.language,
       count(DISTINCT g.article_id) AS articles,
       sum(g.char_count) AS characters
FROM article_segments AS g
JOIN articles AS a ON a.id = g.article_id
JOIN sources AS s ON s.id = a.source_id
GROUP BY s.name, g.language
ORDER BY s.name, characters DESC;

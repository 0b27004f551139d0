-- Question: Which articles are bilingual (text in more than one language), and how many characters in each?
SELECT article_id,
       source,
       title,
       segment_languages,
       chars_by_language
FROM articles_overview
WHERE cardinality(segment_languages) > 1
ORDER BY published_at, article_id;

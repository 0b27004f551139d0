-- Question: How many articles (and characters) were published per day in each language?
SELECT day,
       language,
       sum(articles) AS articles,
       sum(characters) AS characters
FROM daily_source_counts
GROUP BY day, language
ORDER BY day, language;

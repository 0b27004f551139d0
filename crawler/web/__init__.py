"""`newscrawl serve`: a small read-only web application over the corpus database.

Pages: search, article, story (languages side by side), sources and crawl health. Server-rendered HTML
(Starlette + Jinja2, autoescaped) that works without JavaScript; charts are SVG drawn on the server by pygal.
Every request reads in a read-only transaction (crawler.web.db), so the application can never write.
"""

"""The analyst surface: full-text search, streamed exports, a read-only role, and the SQL views' sources.

Analysts use the corpus through SQL (views and functions created by the migrations, documented in
`schema/`); the `newscrawl search`, `newscrawl export` and `newscrawl db create-reader` commands are
thin conveniences on top of the same SQL.
"""

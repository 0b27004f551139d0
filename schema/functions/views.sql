-- refresh_analyst_views(): recompute the materialised analyst views (story_articles, then stories, which is
-- built on it, and daily_source_counts) from the tables; see schema/views.md. `newscrawl crawl`, `link`,
-- `demo` and `db replay-spool` call it when they have stored or linked something
-- (crawler.analyst.views.refresh_views). A view that holds data is refreshed CONCURRENTLY, so queries on it
-- go on reading the previous contents meanwhile. Only the views' owner may run it. Returns the seconds taken.
CREATE FUNCTION refresh_analyst_views() RETURNS double precision
LANGUAGE plpgsql
AS $$
DECLARE
    started timestamptz := clock_timestamp();
    view_name text;
BEGIN
    FOREACH view_name IN ARRAY ARRAY['story_articles', 'stories', 'daily_source_counts'] LOOP
        IF (SELECT c.relispopulated FROM pg_class AS c
            WHERE c.oid = to_regclass(view_name) AND c.relkind = 'm') THEN
            EXECUTE format('REFRESH MATERIALIZED VIEW CONCURRENTLY %I', view_name);
        ELSE
            EXECUTE format('REFRESH MATERIALIZED VIEW %I', view_name);
        END IF;
    END LOOP;
    RETURN extract(epoch FROM clock_timestamp() - started);
END
$$;

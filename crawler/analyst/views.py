"""The analyst views and functions (search, similar articles): their names, their source files in schema/, and
what a database has.

`schema/views/*.sql` and `schema/functions/*.sql` are the readable source of the objects; the migration that
creates them carries the same statements (migrations never change once released), and a test re-creates the
objects from the files and compares PostgreSQL's own rendering of both, so the two cannot drift.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, text

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schema"
VIEWS: tuple[str, ...] = ("articles_overview", "syndication_pairs", "daily_source_counts", "crawl_health")
FUNCTIONS: tuple[str, ...] = ("search_form", "chinese_tsquery", "search_tsquery", "search_articles", "similar_articles")


def view_files(schema_dir: Path = SCHEMA_DIR) -> dict[str, Path]:
    """View name -> its `schema/views/<name>.sql` file."""
    return {name: schema_dir / "views" / f"{name}.sql" for name in VIEWS}


def function_files(schema_dir: Path = SCHEMA_DIR) -> list[Path]:
    """The files that create the analyst functions, in the order they must run."""
    return sorted((schema_dir / "functions").glob("*.sql"))


def run_script(conn: Connection, sql: str) -> None:
    """Run a multi-statement SQL script as written (no bind-parameter or `%` processing) in conn's transaction."""
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql)
    finally:
        cursor.close()


def definitions(conn: Connection) -> dict[str, str]:
    """What the database has: PostgreSQL's rendering of each analyst view and function ('' when missing)."""
    found: dict[str, str] = {}
    for name in VIEWS:
        found[f"view {name}"] = (
            conn.execute(
                text("SELECT pg_get_viewdef(c.oid, true) FROM pg_class c WHERE c.relname = :n AND c.relkind = 'v'"),
                {"n": name},
            ).scalar()
            or ""
        )
    for name in FUNCTIONS:
        rows = conn.execute(
            text("SELECT pg_get_functiondef(p.oid) FROM pg_proc p WHERE p.proname = :n ORDER BY p.oid"), {"n": name}
        ).scalars()
        found[f"function {name}"] = "\n".join(rows)
    return found


def drop_all(conn: Connection) -> None:
    """Drop the analyst views and functions, and whatever depends on them (CASCADE: views other code builds
    on ours go too, so run this in a transaction you roll back, as the drift test does)."""
    for name in reversed(VIEWS):
        conn.execute(text(f"DROP VIEW IF EXISTS {name} CASCADE"))
    for name in reversed(FUNCTIONS):
        conn.execute(text(f"DROP FUNCTION IF EXISTS {name} CASCADE"))


def create_from_files(conn: Connection, schema_dir: Path = SCHEMA_DIR) -> None:
    """Create the functions, then the views, from the files in schema/."""
    for path in function_files(schema_dir):
        run_script(conn, path.read_text(encoding="utf-8"))
    for path in view_files(schema_dir).values():
        run_script(conn, path.read_text(encoding="utf-8"))

"""Run the Alembic migrations programmatically (what `newscrawl db upgrade/downgrade/current` call)."""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

import crawler.migrations
from crawler.store.engine import make_engine

# The top-level migrations/ folder of the repository, installed as the package crawler.migrations.
MIGRATIONS_DIR = Path(crawler.migrations.__file__).resolve().parent


def alembic_config(database_url: str) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["database_url"] = database_url
    return cfg


class UnknownRevision(ValueError):
    """A revision argument names no revision; the message lists the known ones."""


def revisions() -> list[str]:
    """Every revision id, oldest first."""
    script = ScriptDirectory.from_config(alembic_config(""))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def check_revision(revision: str) -> None:
    """Raise UnknownRevision unless `revision` is base, head, a relative step (-1, +2) or a known id."""
    known = revisions()
    if revision in ("base", "head", "heads") or re.fullmatch(r"[+-]\d+", revision) or revision in known:
        return
    raise UnknownRevision(f"unknown revision {revision!r}; known: base, {', '.join(known)}, head, or a step like -1")


def upgrade(database_url: str, revision: str = "head") -> None:
    """Migrate up to `revision`; then VACUUM ANALYZE the tables that an applied revision rewrote (its module's
    VACUUM_AFTER), so searches do not read the old row versions until autovacuum passes."""
    before = current_revision(database_url)
    command.upgrade(alembic_config(database_url), revision)
    after = current_revision(database_url)
    tables = rewritten_tables(before, after)
    if tables:
        engine = make_engine(database_url)
        try:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                for table in tables:
                    conn.exec_driver_sql(f"VACUUM ANALYZE {table}")
        finally:
            engine.dispose()


def rewritten_tables(before: str | None, after: str | None) -> list[str]:
    """The tables the revisions after `before` up to `after` declare they rewrite (VACUUM_AFTER), in order."""
    if after is None or before == after:
        return []
    script = ScriptDirectory.from_config(alembic_config(""))
    tables: list[str] = []
    for rev in script.iterate_revisions(after, before or "base"):
        for table in getattr(rev.module, "VACUUM_AFTER", ()):
            if table not in tables and re.fullmatch(r"[a-z_]+", table):
                tables.append(table)
    return tables


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


def revision_module(revision: str) -> ModuleType:
    """The module of a revision: a later revision's downgrade restores the SQL an earlier one created."""
    found = ScriptDirectory.from_config(alembic_config("")).get_revision(revision)
    if found is None:
        raise UnknownRevision(f"unknown revision {revision!r}")
    return found.module


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("")).get_current_head()


def current_revision(database_url: str) -> str | None:
    """The revision the database is at (None for an unmigrated database)."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()

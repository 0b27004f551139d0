"""A read-only database role for analysts: reads every table, view and function, writes nothing.

Idempotent: running it again for the same role re-applies the same grants. Two guards keep the role from
writing: it is granted nothing but SELECT/EXECUTE (and default privileges give it SELECT on tables and views
that the same owner creates later, e.g. by a future migration), and its sessions start read-only
(`default_transaction_read_only`). A role that exists and can already write is refused, not demoted.
Large objects need no table privilege, so the functions that create them are taken from PUBLIC (which
needs a superuser; otherwise the command warns). The crawl lock is a row lock the reader cannot take
(crawler.store.crawllock), so the reader cannot block crawls either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import Connection, text

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
# the functions that create a large object (server-side lo_import needs more than EXECUTE, but is listed too)
LARGE_OBJECT_CREATORS = (
    "pg_catalog.lo_creat(integer)",
    "pg_catalog.lo_create(oid)",
    "pg_catalog.lo_from_bytea(oid, bytea)",
    "pg_catalog.lo_import(text)",
    "pg_catalog.lo_import(text, oid)",
)


class ReaderRoleError(ValueError):
    """The role cannot be made a reader (bad name, or an existing role that can write)."""


@dataclass(frozen=True)
class ReaderResult:
    name: str
    created: bool
    database: str
    owner: str
    public_can_create: bool  # PostgreSQL < 15 lets every role create tables in schema public
    # functions creating large objects the role may still run (this command was not run by a superuser)
    large_object_creators: list[str] = field(default_factory=list)


def check_role_name(name: str) -> str:
    if not ROLE_NAME.match(name):
        raise ReaderRoleError(
            f"role name {name!r} must be lower-case letters, digits and underscores, starting with a letter or _"
        )
    return name


def _can_write(conn: Connection, name: str) -> str | None:
    """Why an existing role is not a reader (None when it is one, or does not exist)."""
    row = conn.execute(
        text(
            "SELECT r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolname = current_user AS is_me, "
            "EXISTS (SELECT 1 FROM pg_class c WHERE c.relowner = r.oid) AS owns, "
            "has_table_privilege(r.oid, 'public.articles', 'INSERT, UPDATE, DELETE, TRUNCATE') AS writes "
            "FROM pg_roles r WHERE r.rolname = :n"
        ),
        {"n": name},
    ).one_or_none()
    if row is None:
        return None
    if row.is_me:
        return "it is the role this command connects as"
    reasons = [
        why
        for flag, why in (
            (row.rolsuper, "a superuser"),
            (row.rolcreaterole, "allowed to create roles"),
            (row.rolcreatedb, "allowed to create databases"),
            (row.owns, "the owner of tables"),
            (row.writes, "allowed to write to articles"),
        )
        if flag
    ]
    return ("it is " + ", ".join(reasons)) if reasons else None


def create_reader(conn: Connection, name: str, password: str | None = None) -> ReaderResult:
    """Create (or refresh) the read-only role `name` in conn's database, in conn's transaction."""
    check_role_name(name)
    refused = _can_write(conn, name)
    if refused:
        raise ReaderRoleError(f"role {name!r} already exists and can write ({refused}); choose another name")
    created = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).scalar() is None
    role = f'"{name}"'  # checked against ROLE_NAME above: safe to quote
    conn.execute(text(f"CREATE ROLE {role} LOGIN" if created else f"ALTER ROLE {role} LOGIN"))
    if password is not None:
        conn.exec_driver_sql(f"ALTER ROLE {role} PASSWORD %(password)s", {"password": password})
    database, owner, quoted_db, quoted_owner = conn.execute(
        text("SELECT current_database(), current_user, quote_ident(current_database()), quote_ident(current_user)")
    ).one()
    statements = [
        f"ALTER ROLE {role} SET default_transaction_read_only = on",
        f"GRANT CONNECT ON DATABASE {quoted_db} TO {role}",
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}",  # tables and views
        f"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {role}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {quoted_owner} IN SCHEMA public GRANT SELECT ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {quoted_owner} IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO {role}",
    ]
    for statement in statements:
        conn.execute(text(statement))
    _revoke_large_object_creation(conn, quoted_owner)
    public_can_create = bool(
        conn.execute(text("SELECT has_schema_privilege(:n, 'public', 'CREATE')"), {"n": name}).scalar()
    )
    lo_writable = [
        function
        for function in LARGE_OBJECT_CREATORS
        if conn.execute(text("SELECT has_function_privilege(:n, :f, 'EXECUTE')"), {"n": name, "f": function}).scalar()
    ]
    return ReaderResult(name, created, database, owner, public_can_create, lo_writable)


def _revoke_large_object_creation(conn: Connection, quoted_owner: str) -> None:
    """Every role may create large objects (they live outside any table, so no table privilege stops it).
    Take the functions that create them from PUBLIC in this database, and give them back to the owner.

    Only the functions' owner (a superuser) can: for anyone else REVOKE changes nothing (PostgreSQL warns),
    which `create_reader` reports."""
    for function in LARGE_OBJECT_CREATORS:
        conn.execute(text(f"REVOKE EXECUTE ON FUNCTION {function} FROM PUBLIC"))
        conn.execute(text(f"GRANT EXECUTE ON FUNCTION {function} TO {quoted_owner}"))

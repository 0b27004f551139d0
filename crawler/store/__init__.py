"""Persistence: SQLAlchemy models, the engine (embedded server or DATABASE_URL), upserts and the spool."""

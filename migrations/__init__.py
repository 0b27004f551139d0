"""Alembic migrations of the corpus schema (shipped inside the package so an installed wheel can migrate)."""

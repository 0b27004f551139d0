"""One configuration object, read from the environment; Scrapy settings, Alembic and the CLI all use it.

Environment variables:
  DATABASE_URL         PostgreSQL URL; unset means the embedded server in the data directory
  NEWSCRAWL_DATA_DIR   where the embedded database, spool files, WARCs and logs live (default: see
                       `default_data_dir`; the same folder whatever the current directory)
  NEWSCRAWL_LOG_LEVEL  DEBUG, INFO, WARNING, … (default INFO)
  REDIS_URL            crawlers on several machines share one frontier of article URLs (optional; see
                       crawler/spiders/frontier.py): redis://host:6379/0, rediss://… or unix://…
  NEWSCRAWL_CRAWLER_NAME  this crawler's name when several share REDIS_URL (default: the host name); each
                       name has its own crawl lock, so one machine can also run two crawlers
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")


class ConfigError(ValueError):
    """A setting in the environment is invalid; the message says which and how to fix it."""


def normalise_database_url(url: str) -> str:
    """Pin the psycopg2 driver: `postgresql://` and `postgres://` become `postgresql+psycopg2://`.

    SQLAlchemy 2.1 maps a bare `postgresql://` to psycopg 3, which this project does not install.
    """
    url = url.strip()
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix) :]
    if url.startswith("postgresql+psycopg2://"):
        return url
    raise ConfigError(
        f"DATABASE_URL must be a PostgreSQL URL (postgresql://user@host:5432/dbname), got {url.split('://')[0]}://…"
    )


def default_data_dir() -> Path:
    """The data folder when NEWSCRAWL_DATA_DIR is unset: `data/` of the source checkout the package runs from
    (where `bash scripts/quickstart.sh` puts it), else, for an installed wheel, the user's data directory
    (`~/.local/share/newscrawl` on Linux). Never the current directory: a command run from another folder
    must find the same database, not start an empty one there."""
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "crawler").is_dir():
        return checkout / "data"
    import platformdirs

    return Path(platformdirs.user_data_dir("newscrawl", appauthor=False))


@dataclass(frozen=True)
class Config:
    database_url: str | None
    data_dir: Path
    log_level: str
    redis_url: str | None
    crawler_name: str = ""

    @property
    def embedded(self) -> bool:
        """True when no DATABASE_URL is set and the project runs its own PostgreSQL."""
        return self.database_url is None

    @property
    def spool_dir(self) -> Path:
        return self.data_dir / "spool"

    @property
    def embedded_pgdata(self) -> Path:
        return self.data_dir / "pgdata"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def warc_dir(self) -> Path:
        return self.data_dir / "warc"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Config:
        env = os.environ if environ is None else environ
        raw_url = env.get("DATABASE_URL", "").strip()
        level = env.get("NEWSCRAWL_LOG_LEVEL", "INFO").strip().upper()
        if level not in _LEVELS:
            raise ConfigError(f"NEWSCRAWL_LOG_LEVEL must be one of {', '.join(_LEVELS)}, got {level!r}")
        raw_dir = env.get("NEWSCRAWL_DATA_DIR", "").strip()
        data_dir = Path(raw_dir).expanduser().resolve() if raw_dir else default_data_dir()
        redis_url = env.get("REDIS_URL", "").strip() or None
        if redis_url and not redis_url.startswith(("redis://", "rediss://", "unix://")):
            raise ConfigError(
                f"REDIS_URL must be a Redis URL (redis://host:6379/0, rediss://… or unix://…), "
                f"got {redis_url.split('://')[0]}://…"
            )
        return cls(
            database_url=normalise_database_url(raw_url) if raw_url else None,
            data_dir=data_dir,
            log_level=level,
            redis_url=redis_url,
            crawler_name=env.get("NEWSCRAWL_CRAWLER_NAME", "").strip() or socket.gethostname(),
        )

    @property
    def log_level_number(self) -> int:
        return int(logging.getLevelName(self.log_level))

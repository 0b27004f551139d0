"""A worker function whose module takes a while to import: a new worker is slow to say it is ready, which
widens the window in which a pool can be closed while it replaces a dead worker (tests/hostile/test_pool_close.py)."""

from __future__ import annotations

import time
from typing import Any

time.sleep(1.5)


def echo(job: Any) -> Any:
    return job

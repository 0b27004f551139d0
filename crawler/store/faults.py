"""Which database errors are outages and which are one row's bad data, and how to find the bad rows.

Only an outage keeps a whole batch for later (the connection was lost or refused, or the server cannot work
right now: shutting down, out of disk or memory, too many connections, a deadlock). Every other error
(a value over an index's size limit, a constraint, an encoding error, a bug the row set off) belongs to
some rows of the batch: `isolate` bisects the batch until it has stored every good row and holds each
bad one with its reason.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

T = TypeVar("T")
R = TypeVar("R")

# SQLSTATE classes (and prefixes) meaning "not now", never "not this row": connection exception,
# transaction rollback (deadlock, serialization), insufficient resources, operator intervention
# (shutdown, cannot connect now; not 57014, a cancelled statement), system error (I/O)
OUTAGE_SQLSTATES = ("08", "40", "53", "57P", "58")


def is_outage(exc: BaseException) -> bool:
    """True when `exc` says the database is unreachable or cannot work now, not that a row is bad."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if not isinstance(exc, (OperationalError, InterfaceError)):
        return False
    code = getattr(exc.orig, "pgcode", None)
    if code is None:  # raised by the client library itself: could not connect, connection closed
        return True
    return str(code).startswith(OUTAGE_SQLSTATES)


# what a failed connection or check says, by the server's SQLSTATE or, for errors libpq raises while
# connecting (no SQLSTATE), by its message
_CHECK_FAILURES = (
    ("28", ("password authentication failed", "no pg_hba.conf entry", 'role "'), "the database refused the login"),
    ("3D", ("does not exist",), "the database does not exist"),
    ("53300", ("too many clients", "remaining connection slots"), "the database has no free connection"),
    ("57P03", ("starting up", "shutting down", "in recovery"), "the database is starting up or shutting down"),
)


def what_failed(exc: BaseException) -> str:
    """A few words for why the database could not be used: unreachable, login refused, no such database…"""
    orig = getattr(exc, "orig", None)
    code = str(getattr(orig, "pgcode", None) or "")
    message = str(orig if orig is not None else exc).lower()
    for prefix, phrases, words in _CHECK_FAILURES:
        if code.startswith(prefix) if code else any(phrase in message for phrase in phrases):
            return words
    if is_outage(exc):
        return "cannot reach the database"
    return "the database refused the check"


def describe_error(exc: BaseException) -> str:
    """One line for logs and `.rejected` files: class, SQLSTATE when there is one, first line of the message."""
    orig = getattr(exc, "orig", None)
    code = getattr(orig, "pgcode", None)
    message = str(orig if orig is not None else exc).strip().splitlines()
    name = (orig if orig is not None else exc).__class__.__name__
    return f"{name}{f' [{code}]' if code else ''}: {message[0] if message else ''}"[:500]


def isolate(
    rows: Sequence[T], write: Callable[[Sequence[T]], R], combine: Callable[[R, R], R], empty: R
) -> tuple[R, list[tuple[T, str]]]:
    """Write `rows` with `write` (one transaction per call); on an error that is not an outage, bisect.

    Returns (the combined results of the writes that went through, [(bad row, reason)]). An outage is
    raised at once: the caller keeps the rows that were not written. A batch with one bad row costs
    about 2·log2(n) extra transactions.
    """
    if not rows:
        return empty, []
    try:
        return write(rows), []
    except Exception as exc:
        if is_outage(exc):
            raise
        if len(rows) == 1:
            return empty, [(rows[0], describe_error(exc))]
    middle = len(rows) // 2
    first, bad_first = isolate(rows[:middle], write, combine, empty)
    second, bad_second = isolate(rows[middle:], write, combine, empty)
    return combine(first, second), bad_first + bad_second

"""The models of the core, one module a concept. Everything is importable from
`intake.models`, as Django and the other apps expect.

- accounts: who logs in (a pseudonym and a password).
- programmes: programmes, and the fixed lists a request chooses from.
- entries: acts of logging and moves, undone as a whole.
- requests: help requests and their workflow.
- counts: the table of monthly counts and each month's data version (written by
  intake/cells.py only, read by intake/counts.py).
- month_reviews: each month's sign-off state, the locks it puts on writers, and who
  wrote each month (for the separation of duties).
- audit_events: the audit log.
"""

from .accounts import User, UserManager
from .audit_events import AuditEvent
from .base import Localized, first_of_month_constraint
from .counts import Cell, CountsOutOfStep, DataVersion, MonthlyCount
from .entries import Entry, MovedRequest
from .month_reviews import (
    MAX_UNLOCK_DAYS,
    UNLOCK_DAYS,
    MonthLocked,
    MonthLocks,
    MonthReview,
    MonthWriter,
    month_changed,
)
from .programmes import Category, Outcome, Programme, Status
from .requests import (
    REFERENCE_ALPHABET,
    TRANSITIONS,
    ChangedElsewhere,
    HelpRequest,
    TransitionError,
    check_transition,
    new_reference,
    new_references,
)

__all__ = [
    "MAX_UNLOCK_DAYS", "REFERENCE_ALPHABET", "TRANSITIONS", "UNLOCK_DAYS", "AuditEvent", "Category", "Cell",
    "ChangedElsewhere", "CountsOutOfStep", "DataVersion", "Entry", "HelpRequest", "Localized", "MonthLocked",
    "MonthLocks", "MonthReview", "MonthWriter", "MonthlyCount", "MovedRequest", "Outcome", "Programme", "Status", "TransitionError",
    "User", "UserManager", "check_transition", "first_of_month_constraint", "month_changed", "new_reference",
    "new_references",
]

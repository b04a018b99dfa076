"""Celery tasks of intake: thin interfaces that call one service."""

from celery import shared_task

from . import retention


@shared_task(name="intake.collapse_accepted_months")
def collapse_accepted_months() -> None:
    """Collapse the months accepted at least COLLAPSE_AFTER_MONTHS months ago (a
    setting, off by default: then this does nothing)."""
    retention.collapse_due_months()

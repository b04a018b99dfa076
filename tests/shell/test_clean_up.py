"""The scheduled clean-up (shell.tasks.clean_up), run by a real worker: expired sessions
and cache rows are deleted, and an unlock that has ended is forgotten, so that the
database keeps no time of anyone's last visit, failed login or grant once it is over."""

import datetime as dt
import time

import time_machine
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.cache import cache, caches
from django.db import connection
from django.utils import timezone

from intake.models import MonthReview
from shell.tasks import clean_up
from signoff.services import review_accept, review_grant_unlock, review_request_unlock, review_submit
from tests.conftest import make_user

MONTH = dt.date(2025, 12, 1)


def a_session(expires_in: dt.timedelta) -> str:
    session = SessionStore()
    session["seen"] = 1
    session.create()
    Session.objects.filter(pk=session.session_key).update(expire_date=timezone.now() + expires_in)
    return session.session_key


def an_ended_unlock(programme) -> None:
    with time_machine.travel(dt.datetime(2026, 1, 10, 9, 30, tzinfo=dt.UTC), tick=False):
        staff, other_staff = make_user("staff-a", "Staff"), make_user("staff-b", "Staff")
        auditor = make_user("auditor-a", "Auditor")
        review_submit(programme=programme, month=MONTH, actor=staff, check_report=lambda asked: asked or 1)
        review_accept(programme=programme, month=MONTH, actor=auditor, check_report=lambda asked: asked or 1)
        review_request_unlock(programme=programme, month=MONTH, reason="late_data", actor=other_staff)
        review_grant_unlock(programme=programme, month=MONTH, actor=auditor, days=2)


def cache_keys(table: str = "cache_entries") -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT cache_key FROM {table}")  # noqa: S608  # nosec B608 - the tests' own names
        return {row[0].rsplit(":", 1)[-1] for row in cursor.fetchall()}


def test_the_worker_deletes_expired_sessions_and_cache_rows_and_forgets_ended_unlocks(celery_worker, programme):
    for alias in ("default", "security"):
        caches[alias].clear()  # rows earlier tests committed: a flush leaves cache tables alone
    live, expired = a_session(dt.timedelta(minutes=20)), a_session(-dt.timedelta(seconds=1))
    an_ended_unlock(programme)
    cache.set("still-counting", 1, 600)
    cache.set("over", 1, 600)
    caches["security"].set("still-locked", 5, 600)
    caches["security"].set("lock-over", 5, 600)
    with connection.cursor() as cursor:
        for table, key in (("cache_entries", "%:over"), ("security_counters", "%:lock-over")):
            cursor.execute(f"UPDATE {table} SET expires = %s WHERE cache_key LIKE %s",  # noqa: S608  # nosec B608
                           [timezone.now() - dt.timedelta(seconds=1), key])

    clean_up.delay()
    deadline = time.monotonic() + 30
    while Session.objects.filter(pk=expired).exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(0.5)  # the rest of the same task

    assert set(Session.objects.values_list("pk", flat=True)) == {live}
    assert "still-counting" in cache_keys() and "over" not in cache_keys()
    assert cache_keys("security_counters") == {"still-locked"}
    review = MonthReview.objects.get()
    assert (review.state, review.unlocked_until, review.is_locked()) == (MonthReview.State.ACCEPTED, None, True)


def test_beat_runs_the_clean_up_every_quarter_of_an_hour():
    [entry] = [entry for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry["task"] == "shell.clean_up"]
    assert entry["schedule"].minute == {0, 15, 30, 45}

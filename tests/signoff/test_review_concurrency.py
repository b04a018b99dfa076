"""A month submitted while someone writes its requests, each in a thread with its own
connection and committed transactions: the submission and the write go one after the
other, never through each other. A write under way commits before the report is
checked (so the check sees it), and a write that comes during the submission waits,
then is refused. (On SQLite, one writer at a time is the database's own rule; on
PostgreSQL it is the rows of the months' data versions, held by both.)"""

import datetime as dt
import threading

import pytest
from django.db import connections, transaction
from django.db.models import Sum

from intake.models import HelpRequest, MonthLocked, MonthlyCount, MonthReview
from intake.services import RequestSpec, requests_log
from signoff.services import review_submit

MONTH = dt.date(2026, 2, 1)
WAIT = 1.0  # long enough for a thread that is not blocked to finish its work


def in_thread(work, results: dict, name: str) -> threading.Thread:
    def run():
        try:
            results[name] = work()
        except BaseException as exc:  # noqa: BLE001 - the test reads it
            results[name] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def counted(programme) -> int:
    return MonthlyCount.objects.filter(programme=programme, month=MONTH).aggregate(n=Sum("requests"))["n"] or 0


@pytest.fixture
def month(committed_db, this_month, programme):
    return programme


def test_a_write_under_way_commits_before_the_submitted_report_is_checked(month):
    programme = month
    written, commit = threading.Event(), threading.Event()
    results: dict = {}
    seen_by_check = []

    def write():
        with transaction.atomic():
            requests_log(spec=RequestSpec(programme=programme, month=MONTH, category="legal"), count=4, author=None)
            written.set()
            commit.wait(timeout=30)

    def check_report(_version):
        seen_by_check.append(counted(programme))
        return 1

    writer = in_thread(write, results, "write")
    assert written.wait(timeout=30)
    submitter = in_thread(lambda: review_submit(programme=programme, month=MONTH, actor=None,
                                                check_report=check_report), results, "submit")
    submitter.join(timeout=WAIT)
    assert submitter.is_alive(), "the submission should wait for the write under way"
    commit.set()
    writer.join(timeout=30)
    submitter.join(timeout=30)

    assert not isinstance(results["write"], BaseException), results["write"]
    assert isinstance(results["submit"], MonthReview), results["submit"]
    assert seen_by_check == [4]
    assert MonthReview.objects.get().state == MonthReview.State.SUBMITTED


def test_a_write_that_comes_while_a_month_is_submitted_waits_then_is_refused(month):
    programme = month
    checking, finish = threading.Event(), threading.Event()
    results: dict = {}

    def check_report(_version):
        checking.set()
        finish.wait(timeout=30)
        return 1

    submitter = in_thread(lambda: review_submit(programme=programme, month=MONTH, actor=None,
                                                check_report=check_report), results, "submit")
    assert checking.wait(timeout=30)
    writer = in_thread(lambda: requests_log(spec=RequestSpec(programme=programme, month=dt.date(2026, 1, 1),
                                                             category="legal"), count=4, author=None),
                       results, "write")
    writer.join(timeout=WAIT)
    assert writer.is_alive(), "the write should wait for the submission"
    finish.set()
    submitter.join(timeout=30)
    writer.join(timeout=30)

    assert isinstance(results["submit"], MonthReview), results["submit"]
    assert isinstance(results["write"], MonthLocked), results["write"]
    assert not HelpRequest.objects.exists()

"""Random sequences of every write of requests (log one, log a count, move, start,
close, reopen, undo, import), some of them refused: after each step the table of
monthly counts equals a count of the requests themselves."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from intake.models import TRANSITIONS, Category, Entry, HelpRequest, Outcome, Programme, Status, User
from intake.months import add_months
from intake.services import Move, RequestSpec, entry_undo, request_move, requests_import, requests_log, requests_move
from tests.conftest import THIS_MONTH

from .counting import assert_counts_match

# The months here depend on the current one: the clock is set for every test.
pytestmark = pytest.mark.usefixtures("this_month")
# Entries of the last two months can be undone; the older month's cannot.
MONTHS = [dt.date(2023, 10, 1), add_months(THIS_MONTH, -1), THIS_MONTH]

months = st.sampled_from(MONTHS)
categories = st.sampled_from([Category.LEGAL, Category.DESERTION])  # few, so that cells are shared
statuses = st.sampled_from(Status.values)
outcomes = st.sampled_from([Outcome.REFERRED, Outcome.DETAINED])
counts = st.integers(min_value=1, max_value=6)


class CountsMachine(RuleBasedStateMachine):
    entries = Bundle("entries")

    def __init__(self):
        super().__init__()
        # Each run starts from an empty database and leaves nothing behind.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.programmes = [
            Programme.objects.create(slug=slug, name=slug, first_month=dt.date(2023, 1, 1)) for slug in ("a", "b")
        ]
        self.author = User.objects.create_user("writer", "a-long-test-password")

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def spec(self, data, month) -> RequestSpec:
        status = data.draw(statuses)
        closed = status == Status.CLOSED
        return RequestSpec(
            programme=data.draw(st.sampled_from(self.programmes)), month=month, category=data.draw(categories),
            status=status, outcome=data.draw(outcomes) if closed else "",
            closed_month=data.draw(st.sampled_from([month, THIS_MONTH])) if closed else None,
        )

    def request_in(self, data, statuses_: list[str]) -> HelpRequest | None:
        candidates = HelpRequest.objects.filter(status__in=statuses_).order_by("pk")
        n = candidates.count()
        return candidates[data.draw(st.integers(min_value=0, max_value=n - 1))] if n else None

    @rule(target=entries, data=st.data(), month=months, count=counts)
    def log_count(self, data, month, count):
        return requests_log(spec=self.spec(data, month), count=count, author=self.author).pk

    @rule(target=entries, data=st.data(), month=months)
    def log_one(self, data, month):
        return requests_log(spec=self.spec(data, month), author=self.author, kind=Entry.Kind.SINGLE).pk

    @rule(target=entries, data=st.data(), rows=st.lists(st.tuples(months, counts), min_size=1, max_size=4))
    def import_file(self, data, rows):
        entries = requests_import([(self.spec(data, month), count) for month, count in rows], author=self.author)
        return multiple(*(entry.pk for entry in entries))

    @rule(data=st.data(), count=st.integers(min_value=1, max_value=3), allowed=st.booleans())
    def move(self, data, count, allowed):
        # Requests like an existing one, so that most moves find some to move.
        like = self.request_in(data, Status.values)
        if like is None:
            return
        to_status = data.draw(st.sampled_from(sorted(TRANSITIONS[like.status] if allowed else Status.values)))
        closed = to_status == Status.CLOSED
        move = Move(
            programme=like.programme, month=like.month, category=like.category, from_status=like.status, count=count,
            to_status=to_status, outcome=data.draw(outcomes) if closed else "",
            closed_month=THIS_MONTH if closed else None,
        )
        try:
            requests_move(move, actor=None)
        except ValidationError:
            pass  # refused (no such transition, too few requests): nothing may change

    @rule(data=st.data())
    def start(self, data):
        request = self.request_in(data, [Status.NEW])
        if request:
            request_move(request, Status.IN_PROGRESS)

    @rule(data=st.data(), outcome=outcomes)
    def close(self, data, outcome):
        request = self.request_in(data, [Status.NEW, Status.IN_PROGRESS])
        if request:
            request_move(request, Status.CLOSED, outcome=outcome, closed_month=THIS_MONTH)

    @rule(data=st.data())
    def reopen(self, data):
        request = self.request_in(data, [Status.CLOSED])
        if request:
            request_move(request, Status.IN_PROGRESS)

    @rule(entry_pk=consumes(entries))
    def undo(self, entry_pk):
        entry = Entry.objects.filter(pk=entry_pk).first()
        try:
            entry_undo(entry=entry, actor=None)
        except ValidationError:
            pass  # too old to undo

    @invariant()
    def table_equals_the_requests(self):
        assert_counts_match()


def test_random_writes_keep_the_counts_equal_to_the_requests(db):
    run_state_machine_as_test(CountsMachine, settings=settings(
        max_examples=30, stateful_step_count=20, deadline=None, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    ))

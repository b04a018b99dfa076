"""Eight writers at once, each in a thread with its own database connection and
committed transactions, logging, moving and undoing requests of the same cells: the
table of monthly counts ends exactly equal to the requests, and every total adds up.
No writer fails for any reason but a refused move (too few requests)."""

import random
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connections

from intake.models import HelpRequest, MonthlyCount, Status
from intake.services import Move, RequestSpec, entry_undo, requests_log, requests_move
from tests.conftest import THIS_MONTH

from .counting import assert_counts_match

WRITERS = 8
STEPS = 30
# The months here depend on the current one: the clock is set for every test.
pytestmark = pytest.mark.usefixtures("this_month")


def write_at_random(programme, seed: int, barrier: threading.Barrier, totals: dict, failures: list) -> None:
    rng = random.Random(seed)
    logged = undone = 0
    entries, moves = [], []
    try:
        barrier.wait(timeout=30)
        for _step in range(STEPS):
            action = rng.choice(["log", "log", "move", "move", "move", "undo"])
            if action == "log":
                count = rng.randint(1, 5)
                entry = requests_log(spec=RequestSpec(programme=programme, month=THIS_MONTH, category="legal"),
                                     count=count, author=None)
                entries.append(entry)
                logged += count
            elif action == "undo" and entries:
                undone += entry_undo(entry=entries.pop(rng.randrange(len(entries))), actor=None)
            else:
                from_status = rng.choice(Status.values)
                to_status = {"new": "in_progress", "in_progress": "closed", "closed": "in_progress"}[from_status]
                closed = to_status == Status.CLOSED
                try:
                    moves.append(from_status)
                    requests_move(Move(
                        programme=programme, month=THIS_MONTH, category="legal", from_status=from_status,
                        count=rng.randint(1, 3), to_status=to_status, outcome=rng.choice(["referred", "detained"])
                        if closed else "", closed_month=THIS_MONTH if closed else None,
                    ), actor=None)
                except ValidationError:
                    moves.pop()  # fewer requests in that status than asked for: nothing moved
    except BaseException as exc:  # noqa: BLE001 - reported by the test
        failures.append(exc)
    finally:
        totals[seed] = (logged, undone, moves)
        connections.close_all()


def test_eight_writers_in_the_same_cells_leave_exact_counts(committed_db, programme):
    barrier = threading.Barrier(WRITERS)
    totals: dict[int, tuple[int, int, list[str]]] = {}
    failures: list[BaseException] = []
    threads = [
        threading.Thread(target=write_at_random, args=(programme, seed, barrier, totals, failures))
        for seed in range(WRITERS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert not failures, failures
    assert len(totals) == WRITERS, "a writer did not finish"
    logged = sum(n for n, _undone, _moves in totals.values())
    undone = sum(n for _logged, n, _moves in totals.values())
    assert logged > undone > 0
    assert HelpRequest.objects.count() == logged - undone
    assert sum(MonthlyCount.objects.values_list("requests", flat=True)) == logged - undone
    assert_counts_match()
    # Requests were moved out of every status, so the cells really were shared.
    assert {status for _logged, _undone, moves in totals.values() for status in moves} == set(Status.values)


@pytest.fixture(autouse=True)
def _no_leftover_connections():
    yield
    connections.close_all()

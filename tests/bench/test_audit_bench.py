"""The disclosure audit's bench (bench/audit.py): protect timed month by month, each month
said as it comes, and the information lost by what it published."""

import re

from bench.audit import SEED, loss_line, published, timed_protection


def test_protection_is_timed_month_by_month_and_what_it_published_is_measured_against_the_rules_alone():
    said = []

    seconds, refused, documents = timed_protection(months=3, say=lambda month, took: said.append((month, took)))

    assert [month for month, _took in said] == [1, 2, 3] and [took for _month, took in said] == seconds
    assert refused == 0
    assert {document["month"] for document in documents} == {"2021-01", "2021-02", "2021-03"}
    line = loss_line(published(SEED, 3), documents)
    assert re.fullmatch(r"[0-9]+ figures; withheld [0-9.]+% -> [0-9.]+%, '<10' [0-9.]+% -> [0-9.]+%, shown "
                        r"[0-9.]+% -> [0-9.]+%; percentages and rankings left out [0-9.]+% -> [0-9.]+%", line), line

"""The disclosure audit's bench (bench/audit.py): protect timed month by month, each month
said as it comes, and the information lost by what it published."""

import re

from bench.audit import loss_line, made_before, timed_protection


def test_protection_is_timed_month_by_month_and_what_it_published_is_measured_against_the_rules_alone():
    said = []
    published: list[dict] = []

    seconds, refused = timed_protection(months=3, say=lambda month, took: said.append((month, took)),
                                        published=published)

    assert [month for month, _took in said] == [1, 2, 3] and [took for _month, took in said] == seconds
    assert refused == 0
    assert {document["month"] for document in published} == {"2021-01", "2021-02", "2021-03"}
    line = loss_line(made_before(3), published)
    assert re.fullmatch(r"[0-9]+ figures; withheld [0-9.]+% -> [0-9.]+%, '<10' [0-9.]+% -> [0-9.]+%, shown "
                        r"[0-9.]+% -> [0-9.]+%; percentages and rankings left out [0-9.]+% -> [0-9.]+%", line), line

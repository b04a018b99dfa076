"""Disclosure control (issue 15): each rule of reports/disclosure.py on small, made-up
counts (the pure core, no database), then what the database side adds: acceptance,
versions, and a bounded number of queries."""

import datetime as dt

import pytest
from django.utils import translation

from intake.counts import CountRow
from intake.models import Category, Outcome, Programme, Status
from reports.disclosure import (
    SUPPRESSED,
    WITHHELD,
    ZEROS_SENSITIVE,
    Disclosure,
    MonthNotPublished,
    NotPublishable,
    ScopeCounts,
    check_published,
    disclosed,
    protect_row,
    published_document,
    published_months,
    rounded,
    whole_pct,
)
from reports.document import report_document
from signoff.services import review_grant_unlock, review_request_unlock
from tests.conftest import add_request, add_requests
from tests.reports.accepting import accept_months, make_report

C, W = SUPPRESSED, WITHHELD


def m(text: str) -> dt.date:
    year, month = text.split("-")
    return dt.date(int(year), int(month), 1)


def scope(first: str, requests: dict[str, int | dict], closings: dict[str, dict] | None = None) -> ScopeCounts:
    """A scope's counts: requests by month (a number: all "desertion"), closings by month closed."""
    categories = {m(k): (v if isinstance(v, dict) else {"desertion": v}) for k, v in requests.items()}
    outcomes = {m(k): v for k, v in (closings or {}).items()}
    return ScopeCounts(first=m(first), categories=categories, outcomes=outcomes)


def disclosure(first, requests, closings=None, *, zeros_sensitive=False, parts=()):
    return Disclosure(scope(first, requests, closings), zeros_sensitive=zeros_sensitive, parts=parts)


# --- rule 1: primary suppression ------------------------------------------------


def test_counts_from_1_to_9_are_suppressed_and_0_stays_0():
    published = disclosure("2024-01", {"2024-01": 0, "2024-02": 1, "2024-03": 9, "2024-04": 10})

    assert [published.month(m(f"2024-0{i}")) for i in range(1, 5)] == [0, C, C, 10]


def test_a_profile_may_treat_zeros_as_sensitive():
    published = disclosure("2024-01", {"2024-01": 0, "2024-02": 20}, zeros_sensitive=True)

    assert published.month(m("2024-01")) == C
    # The five zeros are "<10" and hold 0 requests: the 20 is withheld, or the total
    # minus 20 would tell them.
    assert published.categories(m("2024-02")) == {"desertion": W} | dict.fromkeys(Category.values[1:], C)
    assert "public" not in ZEROS_SENSITIVE and "partner" not in ZEROS_SENSITIVE


# --- rule 2: rounding -------------------------------------------------------------


def test_counts_are_rounded_to_the_nearest_5_0_to_2_down_3_and_4_up():
    assert [rounded(n) for n in range(10, 21)] == [10, 10, 10, 15, 15, 15, 15, 15, 20, 20, 20]
    assert (rounded(577), rounded(1017), rounded(218)) == (575, 1015, 220)


def test_totals_are_rounded_from_the_exact_total_not_summed_from_rounded_months():
    published = disclosure("2024-01", {"2024-01": 12, "2024-02": 12, "2024-03": 12})

    assert [published.month(m(f"2024-0{i}")) for i in (1, 2, 3)] == [10, 10, 10]
    assert published.span(m("2024-01"), m("2024-03")) == 35  # 36, not 10 + 10 + 10


# --- rule 3: percentages ------------------------------------------------------------


def test_percentages_are_whole_numbers_from_the_exact_counts_halves_away_from_zero():
    assert whole_pct(577 - 305, 305) == 89
    assert whole_pct(175 - 218, 218) == -20
    assert (whole_pct(1, 200), whole_pct(-1, 200), whole_pct(1, 201)) == (1, -1, 0)
    # 12 against 18 is -33%; from the rounded 10 and 20 it would say -50%.
    assert whole_pct(12 - 18, 18) == -33


def document_of(requests: dict[str, dict], first: str, month: str, closed: dict[str, dict] | None = None) -> dict:
    """A report document made by report_document from rows: requests received in each
    month by category (left new), and closed requests by (month received, month closed, outcome)."""
    rows = [CountRow(m(k), c, Status.NEW, "", None, n) for k, row in requests.items() for c, n in row.items() if n]
    rows += [CountRow(m(received), Category.DESERTION, Status.CLOSED, outcome, m(closed_in), n)
             for (received, closed_in), row in (closed or {}).items() for outcome, n in row.items()]
    rows = [row for row in rows if row.month <= m(month)]
    return report_document(programme=None, month=m(month), version=1, window=1, rows=rows, first_month=m(first))


def test_a_percentage_is_omitted_when_either_side_is_suppressed():
    months = {"2024-01": {"desertion": 40}, "2024-02": {"desertion": 5}, "2024-03": {"desertion": 30},
              "2024-04": {"desertion": 33}}
    for month, expected in [("2024-02", None), ("2024-03", None), ("2024-04", 10)]:
        document = document_of(months, "2024-01", month)
        counts = ScopeCounts.from_rows(
            [CountRow(m(k), "desertion", Status.NEW, "", None, v["desertion"]) for k, v in months.items()],
            first=m("2024-01"))
        published = disclosed(document, Disclosure(counts, zeros_sensitive=False), profile="public")

        assert published["requests"]["change_pct"] == expected, month
        assert published["window"]["change_pct"] == expected, month


# --- rule 4a: sums over months ----------------------------------------------------


def test_a_small_month_withholds_every_sum_that_covers_it_for_good():
    published = disclosure("2024-01", {"2024-01": 40, "2024-02": 3, "2024-03": 30, "2024-04": 50,
                                       "2024-05": 60, "2024-06": 70})

    assert published.month(m("2024-02")) == C
    assert published.span(m("2024-01"), m("2024-03")) == W
    assert published.span(m("2024-04"), m("2024-06")) == 180
    assert published.span(m("2024-01"), m("2024-06")) == W  # since the start, ever after
    assert published.status(m("2024-06")) == {"open": W, "closed": W}
    assert published.span(m("2024-01"), m("2024-01")) == 40  # before it: untouched


def test_open_and_closed_are_withheld_from_the_first_month_with_1_to_9_closings():
    published = disclosure(
        "2024-01", {"2024-01": 40, "2024-02": 40, "2024-03": 40, "2024-04": 40},
        {"2024-01": {"referred": 20}, "2024-02": {"referred": 4}, "2024-03": {"referred": 0}},
    )

    assert published.status(m("2024-01")) == {"open": 20, "closed": 20}
    assert published.status(m("2024-02")) == {"open": W, "closed": W}  # 24 - 20 = 4 would show
    assert published.status(m("2024-04")) == {"open": W, "closed": W}


def test_a_small_open_count_withholds_the_closed_one_beside_it():
    published = disclosure("2024-01", {"2024-01": 40}, {"2024-01": {"referred": 35}})

    assert published.status(m("2024-01")) == {"open": C, "closed": W}


# --- rule 4b: across scopes -------------------------------------------------------


def test_the_all_programmes_month_is_withheld_when_a_programme_s_is_suppressed():
    a = disclosure("2024-01", {"2024-01": 3, "2024-02": 30})
    b = disclosure("2024-01", {"2024-01": 40, "2024-02": 2})
    c = disclosure("2024-02", {"2024-02": 5})
    both = disclosure("2024-01", {"2024-01": 43, "2024-02": 37}, parts=[a, b, c])
    tiny = disclosure("2024-01", {"2024-01": 4}, parts=[disclosure("2024-01", {"2024-01": 4})])

    assert both.month(m("2024-01")) == W  # 43 - 40 would give 3
    assert both.month(m("2024-02")) == W
    assert tiny.month(m("2024-01")) == C  # small itself: "<10"


def test_an_all_programmes_cell_is_withheld_when_a_programme_hides_it():
    a = disclosure("2024-01", {"2024-01": {"desertion": 3, "legal": 12, "other": 50}})
    b = disclosure("2024-01", {"2024-01": {"desertion": 30, "legal": 20, "other": 50}})
    both = disclosure("2024-01", {"2024-01": {"desertion": 33, "legal": 32, "other": 100}}, parts=[a, b])

    assert a.categories(m("2024-01"))["legal"] == W
    assert both.categories(m("2024-01")) == {"desertion": W, "mobilisation": 0, "emigration": 0, "surrender": 0,
                                             "legal": W, "other": 100}


def test_all_programmes_open_and_closed_are_withheld_when_a_programme_withholds_them():
    a = disclosure("2024-01", {"2024-01": 40}, {"2024-01": {"referred": 4}})
    b = disclosure("2024-01", {"2024-01": 40}, {"2024-01": {"referred": 30}})
    both = disclosure("2024-01", {"2024-01": 80}, {"2024-01": {"referred": 34}}, parts=[a, b])

    assert both.status(m("2024-01")) == {"open": W, "closed": W}


# --- rule 4c: within a breakdown ----------------------------------------------------


def test_a_suppressed_cell_withholds_the_smallest_others_until_10_requests_in_2_cells():
    row = {"desertion": 3, "mobilisation": 12, "emigration": 50, "surrender": 0, "legal": 11, "other": 60}

    assert protect_row(row, zeros_sensitive=False) == {
        "desertion": C, "mobilisation": 10, "emigration": 50, "surrender": 0, "legal": W, "other": 60}


def test_ties_are_broken_by_the_documented_order_and_enough_small_cells_need_nothing_more():
    tied = {"desertion": 2, "mobilisation": 20, "emigration": 20, "surrender": 40}
    small = {"desertion": 4, "mobilisation": 7, "emigration": 30}

    assert protect_row(tied, zeros_sensitive=False) == {"desertion": C, "mobilisation": W, "emigration": 20,
                                                         "surrender": 40}
    assert protect_row(small, zeros_sensitive=False) == {"desertion": C, "mobilisation": C, "emigration": 30}


def test_a_small_row_total_needs_nothing_more():
    assert protect_row({"referred": 3, "withdrew": 0}, zeros_sensitive=False, total_small=True) == {
        "referred": C, "withdrew": 0}


def test_an_outcome_row_is_protected_the_same_way():
    published = disclosure("2024-01", {"2024-01": 100}, {"2024-01": {"left_country": 70, "detained": 2,
                                                                     "referred": 15}})

    assert published.outcomes(m("2024-01")) == dict.fromkeys(Outcome.values, 0) | {
        "left_country": 70, "detained": C, "referred": W}


# --- rule 4d: highest, lowest, rank ---------------------------------------------------


def test_highest_is_stated_beside_a_small_month_but_lowest_and_rank_are_not():
    months = {"2024-01": {"desertion": 40}, "2024-02": {"desertion": 5}, "2024-03": {"desertion": 30}}
    document = document_of(months, "2024-01", "2024-03")
    counts = ScopeCounts.from_rows(
        [CountRow(m(k), "desertion", Status.NEW, "", None, v["desertion"]) for k, v in months.items()],
        first=m("2024-01"))

    published = disclosed(document, Disclosure(counts, zeros_sensitive=False), profile="public")

    assert published["since_start"]["highest"] == [{"month": "2024-01", "requests": 40}]
    assert (published["since_start"]["lowest"], published["since_start"]["rank_of_month"]) == (None, None)
    assert published["since_start"]["requests"] == W
    assert published["since_start"]["current_window_share_pct"] is None


def test_highest_is_not_stated_when_it_is_suppressed():
    published = disclosure("2024-01", {"2024-01": 4, "2024-02": 3})

    assert not published.highest_stated(m("2024-02"), [m("2024-01")])


def test_all_programmes_state_no_highest_beside_a_withheld_month():
    # All programmes: 204 in January (withheld: 1 + 203), 205 in February. "February
    # is the highest" would give 1 + 203 <= 207.5, and 203 shows as 205 (>= 202.5):
    # the 1 would be at most 5.
    a = disclosure("2024-01", {"2024-01": 1, "2024-02": 100})
    b = disclosure("2024-01", {"2024-01": 203, "2024-02": 105})
    both = disclosure("2024-01", {"2024-01": 204, "2024-02": 205}, parts=[a, b])

    assert both.month(m("2024-01")) == W
    assert not both.highest_stated(m("2024-02"), [m("2024-02")])
    assert b.highest_stated(m("2024-02"), [m("2024-01")])


# --- decisions depend only on the months up to M ------------------------------------


def test_a_month_s_published_values_do_not_depend_on_later_months():
    early = disclosure("2024-01", {"2024-01": 40, "2024-02": 12, "2024-03": 30}, {"2024-02": {"referred": 20}})
    later = disclosure("2024-01", {"2024-01": 40, "2024-02": 12, "2024-03": 30, "2024-04": 4},
                       {"2024-02": {"referred": 20}, "2024-04": {"referred": 3}})

    for month in ("2024-01", "2024-02", "2024-03"):
        assert early.month(m(month)) == later.month(m(month))
        assert early.status(m(month)) == later.status(m(month))
        assert early.span(m("2024-01"), m(month)) == later.span(m("2024-01"), m(month))


# --- the database side ------------------------------------------------------------------


@pytest.fixture
def three_programmes(db, staff, auditor):
    """Three programmes, January to March 2024 accepted, with a few small cells."""
    programmes = [Programme.objects.create(slug=f"p{i}", name=f"P{i}", first_month=m("2024-01")) for i in range(3)]
    for i, programme in enumerate(programmes):
        for month, n in [("2024-01", 20 + i), ("2024-02", 3 + i * 10), ("2024-03", 40)]:
            add_requests(n, programme=programme, month=m(month), category=Category.DESERTION)
        accept_months(programme, m("2024-03"), staff=staff, auditor=auditor)
    return programmes


def test_an_all_programmes_document_takes_a_bounded_number_of_queries(three_programmes, django_assert_max_num_queries):
    report = make_report(None, m("2024-03"))

    with django_assert_max_num_queries(3):
        published = published_document(report, "public")

    assert published["requests"]["this_month"] == 120
    assert published["requests"]["previous_month"] == W  # 3 + 13 + 23 = 39, but 3 is small
    assert published["series"][0] == {"month": "2024-01", "requests": 65}  # 63


def test_a_month_is_published_once_accepted_and_not_while_a_month_it_counts_is_unlocked(db, staff, auditor):
    programme = Programme.objects.create(slug="p", name="Helpline", first_month=m("2024-01"))
    for month in ("2024-01", "2024-02", "2024-03"):
        add_requests(12, programme=programme, month=m(month), category=Category.LEGAL)
    accept_months(programme, m("2024-01"), staff=staff, auditor=auditor)
    accept_months(programme, m("2024-03"), staff=staff, auditor=auditor, first=m("2024-03"))
    report = make_report(programme, m("2024-03"))
    # February is not accepted, but March's acceptance locks it: March is published.
    assert published_document(report, "partner")["since_start"]["requests"] == 35  # 36
    review_request_unlock(programme=programme, month=m("2024-01"), reason="correction", actor=staff)
    review_grant_unlock(programme=programme, month=m("2024-01"), actor=auditor)

    with pytest.raises(NotPublishable) as refused:
        published_document(report, "partner")

    assert str(refused.value) == ("January 2024 of Helpline is unlocked for a correction, and the figures of March "
                                  "2024 count it: partner and public figures are published again once it is locked.")
    assert published_document(report, "internal")["profile"] == "internal"


def test_all_programmes_need_the_month_accepted_in_every_programme(three_programmes):
    later = Programme.objects.create(slug="late", name="Late", first_month=m("2024-03"))
    report = make_report(None, m("2024-03"))

    with pytest.raises(NotPublishable, match="March 2024 of Late is not accepted yet"):
        published_document(report, "public")
    later.first_month = m("2024-04")
    later.save()
    assert published_document(report, "public")["profile"] == "public"


def test_a_version_made_before_a_correction_is_not_published(db, staff, auditor):
    programme = Programme.objects.create(slug="p", name="Helpline", first_month=m("2024-01"))
    add_requests(30, programme=programme, month=m("2024-01"), category=Category.LEGAL)
    before = make_report(programme, m("2024-01"))
    add_request(programme=programme, month=m("2024-01"), category=Category.LEGAL)
    accept_months(programme, m("2024-01"), staff=staff, auditor=auditor)
    after = make_report(programme, m("2024-01"))

    with pytest.raises(NotPublishable, match="Version 1 of this report was made from data that has changed since"):
        published_document(before, "public")
    assert published_document(after, "public")["requests"]["this_month"] == 30  # 32


def test_an_unlocked_month_is_not_published_until_it_is_locked_again(db, staff, auditor):
    programme = Programme.objects.create(slug="p", name="Helpline", first_month=m("2024-01"))
    add_requests(30, programme=programme, month=m("2024-01"), category=Category.LEGAL)
    accept_months(programme, m("2024-01"), staff=staff, auditor=auditor)
    report = make_report(programme, m("2024-01"))
    review_request_unlock(programme=programme, month=m("2024-01"), reason="correction", actor=staff)
    review_grant_unlock(programme=programme, month=m("2024-01"), actor=auditor)

    with pytest.raises(NotPublishable, match="January 2024 of Helpline is unlocked for a correction"):
        published_document(report, "public")


def test_an_unknown_profile_is_a_programming_error(november_report):
    with pytest.raises(ValueError, match="unknown profile"):
        published_document(november_report, "press")


def test_the_reason_is_given_in_the_reader_s_language(november_report):
    with translation.override("ru"), pytest.raises(NotPublishable) as refused:
        published_document(november_report, "public")

    assert str(refused.value) == ("Ноябрь 2023 программы «Помощь в уходе из армии (демо)» ещё не принят: показатели "
                                  "для партнёров и для публикации выпускаются только за принятые месяцы.")


def test_the_months_published_are_those_every_output_lets_through(three_programmes, staff, auditor):
    p0, p1, _p2 = three_programmes
    Programme.objects.create(slug="late", name="Late", first_month=m("2024-03"))  # March not accepted there
    review_request_unlock(programme=p1, month=m("2024-02"), reason="correction", actor=staff)
    review_grant_unlock(programme=p1, month=m("2024-02"), actor=auditor)
    months = [m("2024-01"), m("2024-02"), m("2024-03")]

    published = {scope: published_months(scope) for scope in (p0, p1, None)}

    assert published == {p0: set(months), p1: {m("2024-01")}, None: {m("2024-01")}}
    for scope, programmes in ((p0, [p0]), (p1, [p1]), (None, None)):
        for month in months:
            started = programmes or list(Programme.objects.filter(first_month__lte=month))
            try:
                check_published(started, month)
            except MonthNotPublished:
                refused = True
            else:
                refused = False
            assert refused == (month not in published[scope]), (scope, month)

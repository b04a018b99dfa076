"""The article-style sentences, in English and in Russian."""

import inspect
import io

import pytest
from django.core.management import call_command

from intake.months import add_months
from reports.figures import report_figures
from reports.narrative import _facts, narrative, sentence_plan
from reports.phrasebook.en import English
from reports.phrasebook.ru import Russian, ru_plural

from .test_figures import ARTICLE_COUNTS, article_figures, m

# --- English ------------------------------------------------------------------


def test_narrative_reproduces_the_article_sentences():
    assert narrative(article_figures()) == [
        "577 requests between September and November, an 89% increase on the 305 received "
        "between June and August.",
        "October had the most requests since April 2023 (218); June the fewest (54).",
        "November: 175 requests, fewer than September and October but more than any other "
        "month (rank 3 of 8).",
        "That is 20% fewer than in October (218).",
        "1,017 requests since April 2023; 56.7% of them between September and November.",
    ]


def test_narrative_describes_a_decrease_with_a_whole_percentage():
    sentences = narrative(article_figures(window=1))
    assert sentences[0] == "175 requests in November, a 20% decrease on the 218 received in October."
    assert sentences[3] == "That is 20% fewer than in October (218)."
    assert sentences[4] == "1,017 requests since April 2023; 17.2% of them in November."


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        (111, "an 11% increase"),
        (112, "a 12% increase"),
        (118, "an 18% increase"),
        (180, "an 80% increase"),
        (20, "an 80% decrease"),
        (1200, "a 1,100% increase"),
    ],
)
def test_narrative_picks_a_or_an_for_the_percentage(current, expected):
    counts = {m(2023, 10): 100, m(2023, 11): current}
    figures = report_figures(counts=counts, month=m(2023, 11), first_month=m(2023, 10), window=1)
    assert expected in narrative(figures)[0]


def test_narrative_rounds_the_percentage_half_away_from_zero():
    # 9 against 8 is a 12.5% increase, spoken as 13%.
    counts = {m(2023, 10): 8, m(2023, 11): 9}
    figures = report_figures(counts=counts, month=m(2023, 11), first_month=m(2023, 10), window=1)
    assert narrative(figures)[0] == "9 requests in November, a 13% increase on the 8 received in October."


def test_narrative_says_the_same_number_when_nothing_changed():
    counts = {m(2023, 10): 7, m(2023, 11): 7}
    figures = report_figures(counts=counts, month=m(2023, 11), first_month=m(2023, 10), window=1)
    assert narrative(figures)[0] == "7 requests in November, the same number as in October."


def test_narrative_does_not_call_a_tiny_rise_zero_percent():
    counts = {m(2023, 10): 1000, m(2023, 11): 1003}
    figures = report_figures(counts=counts, month=m(2023, 11), first_month=m(2023, 10), window=1)
    assert narrative(figures)[0] == (
        "1,003 requests in November, slightly more than the 1,000 received in October."
    )


def test_narrative_is_honest_about_a_previous_window_without_requests():
    counts = {m(2023, 6): 3, m(2023, 7): 4, m(2023, 8): 5}
    figures = report_figures(counts=counts, month=m(2023, 8), first_month=m(2023, 3))
    assert narrative(figures) == [
        "12 requests between June and August, compared with none between March and May.",
        "August had the most requests since March 2023 (5); March, April and May the fewest (0).",
        "August: 5 requests, the most of any month (rank 1 of 6).",
        "That is 25% more than in July (4).",
        "12 requests since March 2023; 100.0% of them between June and August.",
    ]


def test_narrative_lists_ties_and_says_as_many_as():
    counts = {m(2023, 4): 5, m(2023, 5): 9, m(2023, 6): 2, m(2023, 7): 9, m(2023, 8): 2}
    august = narrative(report_figures(counts=counts, month=m(2023, 8), first_month=m(2023, 4)))
    assert august[1] == "May and July had the most requests since April 2023 (9); June and August the fewest (2)."
    assert august[2] == "August: 2 requests, as many as June and fewer than any other month (rank 4 of 5)."

    july = narrative(report_figures(counts=counts, month=m(2023, 7), first_month=m(2023, 4)))
    assert july[2] == "July: 9 requests, as many as May and more than any other month (rank 1 of 4)."


def test_narrative_counts_rather_than_lists_many_higher_months():
    counts = {m(2023, i): 10 + i for i in range(4, 10)}
    counts[m(2023, 10)] = 1
    counts[m(2023, 11)] = 3
    figures = report_figures(counts=counts, month=m(2023, 11), first_month=m(2023, 4))
    assert narrative(figures)[2] == (
        "November: 3 requests, fewer than 6 other months but more than any other month (rank 7 of 8)."
    )


def test_narrative_names_years_once_the_series_spans_two_years():
    counts = {add_months(month=m(2023, 4), n=i): 10 + i for i in range(11)}
    figures = report_figures(counts=counts, month=m(2024, 2), first_month=m(2023, 4))
    assert narrative(figures) == [
        "57 requests between December 2023 and February 2024, a 19% increase on the 48 received "
        "between September and November 2023.",
        "February 2024 had the most requests since April 2023 (20); April 2023 the fewest (10).",
        "February 2024: 20 requests, the most of any month (rank 1 of 11).",
        "That is 5% more than in January 2024 (19).",
        "165 requests since April 2023; 34.5% of them between December 2023 and February 2024.",
    ]


def test_narrative_says_when_the_month_before_had_none():
    counts = {m(2023, 10): 0, m(2023, 11): 4}
    figures = report_figures(counts=counts, month=m(2023, 11), first_month=m(2023, 10), window=1)
    assert narrative(figures)[3] == "There were none in October."
    assert narrative(figures, "ru")[3] == "В октябре запросов не было."


def test_narrative_uses_the_singular_for_one_request():
    figures = report_figures(counts={m(2023, 4): 1}, month=m(2023, 4), first_month=m(2023, 4))
    assert narrative(figures) == [
        "1 request in April.",
        "April: 1 request, the first month on record.",
        "1 request since April 2023.",
    ]


def test_narrative_for_a_clipped_window_leaves_out_the_comparison():
    counts = {m(2023, 4): 61, m(2023, 5): 74}
    figures = report_figures(counts=counts, month=m(2023, 5), first_month=m(2023, 4))
    assert narrative(figures) == [
        "135 requests between April and May.",
        "May had the most requests since April 2023 (74); April the fewest (61).",
        "May: 74 requests, the most of any month (rank 1 of 2).",
        "That is 21% more than in April (61).",
        "135 requests since April 2023.",
    ]


def test_narrative_for_a_series_without_requests():
    figures = report_figures(counts={}, month=m(2023, 6), first_month=m(2023, 4))
    assert narrative(figures) == [
        "0 requests between April and June.",
        "Every month since April 2023 had 0 requests.",
        "June: 0 requests, as many as every other month (rank 1 of 3).",
        "That is as many as in May.",
        "No requests since April 2023.",
    ]


# --- the plan and the phrasebooks -------------------------------------------------


def test_the_article_is_planned_as_five_kinds_of_sentence():
    assert [sentence.kind for sentence in sentence_plan(_facts(article_figures()))] == [
        "window_increase", "extremes", "month_between", "month_before_decrease", "total_with_share",
    ]


def phrases(phrasebook) -> dict[str, list[str]]:
    """Each kind of sentence a phrasebook words, with the values it takes."""
    return {
        name: [p.name for p in inspect.signature(method).parameters.values() if p.kind == p.KEYWORD_ONLY]
        for name, method in inspect.getmembers(phrasebook, inspect.isfunction)
        if not name.startswith("_") and any(p.kind == p.KEYWORD_ONLY for p in inspect.signature(method).parameters.values())
    }


def test_english_and_russian_word_the_same_kinds_of_sentence_from_the_same_values():
    assert phrases(English) == phrases(Russian)
    assert {"window", "window_increase", "extremes", "month_first", "total_none"} <= set(phrases(English))


# --- Russian ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "word"),
    [(1, "запрос"), (21, "запрос"), (101, "запрос"), (2, "запроса"), (4, "запроса"), (22, "запроса"),
     (54, "запроса"), (184, "запроса"), (5, "запросов"), (11, "запросов"), (12, "запросов"), (14, "запросов"),
     (111, "запросов"), (175, "запросов"), (305, "запросов"), (577, "запросов"), (1017, "запросов"), (0, "запросов")],
)
def test_russian_plural_forms(n, word):
    assert ru_plural(n, "запрос", "запроса", "запросов") == word


def test_russian_narrative_states_the_article_figures():
    assert narrative(article_figures(), "ru") == [
        "577 запросов с сентября по ноябрь — на 89% больше, чем 305 запросов с июня по август.",
        "Больше всего запросов с апреля 2023\u00a0года — в октябре (218), меньше всего — в июне (54).",
        "Ноябрь: 175 запросов — меньше, чем в сентябре и октябре, но больше, чем в любом другом месяце "
        "(3-е место из 8).",
        "Это на 20% меньше, чем в октябре (218).",
        "1\u00a0017 запросов с апреля 2023\u00a0года; 56,7% из них — с сентября по ноябрь.",
    ]


def test_russian_narrative_declines_months_and_names_years_across_a_new_year():
    counts = {**ARTICLE_COUNTS, m(2023, 12): 150, m(2024, 1): 120, m(2024, 2): 101}
    figures = report_figures(counts=counts, month=m(2024, 2), first_month=m(2023, 4))

    first = narrative(figures, "ru")[0]

    assert first == ("371 запрос с декабря 2023\u00a0года по февраль 2024\u00a0года — на 36% меньше, "
                     "чем 577 запросов с сентября по ноябрь 2023\u00a0года.")


def test_russian_narrative_for_one_month_and_few_requests():
    figures = report_figures(counts={m(2023, 4): 2, m(2023, 5): 3}, month=m(2023, 5), first_month=m(2023, 4), window=1)

    sentences = narrative(figures, "ru")

    assert sentences[0] == "3 запроса в мае — на 50% больше, чем 2 запроса в апреле."
    assert sentences[2] == "Май: 3 запроса — больше, чем в любом другом месяце (1-е место из 2)."
    assert sentences[3] == "Это на 50% больше, чем в апреле (2)."
    assert sentences[4] == "5 запросов с апреля 2023\u00a0года; 60,0% из них — в мае."


def test_russian_and_english_say_the_same_rounded_percentage_as_the_table():
    figures = article_figures()
    assert figures["window"]["change_pct"] == 89.2
    assert "89%" in narrative(figures, "en")[0]
    assert "89%" in narrative(figures, "ru")[0]


def test_a_russian_speaker_sees_the_russian_narrative_on_the_report_page(demo_programme, staff, client_for):
    call_command("monthly_report", "2023-11", "--programme", "desertion-help", "--inline", stdout=io.StringIO())

    page = client_for(staff).get("/reports/desertion-help/2023-11/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert "577 запросов с сентября по ноябрь — на 89% больше, чем 305 запросов с июня по август." in page


def test_the_language_switch_keeps_russian_for_the_rest_of_the_visit(demo_programme, staff, client_for):
    call_command("monthly_report", "2023-11", "--programme", "desertion-help", "--inline", stdout=io.StringIO())
    client = client_for(staff)

    switched = client.post("/i18n/setlang/", {"language": "ru", "next": "/reports/desertion-help/2023-11/"})
    page = client.get(switched["Location"]).content.decode()

    assert switched.status_code == 302
    assert '<html lang="ru">' in page
    assert "577 запросов с сентября по ноябрь" in page

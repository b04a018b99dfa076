"""The article-style sentences, in English and in Russian."""

import inspect
import io

import pytest
from django.core.management import call_command

from intake.months import add_months
from reports.figures import report_figures
from reports.narrative import _facts, key_figures, narrative, sentence_plan
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
        "Over 1,000 requests since April 2023 (1,017), more than half of them (57%) this autumn.",
    ]


def test_narrative_describes_a_decrease_with_a_whole_percentage():
    sentences = narrative(article_figures(window=1))
    assert sentences[0] == "175 requests in November, a 20% decrease on the 218 received in October."
    assert sentences[3] == "That is 20% fewer than in October (218)."
    assert sentences[4] == "Over 1,000 requests since April 2023 (1,017), more than a tenth of them (17%) in November."


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
        "August had the most requests since March 2023 (5); March, April and May had none.",
        "August: 5 requests, the most of any month (rank 1 of 6).",
        "That is 25% more than in July (4).",
        "12 requests since March 2023, all of them this summer.",
    ]


def test_narrative_lists_ties_and_says_as_many_as():
    counts = {m(2023, 4): 5, m(2023, 5): 9, m(2023, 6): 2, m(2023, 7): 9, m(2023, 8): 2}
    august = narrative(report_figures(counts=counts, month=m(2023, 8), first_month=m(2023, 4)))
    assert august[1] == (
        "May and July had the most requests since April 2023 (9 each); June and August the fewest (2 each)."
    )
    assert august[2] == "August: 2 requests, as many as June and fewer than any other month (shared rank 4 of 5)."

    july = narrative(report_figures(counts=counts, month=m(2023, 7), first_month=m(2023, 4)))
    assert july[2] == "July: 9 requests, as many as May and more than any other month (shared rank 1 of 4)."


def test_narrative_counts_rather_than_lists_many_higher_months():
    counts = {m(2023, i): 10 + i for i in range(4, 10)}
    counts[m(2023, 10)] = 1
    counts[m(2023, 11)] = 3
    figures = report_figures(counts=counts, month=m(2023, 11), first_month=m(2023, 4))
    assert narrative(figures)[2] == (
        "November: 3 requests, fewer than 6 months but more than October (rank 7 of 8)."
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
        "165 requests since April 2023, more than a third of them (35%) this winter.",
    ]


def test_narrative_says_when_the_month_before_had_none():
    counts = {m(2023, 10): 0, m(2023, 11): 4}
    figures = report_figures(counts=counts, month=m(2023, 11), first_month=m(2023, 10), window=1)
    assert narrative(figures)[3] == "There were none in October."
    assert narrative(figures, "ru")[3] == "В октябре запросов не было."


def test_narrative_uses_the_singular_for_one_request():
    figures = report_figures(counts={m(2023, 4): 1}, month=m(2023, 4), first_month=m(2023, 4))
    assert narrative(figures) == ["1 request in April 2023, the first month on record."]


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
    assert narrative(figures) == ["No requests since April 2023."]


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
        "Более 1\u00a0000 запросов с апреля 2023\u00a0года (1\u00a0017), больше половины из них (57%) — этой осенью.",
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
    assert sentences[4] == "5 запросов с апреля 2023\u00a0года, больше половины из них (60%) — в мае."


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


# --- any history: a table of hand-made series, in both languages ----------------


def series(first, counts: list[int]) -> dict:
    """The figures of the report for the last of `counts`, one count a month from `first`."""
    months = {add_months(first, i): n for i, n in enumerate(counts)}
    return report_figures(counts=months, month=add_months(first, len(counts) - 1), first_month=first)


def sixty_months() -> list[int]:
    """November 2021 to October 2026: 10 a month, but 50 in October 2025, 1 in February 2022
    and 40 in the report month."""
    special = {m(2025, 10): 50, m(2022, 2): 1, m(2026, 10): 40}
    return [special.get(add_months(m(2021, 11), i), 10) for i in range(60)]


ARTICLE_THEN_EMPTY = [61, 74, 54, 118, 133, 184, 218, 175] + [0] * 33

HISTORIES = {
    "the article": (m(2023, 4), [61, 74, 54, 118, 133, 184, 218, 175], [
        "577 requests between September and November, an 89% increase on the 305 received between June and August.",
        "October had the most requests since April 2023 (218); June the fewest (54).",
        "November: 175 requests, fewer than September and October but more than any other month (rank 3 of 8).",
        "That is 20% fewer than in October (218).",
        "Over 1,000 requests since April 2023 (1,017), more than half of them (57%) this autumn.",
    ], [
        "577 запросов с сентября по ноябрь — на 89% больше, чем 305 запросов с июня по август.",
        "Больше всего запросов с апреля 2023\u00a0года — в октябре (218), меньше всего — в июне (54).",
        "Ноябрь: 175 запросов — меньше, чем в сентябре и октябре, но больше, чем в любом другом месяце "
        "(3-е место из 8).",
        "Это на 20% меньше, чем в октябре (218).",
        "Более 1\u00a0000 запросов с апреля 2023\u00a0года (1\u00a0017), больше половины из них (57%) — этой осенью.",
    ]),
    "a single month": (m(2023, 4), [12], [
        "12 requests in April 2023, the first month on record.",
    ], [
        "12 запросов в апреле 2023\u00a0года, первом месяце наблюдений.",
    ]),
    "a single month without requests": (m(2023, 4), [0], [
        "No requests in April 2023, the first month on record.",
    ], [
        "В апреле 2023\u00a0года, первом месяце наблюдений, запросов не было.",
    ]),
    "all zeros": (m(2023, 4), [0, 0, 0], [
        "No requests since April 2023.",
    ], [
        "С апреля 2023\u00a0года запросов не было.",
    ]),
    "ties at the top": (m(2023, 1), [5, 9, 3, 9, 9, 7], [
        "25 requests between April and June, a 47% increase on the 17 received between January and March.",
        "February, April and May had the most requests since January 2023 (9 each); March the fewest (3).",
        "June: 7 requests, fewer than February, April and May but more than any other month (rank 4 of 6).",
        "That is 22% fewer than in May (9).",
        "42 requests since January 2023, more than half of them (60%) between April and June.",
    ], [
        "25 запросов с апреля по июнь — на 47% больше, чем 17 запросов с января по март.",
        "Больше всего запросов с января 2023\u00a0года — в феврале, апреле и мае (по 9), меньше всего — в марте (3).",
        "Июнь: 7 запросов — меньше, чем в феврале, апреле и мае, но больше, чем в любом другом месяце "
        "(4-е место из 6).",
        "Это на 22% меньше, чем в мае (9).",
        "42 запроса с января 2023\u00a0года, больше половины из них (60%) — с апреля по июнь.",
    ]),
    "the report month tied at the top with many": (m(2022, 1), [4, 8, 8, 2, 8, 8, 1, 8], [
        "17 requests between June and August, a 6% decrease on the 18 received between March and May.",
        "5 months had the most requests since January 2022 (8 each); July the fewest (1).",
        "August: 8 requests, as many as 4 other months and more than January, April and July "
        "(shared rank 1 of 8).",
        "That is 700% more than in July (1).",
        "47 requests since January 2022, more than a third of them (36%) this summer.",
    ], [
        "17 запросов с июня по август — на 6% меньше, чем 18 запросов с марта по май.",
        "Больше всего запросов с января 2022\u00a0года — в 5 месяцах (по 8), меньше всего — в июле (1).",
        "Август: 8 запросов — столько же, сколько в 4 других месяцах, и больше, чем в январе, апреле и июле "
        "(делит 1-е место из 8).",
        "Это на 700% больше, чем в июле (1).",
        "47 запросов с января 2022\u00a0года, больше трети из них (36%) — этим летом.",
    ]),
    "ties at the bottom": (m(2023, 1), [0, 6, 0, 0, 3, 0, 2], [
        "5 requests between May and July, a 17% decrease on the 6 received between February and April.",
        "February had the most requests since January 2023 (6); 4 months had no requests.",
        "July: 2 requests, fewer than February and May but more than any other month (rank 3 of 7).",
        "There were none in June.",
        "11 requests since January 2023, almost half of them (46%) between May and July.",
    ], [
        "5 запросов с мая по июль — на 17% меньше, чем 6 запросов с февраля по апрель.",
        "Больше всего запросов с января 2023\u00a0года — в феврале (6), а в 4 месяцах запросов не было.",
        "Июль: 2 запроса — меньше, чем в феврале и мае, но больше, чем в любом другом месяце (3-е место из 7).",
        "В июне запросов не было.",
        "11 запросов с января 2023\u00a0года, почти половина из них (46%) — с мая по июль.",
    ]),
    "the report month among many empty months": (m(2023, 4), ARTICLE_THEN_EMPTY, [
        "No requests between June and August 2026, nor between March and May 2026.",
        "October 2023 had the most requests since April 2023 (218); 33 months had no requests.",
        "August 2026: 0 requests, as many as 32 other months and fewer than the other 8 (shared rank 9 of 41).",
        "That is as many as in July 2026.",
        "Over 1,000 requests since April 2023 (1,017), none of them this summer.",
    ], [
        "С июня по август 2026\u00a0года запросов не было, как и с марта по май 2026\u00a0года.",
        "Больше всего запросов с апреля 2023\u00a0года — в октябре 2023\u00a0года (218), а в 33 месяцах "
        "запросов не было.",
        "Август 2026\u00a0года: 0 запросов — столько же, сколько в 32 других месяцах, и меньше, чем в остальных 8 "
        "(делит 9-е место из 41).",
        "Это столько же, сколько в июле 2026\u00a0года.",
        "Более 1\u00a0000 запросов с апреля 2023\u00a0года (1\u00a0017); этим летом запросов не было.",
    ]),
    "43 months, 33 of them empty": (m(2023, 4), ARTICLE_THEN_EMPTY + [45, 40], [
        "85 requests between August and October 2026, compared with none between May and July 2026.",
        "October 2023 had the most requests since April 2023 (218); 33 months had no requests.",
        "October 2026: 40 requests, fewer than 9 months but more than the other 33 (rank 10 of 43).",
        "That is 11% fewer than in September 2026 (45).",
        "Over 1,100 requests since April 2023 (1,102), less than a tenth of them (8%) between August and "
        "October 2026.",
    ], [
        "85 запросов с августа по октябрь 2026\u00a0года; с мая по июль 2026\u00a0года запросов не было.",
        "Больше всего запросов с апреля 2023\u00a0года — в октябре 2023\u00a0года (218), а в 33 месяцах "
        "запросов не было.",
        "Октябрь 2026\u00a0года: 40 запросов — меньше, чем в 9 месяцах, но больше, чем в остальных 33 "
        "(10-е место из 43).",
        "Это на 11% меньше, чем в сентябре 2026\u00a0года (45).",
        "Более 1\u00a0100 запросов с апреля 2023\u00a0года (1\u00a0102), меньше десятой части из них (8%) — "
        "с августа по октябрь 2026\u00a0года.",
    ]),
    "60 months": (m(2021, 11), sixty_months(), [
        "60 requests between August and October 2026, a 100% increase on the 30 received between May and "
        "July 2026.",
        "October 2025 had the most requests since November 2021 (50); February 2022 the fewest (1).",
        "October 2026: 40 requests, fewer than October 2025 but more than any other month (rank 2 of 60).",
        "That is 300% more than in September 2026 (10).",
        "661 requests since November 2021, almost a tenth of them (9%) between August and October 2026.",
    ], [
        "60 запросов с августа по октябрь 2026\u00a0года — на 100% больше, чем 30 запросов с мая по июль "
        "2026\u00a0года.",
        "Больше всего запросов с ноября 2021\u00a0года — в октябре 2025\u00a0года (50), меньше всего — "
        "в феврале 2022\u00a0года (1).",
        "Октябрь 2026\u00a0года: 40 запросов — меньше, чем в октябре 2025\u00a0года, но больше, чем в любом "
        "другом месяце (2-е место из 60).",
        "Это на 300% больше, чем в сентябре 2026\u00a0года (10).",
        "661 запрос с ноября 2021\u00a0года, почти десятая часть из них (9%) — с августа по октябрь 2026\u00a0года.",
    ]),
    "a gap of years": (m(2019, 1), [3, 2] + [0] * 49 + [5, 8, 6], [
        "19 requests between April and June 2023, compared with none between January and March 2023.",
        "May 2023 had the most requests since January 2019 (8); 49 months had no requests.",
        "June 2023: 6 requests, fewer than May 2023 but more than any other month (rank 2 of 54).",
        "That is 25% fewer than in May 2023 (8).",
        "24 requests since January 2019, more than three quarters of them (79%) between April and June 2023.",
    ], [
        "19 запросов с апреля по июнь 2023\u00a0года; с января по март 2023\u00a0года запросов не было.",
        "Больше всего запросов с января 2019\u00a0года — в мае 2023\u00a0года (8), а в 49 месяцах запросов не было.",
        "Июнь 2023\u00a0года: 6 запросов — меньше, чем в мае 2023\u00a0года, но больше, чем в любом другом месяце "
        "(2-е место из 54).",
        "Это на 25% меньше, чем в мае 2023\u00a0года (8).",
        "24 запроса с января 2019\u00a0года, больше трёх четвертей из них (79%) — с апреля по июнь 2023\u00a0года.",
    ]),
}


@pytest.mark.parametrize("history", HISTORIES)
@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_sentences_of_any_history_are_correct_and_short(history, language):
    first, counts, english, russian = HISTORIES[history]

    sentences = narrative(series(first, counts), language)

    assert sentences == (english if language == "en" else russian)


@pytest.mark.parametrize("history", HISTORIES)
def test_no_sentence_lists_more_than_three_months_or_claims_a_false_most(history):
    first, counts, _, _ = HISTORIES[history]
    figures = series(first, counts)

    for sentence in narrative(figures):
        assert sentence.count(",") <= 4, sentence
        if "more than any other month" in sentence:
            others = [row["requests"] for row in figures["series"] if row["month"] != figures["month"]]
            below = [n for n in others if n < figures["requests"]["this_month"]]
            assert below and len(below) < len(others)


# --- the key figures: the same words and the same precision as the sentences --------


def shown(cards) -> list[str]:
    return [f"{card.value} {card.caption}" for card in cards]


def test_the_key_figures_of_the_article_in_plain_words_and_whole_percentages():
    english, russian = key_figures(article_figures(), "en"), key_figures(article_figures(), "ru")

    assert shown(english) == [
        "577 requests between September and November 2023",
        "305 requests between June and August 2023",
        "89% more than in the previous 3 months",
        "1,017 requests since April 2023",
        "October 2023 the most requests (218)",
        "June 2023 the fewest requests (54)",
        "175 requests in November 2023, rank 3 of 8",
        "57% of all requests since April 2023 came between September and November 2023",
    ]
    assert [card.exact for card in english] == [None, None, "89.2%", None, None, None, None, "56.7%"]
    assert shown(russian) == [
        "577 запросов с сентября по ноябрь 2023\u00a0года",
        "305 запросов с июня по август 2023\u00a0года",
        "89% больше, чем за предыдущие 3 месяца",
        "1\u00a0017 запросов с апреля 2023\u00a0года",
        "Октябрь 2023 больше всего запросов (218)",
        "Июнь 2023 меньше всего запросов (54)",
        "175 запросов в ноябре 2023\u00a0года, 3-е место из 8",
        "57% всех запросов с апреля 2023\u00a0года — с сентября по ноябрь 2023\u00a0года",
    ]
    assert [card.exact for card in russian][2] == "89,2%"


@pytest.mark.parametrize(("language", "expected"), [
    ("en", [
        "85 requests between August and October 2026",
        "0 requests between May and July 2026",
        "— none in the previous 3 months to compare with",
        "1,102 requests since April 2023",
        "October 2023 the most requests (218)",
        "33 months with no requests",
        "40 requests in October 2026, rank 10 of 43",
        "8% of all requests since April 2023 came between August and October 2026",
    ]),
    ("ru", [
        "85 запросов с августа по октябрь 2026\u00a0года",
        "0 запросов с мая по июль 2026\u00a0года",
        "— за предыдущие 3 месяца запросов не было",
        "1\u00a0102 запроса с апреля 2023\u00a0года",
        "Октябрь 2023 больше всего запросов (218)",
        "33 месяца без запросов",
        "40 запросов в октябре 2026\u00a0года, 10-е место из 43",
        "8% всех запросов с апреля 2023\u00a0года — с августа по октябрь 2026\u00a0года",
    ]),
])
def test_the_key_figures_count_long_lists_of_tied_months(language, expected):
    first, counts, _, _ = HISTORIES["43 months, 33 of them empty"]

    assert shown(key_figures(series(first, counts), language)) == expected


def test_the_key_figures_of_a_tie_at_the_top_and_a_shared_rank():
    first, counts, _, _ = HISTORIES["the report month tied at the top with many"]

    cards = shown(key_figures(series(first, counts), "en"))

    assert cards[2] == "6% fewer than in the previous 3 months"
    assert cards[4] == "5 months the most requests (8 each)"
    assert cards[6] == "8 requests in August 2022, shared rank 1 of 8"
    assert shown(key_figures(series(first, counts), "ru"))[4] == "5 месяцев больше всего запросов (по 8)"


@pytest.mark.parametrize("history", HISTORIES)
@pytest.mark.parametrize("language", ["en", "ru"])
def test_every_history_has_eight_key_figures_in_words(history, language):
    first, counts, _, _ = HISTORIES[history]

    cards = key_figures(series(first, counts), language)

    assert len(cards) == 8
    for card in cards:
        assert card.value and card.caption and "None" not in card.caption + card.value
        assert "window" not in card.caption and "2023-" not in card.value


def test_the_key_figures_of_a_record_too_short_to_compare():
    figures = report_figures(counts={m(2023, 4): 61, m(2023, 5): 74}, month=m(2023, 5), first_month=m(2023, 4))

    cards = shown(key_figures(figures, "en"))

    assert cards[:3] == [
        "135 requests between April and May 2023",
        "— no previous 3 months on record",
        "— no previous 3 months to compare with",
    ]
    assert shown(key_figures(figures, "ru"))[1] == "— предыдущих 3 месяцев нет в данных"

"""Every output of a report (page, JSON, CSV, print view, chart, sentences) is rendered
from published_document(report, profile): internal by default, partner or public on
asking (?profile=), and those only for accepted months. A count of a published
document is an int, "<10" or "[c]"; every output must show each of them honestly."""

import csv
import datetime as dt
import io
import json
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from intake.models import AuditEvent
from reports.audit_actions import ReportAction
from reports.disclosure import SUPPRESSED, WITHHELD
from reports.models import Report
from reports.narrative import key_figures, narrative
from reports.outputs import chart, to_csv
from reports.services import report_generate, report_request
from reports.views import report_outputs
from tests.conftest import add_requests, make_user, table_rows, text_of
from tests.reports.accepting import accept_month

from .test_figures import m
from .test_narrative import HISTORIES, series

NOVEMBER = dt.date(2023, 11, 1)
URL = "/reports/desertion-help/2023-11/v1"
SMALL_URL = "/reports/help/2023-11/v1"
# A small programme: every count of its November report's months, from April 2023.
SMALL_SERIES = {4: 12, 5: 3, 6: 0, 7: 25, 8: 40, 9: 7, 10: 61, 11: 8}


@pytest.fixture
def people(db, this_month):
    return {"staff": make_user("staff-a", "Staff"), "auditor": make_user("auditor-a", "Auditor")}


@pytest.fixture
def accepted_november(november_report, people):
    accept_month(november_report.programme, NOVEMBER, **people)
    return november_report


@pytest.fixture
def small_report(programme, people):
    """The small programme's November 2023 report, accepted: months of 1 to 9 requests."""
    for month, count in SMALL_SERIES.items():
        add_requests(count, programme=programme, month=dt.date(2023, month, 1), category="desertion")
    report = report_request(programme=programme, month=NOVEMBER, send=False)
    report_generate(report_id=report.pk)
    report.refresh_from_db()
    assert report.state == Report.State.READY, report.failure
    accept_month(programme, NOVEMBER, **people)
    return report


def csv_rows(text: str) -> dict[tuple[str, str], list[str]]:
    return {(row[4], row[2]): row for row in list(csv.reader(io.StringIO(text)))[1:]}


# --- the exports and the print view, by profile ---------------------------------------


def test_the_json_export_says_which_profile_it_carries_internal_by_default(november_report, people, client_for):
    document = json.loads(client_for(people["staff"]).get(f"{URL}.json").content)

    assert list(document)[:4] == ["scope", "month", "version", "profile"]
    assert document["profile"] == "internal"
    assert document["window"]["current"]["requests"] == 577


@pytest.mark.parametrize("profile", ["partner", "public"])
def test_the_public_exports_of_an_accepted_month_are_the_rounded_figures(accepted_november, people, client_for,
                                                                         profile):
    client = client_for(people["auditor"])

    document = json.loads(client.get(f"{URL}.json?profile={profile}").content)
    response = client.get(f"{URL}.csv?profile={profile}")
    rows = csv_rows(response.content.decode())

    assert document["profile"] == profile
    assert (document["window"]["current"]["requests"], document["window"]["previous"]["requests"],
            document["window"]["change_pct"], document["since_start"]["requests"]) == (575, 305, 89, 1015)
    assert rows[("profile", "2023-11")][3] == profile
    assert rows[("window.current.requests", "2023-09/2023-11")][3] == "575"
    assert rows[("since_start.requests", "2023-04/2023-11")][3] == "1015"
    assert f'filename="report-desertion-help-2023-11-v1-{profile}.csv"' in response["Content-Disposition"]
    assert f"-v1-{profile}.json" in client.get(f"{URL}.json?profile={profile}")["Content-Disposition"]


def test_the_internal_csv_names_its_profile_but_keeps_its_file_name(november_report, people, client_for):
    response = client_for(people["staff"]).get(f"{URL}.csv")

    assert csv_rows(response.content.decode())[("profile", "2023-11")][3] == "internal"
    assert 'filename="report-desertion-help-2023-11-v1.csv"' in response["Content-Disposition"]


def test_suppressed_counts_are_less_than_ten_in_the_json_and_csv(small_report, people, client_for):
    client = client_for(people["staff"])

    document = json.loads(client.get(f"{SMALL_URL}.json?profile=public").content)
    rows = csv_rows(client.get(f"{SMALL_URL}.csv?profile=public").content.decode())

    assert document["requests"]["this_month"] == SUPPRESSED == "<10"
    assert document["requests"]["change_pct"] is None
    assert [row["requests"] for row in document["series"]] == [10, "<10", 0, 25, 40, "<10", 60, "<10"]
    assert rows[("requests.this_month", "2023-11")][3] == "<10"
    assert rows[("requests.change_pct", "2023-11")][3] == ""
    assert rows[("series", "2023-05")][3] == "<10"
    counts = [row[3] for (key, _), row in rows.items()
              if key.split(".")[0] in ("requests", "window", "since_start", "series", "by_category",
                                       "by_status_end_of_month", "outcomes_closed_in_month")
              and key not in ("window.length", "since_start.months", "since_start.rank_of_month")]
    assert not {str(n) for n in range(1, 10)} & set(counts)


@pytest.mark.parametrize("kind", [".json", ".csv", "/print/", "/"])
def test_an_unknown_profile_is_a_bad_request_that_names_the_profiles(november_report, people, client_for, kind):
    response = client_for(people["staff"]).get(f"{URL}{kind}?profile=press")

    assert response.status_code == 400
    said = response.content.decode()
    assert "press" in said and all(name in said for name in ("internal", "partner", "public"))


@pytest.mark.parametrize("kind", [".csv", "/print/", "/"])
def test_public_figures_of_a_month_not_accepted_are_refused_with_a_link_to_its_review(november_report, people,
                                                                                      client_for, kind):
    response = client_for(people["staff"]).get(f"{URL}{kind}?profile=public")

    assert response.status_code == 409
    page = text_of(response)
    assert "is not accepted yet" in page
    assert 'href="/review/desertion-help/2023-11/"' in response.content.decode()
    assert "575" not in page and "577" not in page


def test_the_json_export_of_a_month_not_accepted_is_a_json_error(november_report, people, client_for):
    response = client_for(people["staff"]).get(f"{URL}.json?profile=partner")

    assert response.status_code == 409
    body = json.loads(response.content)
    assert "is not accepted yet" in body["error"]
    assert body["review"] == "/review/desertion-help/2023-11/"
    assert "window" not in body


def test_export_events_note_the_profile(accepted_november, people, client_for):
    client = client_for(people["staff"])
    client.get(f"{URL}.json")
    client.get(f"{URL}.csv?profile=public")
    client.get(f"{URL}/print/?profile=partner")

    events = list(AuditEvent.objects.filter(action=ReportAction.REPORT_EXPORTED).order_by("pk")
                  .values_list("subject", flat=True))
    assert events == ["desertion-help 2023-11 v1 json internal", "desertion-help 2023-11 v1 csv public",
                      "desertion-help 2023-11 v1 print partner"]


def test_the_print_view_and_the_page_show_the_public_figures_in_words(small_report, people, client_for):
    client = client_for(people["staff"])

    printed = text_of(client.get(f"{SMALL_URL}/print/?profile=public"))
    page = text_of(client.get(f"{SMALL_URL}/?profile=public"))

    for text in (printed, page):
        assert "Public figures" in text
        assert "fewer than 10 requests in November" in text
        assert "November 2023 fewer than 10" in text  # the table of months
        assert "A withheld number of requests between September and November, against about 65 between June" in text
        assert "None" not in text
    # The internal page of the same report keeps the exact counts.
    internal = text_of(client.get(f"{SMALL_URL}/"))
    assert "November 2023 8" in internal and "76 requests between September and November" in internal


def test_the_report_page_offers_every_profile_to_preview(november_report, people, client_for):
    page = client_for(people["staff"]).get(f"{URL}/").content.decode()

    for profile in ("partner", "public"):
        assert f'href="{URL}/?profile={profile}"' in page
    assert f'href="{URL}.csv"' in page


def test_the_public_page_links_its_exports_in_the_same_profile(accepted_november, people, client_for):
    page = client_for(people["staff"]).get(f"{URL}/?profile=public").content.decode()

    assert f'href="{URL}.json?profile=public"' in page
    assert f'href="{URL}.csv?profile=public"' in page
    assert f'href="{URL}/print/?profile=public"' in page


# --- the chart ------------------------------------------------------------------------


def published(document: dict, **cells) -> dict:
    """A copy of a document with some values replaced, as a published document: "series.2023-05"
    a month of the series, "a.b" a nested key."""
    out = json.loads(json.dumps(document))
    out = {**{k: v for k, v in out.items() if k in ("scope", "month", "version")}, "profile": "public",
           **{k: v for k, v in out.items() if k not in ("scope", "month", "version")}}
    for name, value in cells.items():
        if name.startswith("series."):
            next(row for row in out["series"] if row["month"] == name[7:])["requests"] = value
            continue
        *path, last = name.split(".")
        where = out
        for key in path:
            where = where[key]
        where[last] = value
    return out


def test_the_chart_draws_a_suppressed_bar_hatched_and_a_withheld_bar_outlined(november_report):
    document = published(november_report.document, **{"series.2023-05": SUPPRESSED, "series.2023-06": WITHHELD})

    bars = {bar.month: bar for bar in chart(document).bars}

    assert bars["2023-05"].kind == "suppressed" and bars["2023-05"].label == "<10"
    assert bars["2023-06"].kind == "withheld" and bars["2023-06"].label == "[c]"
    assert bars["2023-04"].kind == "count" and bars["2023-04"].label == "61"
    assert 0 < bars["2023-05"].height < bars["2023-04"].height
    assert bars["2023-06"].height > 0


def test_the_page_chart_uses_an_svg_pattern_for_suppressed_bars_and_no_inline_style(small_report, people,
                                                                                     client_for):
    page = client_for(people["staff"]).get(f"{SMALL_URL}/?profile=public").content.decode()
    svg = re.search(r"<svg.*?</svg>", page, re.S)[0]

    assert "<pattern" in svg and 'id="chart-hatch"' in svg
    assert svg.count("chart-bar-suppressed") == 3
    assert re.search(r'<text[^>]*class="chart-value[^"]*"[^>]*>&lt;10</text>', svg)
    assert "style=" not in svg


# --- the page's words, from constructed documents (any value a document may hold) ------


def rendered(document: dict, language: str) -> str:
    request = RequestFactory().get("/")
    with translation.override(language):
        html = render_to_string("reports/report_body.html", report_outputs(document, language), request=request)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.parametrize(("language", "suppressed", "withheld", "why"), [
    ("en", "fewer than 10", "withheld", "Withheld"),
    ("ru", "менее 10", "скрыто", "Скрыто"),
])
def test_the_page_says_suppressed_and_withheld_figures_in_words_with_a_footnote(november_report, language,
                                                                               suppressed, withheld, why):
    document = published(november_report.document, **{
        "by_category.desertion": WITHHELD, "by_category.legal": SUPPRESSED,
        "by_status_end_of_month.open": WITHHELD, "series.2023-05": SUPPRESSED,
    })

    text = rendered(document, language)

    assert suppressed in text and withheld in text
    assert f"{why}:" in text  # the footnote explains why
    assert "None" not in text


def test_the_csv_of_any_published_document_keeps_the_markers(november_report):
    document = published(november_report.document, **{"window.current.requests": WITHHELD,
                                                       "requests.this_month": SUPPRESSED})
    with translation.override("en"):
        rows = csv_rows(to_csv(document))

    assert rows[("window.current.requests", "2023-09/2023-11")][3] == "[c]"
    assert rows[("requests.this_month", "2023-11")][3] == "<10"
    assert rows[("profile", "2023-11")][1:4] == ["Profile", "2023-11", "public"]


# --- the sentences and key figures of published documents, in both languages ----------


def public_figures(first: dt.date, counts: list[int], **cells) -> dict:
    """A public document of the report for the last of `counts` (rules 1 to 3: "<10", counts
    rounded to 5, whole percentages from the exact counts, highest, lowest and rank left
    out where they would point at a suppressed month), then `cells` replaced."""
    figures = series(first, counts)

    def count(n):
        return SUPPRESSED if 1 <= n <= 9 else n - n % 5 + (5 if n % 5 >= 3 else 0)

    def pct(value):
        return None if value is None else int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    out = json.loads(json.dumps(figures))
    out["profile"] = "public"
    hidden = any(1 <= row["requests"] <= 9 for row in figures["series"])
    requests, window, since = out["requests"], out["window"], out["since_start"]
    requests["this_month"] = count(requests["this_month"])
    if requests["previous_month"] is not None:
        requests["previous_month"] = count(requests["previous_month"])
    for name in ("current", "previous"):
        if window[name]:
            window[name]["requests"] = count(window[name]["requests"])
    since["requests"] = count(since["requests"])
    for key, part in (("change_pct", requests), ("change_pct", window)):
        part[key] = None if any(v == SUPPRESSED for v in (part.get("this_month"), part.get("previous_month"))) or (
            part is window and (window["previous"] is None or SUPPRESSED in (
                window["current"]["requests"], window["previous"]["requests"]))) else pct(part[key])
    since["current_window_share_pct"] = None if SUPPRESSED in (since["requests"], window["current"]["requests"]) \
        else pct(since["current_window_share_pct"])
    out["series"] = [{"month": row["month"], "requests": count(row["requests"])} for row in out["series"]]
    top = [{"month": row["month"], "requests": count(row["requests"])} for row in since["highest"]]
    since["highest"] = None if any(row["requests"] == SUPPRESSED for row in top) else top
    if hidden:
        since["lowest"] = since["rank_of_month"] = None
    else:
        since["lowest"] = [{"month": row["month"], "requests": count(row["requests"])} for row in since["lowest"]]
    return published(out, **cells)


PUBLIC_HISTORIES = {
    "the article": (m(2023, 4), [61, 74, 54, 118, 133, 184, 218, 175], {}, [
        "About 575 requests between September and November, an 89% increase on about 305 received between June "
        "and August.",
        "October had the most requests since April 2023 (about 220); June the fewest (about 55).",
        "November: about 175 requests (rank 3 of 8).",
        "That is 20% fewer than in October (about 220).",
        "Over 1,000 requests since April 2023 (about 1,015), more than half of them (57%) this autumn.",
    ], [
        "Около 575 запросов с сентября по ноябрь — на 89% больше, чем около 305 запросов с июня по август.",
        "Больше всего запросов с апреля 2023\u00a0года — в октябре (около 220), меньше всего — в июне (около 55).",
        "Ноябрь: около 175 запросов (3-е место из 8).",
        "Это на 20% меньше, чем в октябре (около 220).",
        "Более 1\u00a0000 запросов с апреля 2023\u00a0года (около 1\u00a0015), больше половины из них (57%) — "
        "этой осенью.",
    ]),
    "a small programme": (m(2023, 4), list(SMALL_SERIES.values()), {}, [
        "About 75 requests between September and November, a 17% increase on about 65 received between June "
        "and August.",
        "October had the most requests since April 2023 (about 60).",
        "November: fewer than 10 requests.",
        "There were about 60 in October.",
        "About 155 requests since April 2023, almost half of them (49%) this autumn.",
    ], [
        "Около 75 запросов с сентября по ноябрь — на 17% больше, чем около 65 запросов с июня по август.",
        "Больше всего запросов с апреля 2023\u00a0года — в октябре (около 60).",
        "Ноябрь: менее 10 запросов.",
        "В октябре — около 60 запросов.",
        "Около 155 запросов с апреля 2023\u00a0года, почти половина из них (49%) — этой осенью.",
    ]),
    "a withheld window and total": (
        m(2023, 4), [61, 74, 54, 118, 133, 184, 218, 175],
        {"window.current.requests": WITHHELD, "window.change_pct": None, "since_start.requests": WITHHELD,
         "since_start.current_window_share_pct": None}, [
            "A withheld number of requests between September and November, against about 305 between June and "
            "August.",
            "October had the most requests since April 2023 (about 220); June the fewest (about 55).",
            "November: about 175 requests (rank 3 of 8).",
            "That is 20% fewer than in October (about 220).",
            "The number of requests since April 2023 is withheld.",
        ], [
            "Скрытое число запросов с сентября по ноябрь; с июня по август — около 305.",
            "Больше всего запросов с апреля 2023\u00a0года — в октябре (около 220), меньше всего — в июне "
            "(около 55).",
            "Ноябрь: около 175 запросов (3-е место из 8).",
            "Это на 20% меньше, чем в октябре (около 220).",
            "Число запросов с апреля 2023\u00a0года скрыто.",
        ]),
    "a suppressed window before": (m(2023, 1), [3, 2, 4, 30, 25, 20], {}, [
        "About 75 requests between April and June, against fewer than 10 between January and March.",
        "April had the most requests since January 2023 (about 30).",
        "June: about 20 requests.",
        "That is 20% fewer than in May (about 25).",
        "About 85 requests since January 2023, almost nine tenths of them (89%) between April and June.",
    ], [
        "Около 75 запросов с апреля по июнь; с января по март — менее 10.",
        "Больше всего запросов с января 2023\u00a0года — в апреле (около 30).",
        "Июнь: около 20 запросов.",
        "Это на 20% меньше, чем в мае (около 25).",
        "Около 85 запросов с января 2023\u00a0года, почти девять десятых из них (89%) — с апреля по июнь.",
    ]),
    "a single small month": (m(2023, 4), [4], {}, [
        "Fewer than 10 requests in April 2023, the first month on record.",
    ], [
        "Менее 10 запросов в апреле 2023\u00a0года, первом месяце наблюдений.",
    ]),
    "a withheld month before": (
        m(2023, 4), [61, 74, 54, 118, 133, 184, 218, 175],
        {"requests.previous_month": WITHHELD, "requests.change_pct": None, "series.2023-10": WITHHELD,
         "since_start.highest": None, "since_start.lowest": None, "since_start.rank_of_month": None}, [
            "About 575 requests between September and November, an 89% increase on about 305 received between "
            "June and August.",
            "November: about 175 requests.",
            "The number of requests in October is withheld.",
            "Over 1,000 requests since April 2023 (about 1,015), more than half of them (57%) this autumn.",
        ], [
            "Около 575 запросов с сентября по ноябрь — на 89% больше, чем около 305 запросов с июня по август.",
            "Ноябрь: около 175 запросов.",
            "Число запросов в октябре скрыто.",
            "Более 1\u00a0000 запросов с апреля 2023\u00a0года (около 1\u00a0015), больше половины из них (57%) — "
            "этой осенью.",
        ]),
}


@pytest.mark.parametrize("history", PUBLIC_HISTORIES)
@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_sentences_of_published_histories_use_the_published_values(history, language):
    first, counts, cells, english, russian = PUBLIC_HISTORIES[history]

    sentences = narrative(public_figures(first, counts, **cells), language)

    assert sentences == (english if language == "en" else russian)


@pytest.mark.parametrize("history", PUBLIC_HISTORIES)
@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_key_figures_of_published_histories_say_hidden_values_in_words(history, language):
    first, counts, cells, _, _ = PUBLIC_HISTORIES[history]

    cards = key_figures(public_figures(first, counts, **cells), language)

    assert len(cards) == 8
    for card in cards:
        said = card.value + " " + card.caption
        assert card.value and card.caption and "None" not in said
        assert SUPPRESSED not in said and WITHHELD not in said
        assert card.exact is None  # a published percentage is already whole


def test_the_key_figures_of_the_small_programme():
    cards = [f"{card.value} {card.caption}" for card in key_figures(
        public_figures(m(2023, 4), list(SMALL_SERIES.values())), "en")]

    assert cards[0] == "75 requests between September and November 2023"
    assert cards[5].startswith("— ")
    assert cards[6] == "fewer than 10 requests in November 2023"
    ru = [f"{card.value} {card.caption}" for card in key_figures(
        public_figures(m(2023, 4), list(SMALL_SERIES.values())), "ru")]
    assert ru[6] == "менее 10 запросов в ноябре 2023\u00a0года"


# --- internal and public figures side by side, on the month's review page -------------


def test_auditors_see_the_internal_and_public_figures_side_by_side_marking_those_that_differ(small_report, people,
                                                                                           client_for):
    response = client_for(people["auditor"]).get("/review/help/2023-11/")

    rows = table_rows(response, "data-side-by-side")
    assert ["Requests", "November 2023", "8", "fewer than 10", "differs"] in rows
    # September and November are fewer than 10, so the window of both is withheld (rule 4a).
    assert ["Requests in the recent months", "September–November 2023", "76", "withheld", "differs"] in rows
    assert ["Requests in the months before", "June–August 2023", "65", "65", ""] in rows
    assert ["Lowest month", "June 2023", "0", "not stated", "differs"] in rows
    assert ["Months", "April–November 2023", "8", "8", ""] in rows
    assert ["Season of the recent months", "September–November 2023", "autumn", "autumn", ""] in rows
    in_russian = table_rows(client_for(people["auditor"]).get("/review/help/2023-11/", HTTP_ACCEPT_LANGUAGE="ru"),
                            "data-side-by-side")
    assert ["Запросы", "Ноябрь 2023", "8", "менее 10", "отличается"] in in_russian
    assert "осень" in [row[2] for row in in_russian]
    assert ["Mobilisation", "November 2023", "0", "0", ""] in [[r[0].split(" (")[0], *r[1:]] for r in rows]
    assert len([row for row in rows if row[0] == "Requests"]) == 1 + 1 + 8  # the month, since the start, the series


def test_before_acceptance_the_side_by_side_view_previews_the_public_figures_and_says_they_are_not_published(
        november_report, people, client_for):
    response = client_for(people["auditor"]).get("/review/desertion-help/2023-11/")

    page = text_of(response)
    assert "Not published yet: the public figures as they would be published if this version is accepted." in page
    rows = table_rows(response, "data-side-by-side")
    assert ["Requests in the recent months", "September–November 2023", "577", "575", "differs"] in rows
    # Outside the organisation nothing of the month is published still.
    assert client_for(people["auditor"]).get(
        "/reports/desertion-help/2023-11/v1.json?profile=public").status_code == 409


# --- checking an export made in a profile --------------------------------------------


def test_a_public_export_checks_against_the_stored_version_as_published(accepted_november, people, client_for):
    client = client_for(people["auditor"])
    exported = client.get(f"{URL}.json?profile=public").content.decode()
    altered = exported.replace('"requests": 575', '"requests": 577', 1)

    matching = text_of(client.post("/reports/verify/", {"text": exported}))
    differing = text_of(client.post("/reports/verify/", {"text": altered}))
    unknown = text_of(client.post("/reports/verify/", {"text": exported.replace('"public"', '"press"', 1)}))

    assert "matches Desertion help (demo), November 2023 · version 1 exactly" in matching
    assert "Recent months and the months before: Requests in the recent months 577 575" in differing
    assert "profile “press” is not one the app makes (internal, partner or public)" in unknown


def test_a_public_page_and_print_view_give_the_published_fingerprint_never_the_internal_one(accepted_november,
                                                                                           people, client_for):
    client = client_for(people["staff"])
    published = json.loads(client.get(f"{URL}.json?profile=public").content)["fingerprint"]

    for url in (f"{URL}/?profile=public", f"{URL}/print/?profile=public"):
        page = client.get(url).content.decode()
        assert published in page
        assert accepted_november.fingerprint not in page


def count_cells(document: dict) -> list[str]:
    """The names `published` takes for every count of a document."""
    names = ["requests.this_month", "window.current.requests", "since_start.requests"]
    if document["requests"]["previous_month"] is not None:
        names.append("requests.previous_month")
    if document["window"]["previous"]:
        names.append("window.previous.requests")
    return names + [f"series.{row['month']}" for row in document["series"]]


@pytest.mark.parametrize("history", list(HISTORIES))
@pytest.mark.parametrize("marker", [SUPPRESSED, WITHHELD])
def test_any_count_of_any_history_hidden_is_said_in_words_in_both_languages(history, marker):
    first, counts, _, _ = HISTORIES[history]
    base = public_figures(first, counts)
    for cell in count_cells(base):
        # What a published document does around a hidden count: no percentage, no lowest, no rank.
        document = published(base, **{cell: marker, "requests.change_pct": None, "window.change_pct": None,
                                      "since_start.current_window_share_pct": None, "since_start.lowest": None,
                                      "since_start.rank_of_month": None})
        for language in ("en", "ru"):
            said = " ".join(narrative(document, language)) + " ".join(
                f"{card.value} {card.caption}" for card in key_figures(document, language))
            assert "None" not in said and SUPPRESSED not in said and WITHHELD not in said, (cell, said)
            assert "менее 10 запроса" not in said and "fewer than 10 request " not in said

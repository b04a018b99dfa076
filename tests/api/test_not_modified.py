"""An API request whose If-None-Match names the report it asks for is answered 304
before any document is read or built (issue 24): no query over the counts, none that
loads a report's document or the counts it kept; what is not published is refused as
before, whatever validator is sent."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .conftest import bearer

URLS = ["/api/v1/reports/desertion-help/2023-11", "/api/v1/reports/desertion-help/latest",
        "/api/v1/reports/desertion-help/2023-11/versions/1"]


def queries_of(client, url: str, **headers) -> tuple[object, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    return response, [query["sql"] for query in queries]


def reading_figures(queries: list[str]) -> list[str]:
    """Queries that read counts, a report's document or the counts it kept."""
    quote = connection.ops.quote_name
    return [sql for sql in queries if quote("intake_monthlycount") in sql
            or f".{quote('body')}" in sql or f".{quote('basis')}" in sql]


@pytest.mark.parametrize("url", URLS)
def test_a_matching_if_none_match_is_answered_304_without_reading_any_figure(client, published, issue, url):
    _, text = issue(programmes=[published["programme"]])
    first, served = queries_of(client, url, **bearer(text))
    assert first.status_code == 200 and reading_figures(served)

    again, answered = queries_of(client, url, HTTP_IF_NONE_MATCH=first["ETag"], **bearer(text))

    assert again.status_code == 304 and again["ETag"] == first["ETag"] and again.content == b""
    assert reading_figures(answered) == []
    assert len(answered) < len(served)


def test_the_validator_is_the_same_from_one_request_to_the_next_and_differs_by_profile(client, published, issue):
    _, public = issue(programmes=[published["programme"]])
    _, partner = issue(profile="partner", programmes=[published["programme"]])

    etags = [client.get(URLS[0], **bearer(public))["ETag"] for _ in range(2)]
    partner_etag = client.get(URLS[0], **bearer(partner))["ETag"]

    assert etags[0] == etags[1] and partner_etag != etags[0]
    assert client.get(URLS[0], HTTP_IF_NONE_MATCH=etags[0], **bearer(partner)).status_code == 200


@pytest.mark.parametrize("validator", ['"*"', "*"])
def test_a_month_not_published_is_refused_whatever_validator_is_sent(client, published, issue, validator):
    _, text = issue(programmes=[published["programme"]])

    response = client.get("/api/v1/reports/desertion-help/2023-10", HTTP_IF_NONE_MATCH=validator, **bearer(text))

    assert response.status_code == 409

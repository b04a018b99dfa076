"""The audit log at a million events (issue 24): paged by "newer" and "older" links
that keep the filter, never counting the whole log (no COUNT over the events table on
any page), in the same queries on a middle page and the last, and one fewer on the
newest, which reads its events in one query."""

import datetime as dt
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from intake.audit_actions import Action
from intake.models import AuditEvent
from shell.views import AUDIT_EVENTS_PER_PAGE

from .test_audit_log import log_rows

NOVEMBER = dt.date(2023, 11, 1)


@pytest.fixture
def auditor_client(auditor, client_for):
    client = client_for(auditor)
    AuditEvent.objects.all().delete()
    return client


def link(response, label: str) -> str | None:
    found = re.search(rf'<a [^>]*href="([^"]+)"[^>]*>\s*{label}', response.content.decode())
    return "/audit/" + unescape(found[1]) if found else None  # the links are "?..." on /audit/


def visit(client, url: str, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code == 200, url
    return response, [query["sql"] for query in queries]


def counting_events(queries: list[str]) -> list[str]:
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    return [sql for sql in queries if table in sql and "COUNT(" in sql.upper()]


def test_older_and_newer_links_walk_the_whole_filtered_log_without_counting_it(staff, auditor, auditor_client):
    total = 2 * AUDIT_EVENTS_PER_PAGE + 7
    AuditEvent.objects.bulk_create(
        AuditEvent(actor=staff, action=Action.LOGIN, month=NOVEMBER, subject=str(i)) for i in range(total))
    AuditEvent.objects.bulk_create(
        AuditEvent(actor=auditor, action=Action.LOGIN_FAILED, month=NOVEMBER) for _ in range(50))
    auditor_client.get("/audit/?action=login")

    url, pages, seen = "/audit/?action=login", [], []
    for _ in range(5):  # three pages; a link that never ends fails below instead of looping
        if url is None:
            break
        response, queries = visit(auditor_client, url)
        pages.append((url, response, queries))
        seen += [row[3] for row in log_rows(response)]
        url = link(response, "Older events")

    assert seen == [str(i) for i in reversed(range(total))]
    assert [len(log_rows(response)) for _url, response, _q in pages] == [AUDIT_EVENTS_PER_PAGE] * 2 + [7]
    # The newest page has no newer events to look for: one query fewer than the others.
    assert [len(queries) - len(pages[0][2]) for _url, _response, queries in pages] == [0, 1, 1]
    assert [sql for _url, _response, queries in pages for sql in counting_events(queries)] == []
    first, middle, last = (response for _url, response, _q in pages)
    assert link(first, "Newer events") is None and link(last, "Older events") is None
    assert all("action=login" in link(middle, label) for label in ("Newer events", "Older events"))
    back = auditor_client.get(link(last, "Newer events"))
    assert log_rows(back) == log_rows(middle)


def test_the_pages_speak_russian(staff, auditor_client):
    AuditEvent.objects.bulk_create(
        AuditEvent(actor=staff, action=Action.LOGIN, month=NOVEMBER) for _ in range(AUDIT_EVENTS_PER_PAGE + 1))

    first = auditor_client.get("/audit/", HTTP_ACCEPT_LANGUAGE="ru")
    second = auditor_client.get(link(first, "Более ранние события"), HTTP_ACCEPT_LANGUAGE="ru")

    assert len(log_rows(second)) == 1 and link(second, "Более поздние события")


@pytest.mark.parametrize("query", ["before=abc", "after=-3", "before=99999999999999999999"])
def test_a_page_address_that_makes_no_sense_shows_the_newest_events(staff, auditor_client, query):
    AuditEvent.objects.create(actor=staff, action=Action.LOGIN, month=NOVEMBER, subject="only")

    response = auditor_client.get(f"/audit/?{query}")

    assert response.status_code == 200 and [row[3] for row in log_rows(response)] == ["only"]


def events_read(queries: list[str]) -> list[str]:
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    return [sql for sql in queries if table in sql]


@pytest.mark.parametrize("query", ["", "?month=2023-11", "?action=login", "?account=staff-member"])
def test_the_newest_page_reads_the_events_in_one_query_whatever_the_filter(staff, auditor_client, query):
    AuditEvent.objects.bulk_create(
        AuditEvent(actor=staff, action=Action.LOGIN, month=NOVEMBER) for _ in range(AUDIT_EVENTS_PER_PAGE + 1))
    # Newer events of other months, actions and accounts, which the filtered pages pass over.
    AuditEvent.objects.bulk_create(
        AuditEvent(actor=None, action=Action.LOGIN_FAILED, month=dt.date(2023, 12, 1)) for _ in range(50))

    response, queries = visit(auditor_client, f"/audit/{query}")

    assert len(log_rows(response)) == AUDIT_EVENTS_PER_PAGE
    assert link(response, "Older events") and link(response, "Newer events") is None
    assert len(events_read(queries)) == 1

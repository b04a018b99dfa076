"""One import preview confirmed twice at once, from two sessions of its account or by a
double click in one, is imported once: the other confirmation is told that the file was
already imported, with a link to its entry, and writes nothing.

The accounts are made as in production: staff with an authenticator app set up through
its page, each session past its second factor. Each race runs for several rounds, with
committed transactions and a connection per thread (a round where the two requests
happen not to overlap must pass too)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from intake.audit_actions import Action
from intake.models import AuditEvent, Entry, HelpRequest
from tests.accounts import Person, same_session, with_authenticator
from tests.conftest import make_user, text_of
from tests.intake.test_concurrency import at_once

ROUNDS = 10
HEADER = "month,programme,category,status,outcome,closed_month,count"
IMPORTED = "Imported {} requests."
ALREADY = "This file was already imported"


@pytest.fixture
def importer(committed_db, settings, programme) -> Person:
    settings.TWO_FACTOR_REQUIRED = True
    return with_authenticator(make_user("importer", "Staff"))


def preview(browser: Client, round_: int) -> tuple[str, int]:
    """Upload a file of this round; returns its preview's key and how many requests it adds."""
    count = round_ + 2
    data = f"{HEADER}\n2023-10,help,desertion,new,,,{count}\n".encode()
    page = browser.post("/requests/import/", {"file": SimpleUploadedFile("requests.csv", data, "text/csv")})
    assert page.status_code == 200 and "Nothing is written until you import it." in text_of(page)
    return page.context["key"], count


def assert_imported_once(pages: list, count: int, round_: int) -> None:
    told = [IMPORTED.format(count) in text_of(page) for page in pages]
    assert told.count(True) == 1, f"round {round_}: {told.count(True)} of 2 told the file was imported"
    entry = Entry.objects.order_by("pk").last()
    assert entry.size == count, f"round {round_}"
    loser = pages[1 - told.index(True)]
    assert loser.status_code == 409, f"round {round_}"
    assert ALREADY in text_of(loser) and "Nothing was imported now." in text_of(loser), f"round {round_}"
    assert f'href="/requests/entries/{entry.pk}/undo/"' in loser.content.decode(), f"round {round_}: no link"


def test_one_preview_confirmed_from_two_sessions_at_once_is_imported_once(importer):
    browser, other = importer.browser, importer.another_session()
    written = 0
    for round_ in range(ROUNDS):
        key, count = preview(browser, round_)

        pages = at_once((browser, "/requests/import/", {"preview": key}),
                        (other, "/requests/import/", {"preview": key}))

        written += count
        assert HelpRequest.objects.count() == written, f"round {round_}: written twice"
        assert Entry.objects.count() == round_ + 1, f"round {round_}"
        assert AuditEvent.objects.filter(action=Action.REQUESTS_IMPORTED).count() == round_ + 1
        assert_imported_once(pages, count, round_)


def test_a_double_click_on_import_imports_once(importer):
    browser = importer.browser
    written = 0
    for round_ in range(ROUNDS):
        key, count = preview(browser, round_)

        pages = at_once((browser, "/requests/import/", {"preview": key}),
                        (same_session(browser), "/requests/import/", {"preview": key}))

        written += count
        assert HelpRequest.objects.count() == written, f"round {round_}: written twice"
        assert Entry.objects.count() == round_ + 1, f"round {round_}"
        assert_imported_once(pages, count, round_)

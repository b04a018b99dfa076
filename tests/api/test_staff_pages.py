"""Staff issue, list and revoke API tokens on their own pages; each step is audited."""

import re

import pytest

from api.models import ApiToken
from intake.models import AuditEvent
from tests.conftest import make_user, text_of

from .conftest import bearer


@pytest.fixture
def staff_client(people, new_client_for):
    return new_client_for(people["staff"])


def issue_form(programme, **fields):
    return {"partner": "Data desk", "profile": "public", "programmes": [programme.pk], "expires_on": "2026-09-30",
            **fields}


def test_staff_issue_a_token_shown_once_and_it_works(staff_client, client, published):
    response = staff_client.post("/api-tokens/new/", issue_form(published["programme"]))

    assert response.status_code == 200
    text = re.search(r"itk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}", response.content.decode())[0]
    assert "not be shown again" in text_of(response)
    assert client.get("/api/v1/programmes", **bearer(text)).status_code == 200
    listed = staff_client.get("/api-tokens/")
    assert text not in listed.content.decode()
    assert "Data desk" in text_of(listed)
    event = AuditEvent.objects.get(action="api_token_issued")
    assert event.actor.username == "staff-a" and text not in event.subject


def test_the_form_says_what_is_missing(staff_client, people):
    response = staff_client.post("/api-tokens/new/", {"expires_on": "2025-01-01", "cors_origin": "ftp://x/y"})

    assert response.status_code == 400
    page = text_of(response)
    assert "There is a problem" in page
    for message in ["Enter who the token is for.", "Choose what the token may see: partner or public figures.",
                    "Choose at least one programme.", "The expiry day must be after today.",
                    "Enter an origin such as https://data.example.org, without a path."]:
        assert message in page
    assert not ApiToken.objects.exists()


def test_the_list_shows_state_and_uses_in_few_queries(staff_client, client, published, issue,
                                                      django_assert_max_num_queries):
    token, text = issue(programmes=[published["programme"]], partner="Paper A")
    revoked, _ = issue(programmes=[published["programme"]], partner="Paper B")
    for n in range(5):
        issue(programmes=[published["programme"]], partner=f"Paper {n}")
    client.get("/api/v1/programmes", **bearer(text))
    client.get("/api/v1/programmes", **bearer(text))
    staff_client.post(f"/api-tokens/{revoked.pk}/revoke/")

    with django_assert_max_num_queries(12):
        response = staff_client.get("/api-tokens/")

    rows = {row[0]: row for row in _rows(response)}
    assert rows["Paper A"][5:8] == ["Active", "2", "2"]
    assert rows["Paper B"][5] == "Revoked"


def _rows(response):
    from tests.conftest import table_rows

    return table_rows(response, "data-tokens")


def test_revoking_asks_first(staff_client, published, issue):
    token, _ = issue(programmes=[published["programme"]], partner="Paper A")

    page = staff_client.get(f"/api-tokens/{token.pk}/revoke/")

    assert "Revoke the token of Paper A?" in text_of(page)
    assert not ApiToken.objects.get(pk=token.pk).revoked


def test_only_staff_manage_tokens(new_client_for, people, published):
    coordinator = new_client_for(make_user("coord-x", "Coordinator", [published["programme"]]))
    auditor = new_client_for(people["auditor"])

    for client in (coordinator, auditor):
        assert client.get("/api-tokens/").status_code == 403
        assert client.post("/api-tokens/new/", issue_form(published["programme"])).status_code == 403
    assert not ApiToken.objects.exists()


def test_the_pages_speak_russian(staff_client, published):
    staff_client.cookies["django_language"] = "ru"

    page = text_of(staff_client.get("/api-tokens/new/", HTTP_ACCEPT_LANGUAGE="ru"))

    assert "Выдать токен API" in page

"""Who reaches what, on every intake URL: another programme's requests and entries do
not exist for a coordinator (404); a role that may not take an action gets 403; an
anonymous visitor is sent to the login page. Nothing is written in any of these cases.

Adding a URL means adding one line to URLS."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from intake.models import Entry, HelpRequest, Status
from intake.months import format_month
from intake.services import RequestSpec, requests_log
from tests.conftest import THIS_MONTH, add_request, text_of

# The current month, set for every test: an entry of it may be undone, a request of it closed in it.
pytestmark = pytest.mark.usefixtures("this_month")


def csv_file() -> SimpleUploadedFile:
    data = b"month,programme,category,status,outcome,closed_month,count\n2023-10,help,desertion,new,,,2\n"
    return SimpleUploadedFile("requests.csv", data, "text/csv")


def payload(url: str, slug: str = "help") -> dict:
    """A valid form for the URL, so that a refusal is about who asks, not what."""
    if url.endswith("/new/"):
        return {"programme": slug, "month": "2023-10", "category": "legal"}
    if url.endswith("/counts/"):
        return {"programme": slug, "month": "2023-10", "category": "legal", "status": "new", "count": 3}
    if url.endswith("/move/"):
        return {"programme": slug, "month": format_month(THIS_MONTH), "category": "desertion", "from_status": "new",
                "count": 1, "to_status": "in_progress"}
    if url.endswith("/import/"):
        return {"file": csv_file()}
    if url.endswith("/close/"):
        return {"seen": "new", "outcome": "referred", "month": format_month(THIS_MONTH)}
    if url.endswith("/start/"):
        return {"seen": "new"}
    if url.endswith("/reopen/"):
        return {"seen": "closed"}
    return {}


# (method, URL); {new}, {closed} and {entry} are filled in with objects of a programme.
URLS = [
    ("get", "/requests/new/"),
    ("post", "/requests/new/"),
    ("get", "/requests/counts/"),
    ("post", "/requests/counts/"),
    ("get", "/requests/move/"),
    ("post", "/requests/move/"),
    ("get", "/requests/find/"),
    ("get", "/requests/find/?reference={new}"),
    ("get", "/requests/month/help/"),
    ("get", "/requests/month/help/2023-10/"),
    ("get", "/requests/import/"),
    ("get", "/requests/import/template.csv"),
    ("post", "/requests/import/"),
    ("post", "/requests/entries/{entry}/undo/"),
    ("get", "/requests/{new}/"),
    ("post", "/requests/{new}/start/"),
    ("post", "/requests/{new}/close/"),
    ("post", "/requests/{closed}/reopen/"),
]
OBJECT_URLS = [(method, url) for method, url in URLS if "{" in url]
FORM_URLS = ["/requests/new/", "/requests/counts/", "/requests/move/"]


def ids(urls):
    return [f"{method.upper()} {url}" for method, url in urls]


def objects_of(programme, author) -> dict[str, str]:
    """A new request, logged as an entry of the current month, and a closed one."""
    entry = requests_log(spec=RequestSpec(programme=programme, month=THIS_MONTH, category="desertion"), author=author)
    closed = add_request(programme=programme, month=THIS_MONTH, category="legal", status=Status.CLOSED,
                         outcome="referred", closed_month=THIS_MONTH)
    return {"new": entry.requests.get().reference, "closed": closed.reference, "entry": str(entry.pk)}


@pytest.fixture
def own(programme, coordinator) -> dict[str, str]:
    return objects_of(programme, coordinator)


@pytest.fixture
def others(other_programme, other_coordinator) -> dict[str, str]:
    return objects_of(other_programme, other_coordinator)


def snapshot() -> tuple:
    return (
        sorted(HelpRequest.objects.values_list("reference", "programme", "month", "category", "status", "outcome",
                                               "closed_month")),
        sorted(Entry.objects.values_list("pk", "programme", "month")),
    )


def call(client, method: str, url: str, objects: dict[str, str], **kwargs):
    url = url.format(**objects)
    if method == "post":
        return client.post(url, payload(url), **kwargs)
    return client.get(url, **kwargs)


# --- anonymous -------------------------------------------------------------------------


@pytest.mark.parametrize("method, url", URLS, ids=ids(URLS))
def test_anonymous_visitor_is_sent_to_log_in(client, own, method, url):
    before = snapshot()

    response = call(client, method, url, own)

    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/requests/")
    assert snapshot() == before


# --- roles that may not take the action: 403 ---------------------------------------------


@pytest.mark.parametrize("persona", ["auditor", "administrator"])
@pytest.mark.parametrize("method, url", URLS, ids=ids(URLS))
def test_auditor_and_administrator_are_refused_every_intake_url(request, client_for, own, persona, method, url):
    browser = client_for(request.getfixturevalue(persona))
    before = snapshot()

    response = call(browser, method, url, own)

    assert response.status_code == 403
    assert own["new"] not in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("method", ["get", "post"])
def test_coordinator_may_not_import(client_for, coordinator, own, method):
    before = snapshot()

    response = call(client_for(coordinator), method, "/requests/import/", own)

    assert response.status_code == 403
    assert snapshot() == before


# --- another programme's objects: 404 ----------------------------------------------------


@pytest.mark.parametrize("method, url", OBJECT_URLS, ids=ids(OBJECT_URLS))
def test_coordinator_cannot_reach_another_programmes_request_or_entry(client_for, coordinator, others, method, url):
    before = snapshot()

    response = call(client_for(coordinator), method, url, others)

    assert response.status_code == 404
    assert f"/requests/{others['new']}/" not in response.content.decode()  # no link to it, no action on it
    assert snapshot() == before


@pytest.mark.parametrize("method, url", OBJECT_URLS, ids=ids(OBJECT_URLS))
def test_coordinator_reaches_their_own_programmes_request_or_entry(client_for, coordinator, own, method, url):
    # The control for the test above: the same URL with the coordinator's own objects.
    before = snapshot()

    response = call(client_for(coordinator), method, url, own)

    assert response.status_code in (200, 302)
    if method == "post":
        assert snapshot() != before


@pytest.mark.parametrize("method, url", OBJECT_URLS, ids=ids(OBJECT_URLS))
def test_staff_reaches_every_programmes_request_or_entry(client_for, staff, others, method, url):
    before = snapshot()

    response = call(client_for(staff), method, url, others)

    assert response.status_code in (200, 302)
    if method == "post":
        assert snapshot() != before


# --- another programme's slug in a form: 400 ---------------------------------------------


@pytest.mark.parametrize("url", FORM_URLS)
def test_coordinator_cannot_post_to_a_programme_they_are_not_a_member_of(client_for, coordinator, own, others, url):
    before = snapshot()

    response = client_for(coordinator).post(url, payload(url, slug="other"))

    assert response.status_code == 400
    assert "Select a valid choice. That choice is not one of the available choices." in text_of(response)
    assert snapshot() == before


@pytest.mark.parametrize("url", FORM_URLS)
def test_coordinator_posts_to_their_own_programme(client_for, coordinator, own, others, url):
    # The control for the test above: the same form with their own programme's slug.
    before = snapshot()

    response = client_for(coordinator).post(url, payload(url, slug="help"))

    assert response.status_code == 302
    assert snapshot() != before


def test_no_intake_url_is_left_out_of_the_list():
    from intake.urls import urlpatterns

    listed = {re.sub(r"\?.*", "", url) for _method, url in URLS}
    routes = {"/requests/" + str(pattern.pattern).replace("<str:reference>", "{new}").replace("<int:pk>", "{entry}")
              .replace("<slug:slug>", "help").replace("<month:month>", "2023-10")
              for pattern in urlpatterns}
    assert routes <= {url.replace("{closed}", "{new}") for url in listed}

"""CSRF everywhere (docs/design.md): a POST without a token is refused by every
route of the app, and changes nothing.

The routes are read from the URLconf, so a new view is covered as soon as it has a
URL (the language switch and the second-factor pages included). The admin's routes
are not walked (their URL parameters are the admin's own business); one
representative admin POST is checked instead.
"""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from intake.models import Entry, HelpRequest, MonthReview, Programme
from intake.months import format_month
from intake.services import RequestSpec, requests_log
from reports.models import ReferenceFigure, Report
from reports.services import report_generate, report_request
from tests.conftest import PASSWORD, THIS_MONTH

CSRF_REFUSAL = "The form had expired"  # the app's own page (config/sessions.py)
# The admin, walked separately below; the partners' API, which reads no cookie or
# session (a bearer token in a header) and only reads (test_the_api_takes_no_post).
SKIPPED_NAMESPACES = {"admin", "api"}


def named_routes(patterns=None, namespace: str = "", parameters: tuple = ()):
    """(name, its URL parameters) of every named route, through every include(),
    the admin aside."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        here = parameters + tuple(pattern.pattern.regex.groupindex)
        if isinstance(pattern, URLResolver):
            if pattern.namespace in SKIPPED_NAMESPACES:
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from named_routes(pattern.url_patterns, inner, here)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", here


def form_token(page) -> str:
    """The CSRF token a page's form sends (it is kept in the session, not in a cookie)."""
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]


def state() -> dict:
    """What a forged POST could change: row counts, and the fields of the rows a
    POST could edit in place."""
    return {
        "requests": sorted(HelpRequest.objects.values_list("pk", "status", "outcome", "closed_month")),
        "entries": Entry.objects.count(),
        "reports": Report.objects.count(),
        "reference figures": sorted(ReferenceFigure.objects.values_list()),
        "programmes": sorted(Programme.objects.values_list("pk", "slug", "name")),
        "month reviews": sorted(MonthReview.objects.values_list()),
    }


@pytest.fixture
def objects(this_month, demo_programme):
    """An object behind every URL parameter: a recent entry and its request (which
    an undo, a start or a close would change), a ready report v1 of 2023-11 and a
    reference figure (which an edit or a delete would change). The clock is set, so
    that FORGED_POST's month is the current one."""
    entry = requests_log(spec=RequestSpec(programme=demo_programme, month=this_month, category="legal"),
                         author=None)
    report = report_request(programme=demo_programme, month=dt.date(2023, 11, 1), send=False)
    report_generate(report_id=report.pk)
    figure = ReferenceFigure.objects.create(source="A court", period="2023", measure="cases", value=4,
                                            citation="A newspaper")
    return {"entry": entry, "request": entry.requests.get(), "figure": figure}


@pytest.fixture
def sample_kwargs(objects, demo_programme):
    """sample_kwargs(route name, parameter names): values that reverse() takes and that
    name existing objects."""
    by_parameter = {
        "reference": objects["request"].reference,
        "scope": demo_programme.slug,
        "programme": demo_programme.slug,
        "slug": demo_programme.slug,
        "month": dt.date(2023, 11, 1),
        "version": 1,
        "other": 1,
        "pk": objects["figure"].pk,
        "key_id": "0123456789ABCDEF",
        "index": 0,
        "name": "file.json",
        "kind": "json",
        "old": 1,
        "new": 1,
    }
    by_route = {"entry_undo": {"pk": objects["entry"].pk}}

    def kwargs_for(name: str, parameters) -> dict:
        unknown = set(parameters) - set(by_parameter)
        assert not unknown, f"route {name!r}: give a sample value for {sorted(unknown)} in this test"
        return {parameter: by_parameter[parameter] for parameter in parameters} | by_route.get(name, {})

    return kwargs_for


# Enough to make most forms valid, so that a forged POST that got through would write.
FORGED_POST = {
    "programme": "desertion-help", "month": format_month(THIS_MONTH), "category": "legal", "status": "new",
    "outcome": "", "closed_month": "", "count": "2", "from_status": "new", "to_status": "in_progress",
    "source": "Forged", "measure": "cases", "period": "2023", "value": "9", "per": "period", "citation": "x",
    "language": "ru", "next": "/", "action": "submit",
}


def test_every_route_refuses_a_post_without_a_csrf_token_and_changes_nothing(staff, sample_kwargs, objects):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff)
    routes = list(named_routes())
    before = state()

    accepted = []
    for name, parameters in routes:
        url = reverse(name, kwargs=sample_kwargs(name, parameters))
        response = browser.post(url, FORGED_POST)
        if not (response.status_code == 403 and CSRF_REFUSAL in response.content.decode()):
            accepted.append((name, url, response.status_code))

    assert accepted == [], f"routes that took a POST without a CSRF token: {accepted}"
    assert state() == before
    assert browser.get("/").status_code == 200  # the forged logout did not log out either


def test_the_api_takes_no_post(staff, sample_kwargs, objects):
    from django.urls import get_resolver

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff)
    resolver = next(p for p in get_resolver().url_patterns if getattr(p, "namespace", None) == "api")
    before = state()

    answers = {name: browser.post(reverse(f"api:{name}", kwargs=sample_kwargs(name, parameters) | (
        {"month": "2023-11"} if "month" in parameters else {})), FORGED_POST).status_code
        for name, parameters in named_routes(resolver.url_patterns)}

    assert set(answers.values()) <= {404, 405}, answers
    assert state() == before


def test_the_routes_walked_are_every_route_of_the_urlconf():
    walked = {name for name, _parameters in named_routes()}
    declared = {key for key in get_resolver().reverse_dict if isinstance(key, str)}

    assert declared <= walked
    assert {"login", "logout", "set_language", "request_close", "entry_undo", "reference_delete",
            "report_generate", "review_month"} <= walked


def test_login_without_a_csrf_token_is_refused(staff):
    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/login/")  # the browser has its session; only the form's token is missing
    assert page.status_code == 200 and "sessionid" in browser.cookies

    forged = browser.post("/login/", {"username": staff.username, "password": PASSWORD})

    assert forged.status_code == 403 and CSRF_REFUSAL in forged.content.decode()
    assert "_auth_user_id" not in browser.session
    # The same login with the form's token goes through: the token was the only thing missing.
    token = form_token(page)
    genuine = browser.post("/login/", {"username": staff.username, "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert genuine.status_code == 302


def test_an_admin_change_without_a_csrf_token_is_refused(administrator):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(administrator)
    page = browser.get("/admin/intake/programme/add/")
    assert page.status_code == 200
    form = {"slug": "forged", "name": "Forged", "first_month": "2023-01-01", "_save": "Save"}

    forged = browser.post("/admin/intake/programme/add/", form)

    assert forged.status_code == 403 and CSRF_REFUSAL in forged.content.decode()
    assert not Programme.objects.filter(slug="forged").exists()
    genuine = browser.post("/admin/intake/programme/add/", form | {"csrfmiddlewaretoken": form_token(page)})
    assert genuine.status_code == 302 and Programme.objects.filter(slug="forged").exists()

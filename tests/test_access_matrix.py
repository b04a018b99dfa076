"""Who may open what: every route of the URLconf, for every persona, GET and POST.

A route without a rule here fails `test_every_route_has_a_rule`, so a new view
cannot ship without a decision about who may use it. Objects belong to the
programme of `coordinator`; `other_coordinator` works in another programme. POSTs
carry no form data: they show whether the action is reachable at all (400 is a
refused form, i.e. the persona got as far as the form).
"""

import datetime as dt
import io
from collections.abc import Iterator

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from api.models import ApiToken
from intake.models import Category, Entry, Programme
from intake.months import current_month
from reports.demo import load_reference_figures
from reports.models import ReferenceFigure
from tests.conftest import NOW, add_request, make_user
from tests.demo_data import FAST_HASHER

PERSONAS = ["anonymous", "coordinator", "other_coordinator", "staff", "auditor", "administrator"]
LOGIN = 302  # sent to the login page
NO = 403
GONE = 404  # another programme's object: it does not exist for this persona
NOT_ALLOWED = 405


def rule(anonymous, coordinator, other_coordinator, staff, auditor, administrator):
    return dict(zip(PERSONAS, [anonymous, coordinator, other_coordinator, staff, auditor, administrator]))


def same(anonymous, logged_in):
    return rule(anonymous, logged_in, logged_in, logged_in, logged_in, logged_in)


# url name -> {"GET": statuses by persona, "POST": statuses by persona}
RULES = {
    "home": {"GET": same(LOGIN, 200), "POST": same(LOGIN, NOT_ALLOWED)},
    "login": {"GET": same(200, 302), "POST": same(200, 302)},
    "logout": {"GET": same(NOT_ALLOWED, NOT_ALLOWED), "POST": same(302, 302)},
    "set_language": {"GET": same(302, 302), "POST": same(302, 302)},
    "two_factor_setup": {"GET": same(LOGIN, 200), "POST": same(LOGIN, 400)},
    "two_factor_verify": {"GET": same(LOGIN, 200), "POST": same(LOGIN, 400)},
    "two_factor_backup_codes": {"GET": same(LOGIN, NOT_ALLOWED), "POST": same(LOGIN, 302)},
    "audit_log": {"GET": rule(LOGIN, NO, NO, 200, 200, NO), "POST": rule(LOGIN, NO, NO, NOT_ALLOWED, NOT_ALLOWED, NO)},
    "audit_log_csv": {"GET": rule(LOGIN, NO, NO, 200, 200, NO),
                      "POST": rule(LOGIN, NO, NO, NOT_ALLOWED, NOT_ALLOWED, NO)},
    "audit_log_xlsx": {"GET": rule(LOGIN, NO, NO, 200, 200, NO),
                       "POST": rule(LOGIN, NO, NO, NOT_ALLOWED, NOT_ALLOWED, NO)},
    # Intake: coordinators and staff; never auditors or administrators.
    "request_new": {"GET": rule(LOGIN, 200, 200, 200, NO, NO), "POST": rule(LOGIN, 400, 400, 400, NO, NO)},
    "counts_new": {"GET": rule(LOGIN, 200, 200, 200, NO, NO), "POST": rule(LOGIN, 400, 400, 400, NO, NO)},
    "requests_move": {"GET": rule(LOGIN, 200, 200, 200, NO, NO), "POST": rule(LOGIN, 400, 400, 400, NO, NO)},
    "request_find": {"GET": rule(LOGIN, 200, 200, 200, NO, NO),
                     "POST": rule(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NO, NO)},
    "requests_import": {"GET": rule(LOGIN, NO, NO, 200, NO, NO), "POST": rule(LOGIN, NO, NO, 400, NO, NO)},
    "requests_import_template": {"GET": rule(LOGIN, NO, NO, 200, NO, NO),
                                 "POST": rule(LOGIN, NO, NO, NOT_ALLOWED, NO, NO)},
    "month_pick": {"GET": rule(LOGIN, 302, GONE, 302, NO, NO),
                   "POST": rule(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NO, NO)},
    "month_page": {"GET": rule(LOGIN, 200, GONE, 200, NO, NO), "POST": rule(LOGIN, 400, GONE, 400, NO, NO)},
    "entry_undo": {"GET": rule(LOGIN, 200, GONE, 200, NO, NO),
                   "POST": rule(LOGIN, 302, GONE, 302, NO, NO)},
    "request_detail": {"GET": rule(LOGIN, 200, GONE, 200, NO, NO),
                       "POST": rule(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NO, NO)},
    "request_start": {"GET": rule(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NO, NO),
                      "POST": rule(LOGIN, 302, GONE, 302, NO, NO)},
    "request_close": {"GET": rule(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NO, NO),
                      "POST": rule(LOGIN, 400, GONE, 400, NO, NO)},
    "request_reopen": {"GET": rule(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NO, NO),
                       "POST": rule(LOGIN, 302, GONE, 302, NO, NO)},
    # Reports: staff and auditors read; staff generate; coordinators and administrators neither.
    "report_list": {"GET": rule(LOGIN, NO, NO, 200, 200, NO), "POST": rule(LOGIN, NO, NO, NOT_ALLOWED, NOT_ALLOWED, NO)},
    "report_generate": {"GET": rule(LOGIN, NO, NO, NOT_ALLOWED, NO, NO), "POST": rule(LOGIN, NO, NO, 400, NO, NO)},
    "report_latest": {"GET": rule(LOGIN, NO, NO, 200, 200, NO), "POST": rule(LOGIN, NO, NO, NOT_ALLOWED, NOT_ALLOWED, NO)},
    "report_detail": {"GET": rule(LOGIN, NO, NO, 200, 200, NO), "POST": rule(LOGIN, NO, NO, NOT_ALLOWED, NOT_ALLOWED, NO)},
    "report_json": {"GET": rule(LOGIN, NO, NO, 200, 200, NO), "POST": rule(LOGIN, NO, NO, NOT_ALLOWED, NOT_ALLOWED, NO)},
    "report_csv": {"GET": rule(LOGIN, NO, NO, 200, 200, NO), "POST": rule(LOGIN, NO, NO, NOT_ALLOWED, NOT_ALLOWED, NO)},
    # Signatures of partner and public exports only: the matrix asks for internal figures.
    "report_signature": {"GET": rule(LOGIN, NO, NO, GONE, GONE, NO),
                         "POST": rule(LOGIN, NO, NO, NOT_ALLOWED, NOT_ALLOWED, NO)},
    "report_xlsx": {"GET": rule(LOGIN, NO, NO, 200, 200, NO), "POST": rule(LOGIN, NO, NO, NOT_ALLOWED, NOT_ALLOWED, NO)},
    "report_print": {"GET": rule(LOGIN, NO, NO, 200, 200, NO), "POST": rule(LOGIN, NO, NO, NOT_ALLOWED, NOT_ALLOWED, NO)},
    "report_verify": {"GET": rule(LOGIN, NO, NO, 200, 200, NO), "POST": rule(LOGIN, NO, NO, NOT_ALLOWED, NOT_ALLOWED, NO)},
    "export_verify": {"GET": rule(LOGIN, NO, NO, 200, 200, NO), "POST": rule(LOGIN, NO, NO, 400, 400, NO)},
    "report_compare": {"GET": rule(LOGIN, NO, NO, 200, 200, NO),
                       "POST": rule(LOGIN, NO, NO, NOT_ALLOWED, NOT_ALLOWED, NO)},
    "reference_list": {"GET": rule(LOGIN, NO, NO, 200, 200, NO),
                       "POST": rule(LOGIN, NO, NO, NOT_ALLOWED, NOT_ALLOWED, NO)},
    "reference_new": {"GET": rule(LOGIN, NO, NO, 200, NO, NO), "POST": rule(LOGIN, NO, NO, 400, NO, NO)},
    "reference_edit": {"GET": rule(LOGIN, NO, NO, 200, NO, NO), "POST": rule(LOGIN, NO, NO, 400, NO, NO)},
    "reference_delete": {"GET": rule(LOGIN, NO, NO, NOT_ALLOWED, NO, NO), "POST": rule(LOGIN, NO, NO, 302, NO, NO)},
    # Month review: staff and auditors, each taking their own steps (a POST without an action is refused as a form).
    "review_queue": {"GET": rule(LOGIN, NO, NO, 200, 200, NO), "POST": rule(LOGIN, NO, NO, NOT_ALLOWED, NOT_ALLOWED, NO)},
    "review_month": {"GET": rule(LOGIN, NO, NO, 200, 200, NO), "POST": rule(LOGIN, NO, NO, 400, 400, NO)},
    # Collapse: staff only (the month is not accepted here: the POST is refused as such).
    "collapse_month": {"GET": rule(LOGIN, NO, NO, 200, NO, NO), "POST": rule(LOGIN, NO, NO, 400, NO, NO)},
    # API tokens: staff only.
    "api_token_list": {"GET": rule(LOGIN, NO, NO, 200, NO, NO), "POST": rule(LOGIN, NO, NO, NOT_ALLOWED, NO, NO)},
    "api_token_new": {"GET": rule(LOGIN, NO, NO, 200, NO, NO), "POST": rule(LOGIN, NO, NO, 400, NO, NO)},
    "api_token_revoke": {"GET": rule(LOGIN, NO, NO, 200, NO, NO), "POST": rule(LOGIN, NO, NO, 302, NO, NO)},
    # The API answers tokens, never a session: 401 without one, whoever is logged in; it only reads.
    **{f"api:{name}": {"GET": same(401, 401), "POST": same(NOT_ALLOWED, NOT_ALLOWED)}
       for name in ["programme_list", "programme_detail", "programme_months", "report_list", "report_latest",
                    "report_month", "report_version", "reference_figures", "publication_list"]},
    "api:openapi-json": {"GET": same(200, 200), "POST": same(NOT_ALLOWED, NOT_ALLOWED)},
    # Signed publications: open to everyone, read only; nothing is published in this fixture.
    "publication_list": {"GET": same(200, 200), "POST": same(NOT_ALLOWED, NOT_ALLOWED)},
    **{name: {"GET": same(GONE, GONE), "POST": same(NOT_ALLOWED, NOT_ALLOWED)}
       for name in ["publication_key_pub", "publication_key_by_id", "publication_checkpoint", "publication_proof",
                    "publication_consistency", "publication_file", "publication_signature",
                    "publication_co_signature"]},
    "api:api-root": {"GET": same(GONE, GONE), "POST": same(GONE, GONE)},
    # The coalition view: staff and auditors read (anyone when COALITION_PUBLIC); staff add and remove peers.
    **{name: {"GET": rule(LOGIN, NO, NO, 200 if name != "coalition_latest" else 302, 200 if name != "coalition_latest"
                          else 302, NO),
              "POST": rule(NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)}
       for name in ["coalition_latest", "coalition_page", "coalition_json", "coalition_csv"]},
    "peer_list": {"GET": rule(LOGIN, NO, NO, 200, 200, NO), "POST": rule(LOGIN, NO, NO, NOT_ALLOWED, NOT_ALLOWED, NO)},
    "peer_new": {"GET": rule(LOGIN, NO, NO, 200, NO, NO), "POST": rule(LOGIN, NO, NO, 400, NO, NO)},
    "peer_delete": {"GET": rule(LOGIN, NO, NO, NOT_ALLOWED, NO, NO), "POST": rule(LOGIN, NO, NO, 302, NO, NO)},
}
# The Django admin: only administrators (is_staff) get in; everyone else is sent to its login.
ADMIN = {"GET": rule(302, 302, 302, 302, 302, 200), "POST": rule(302, 302, 302, 302, 302, 200)}


def named_routes(resolver=None, namespace=""):
    """Every named route of the URLconf as (name, pattern), admin routes under "admin:"."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from named_routes(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def test_every_route_has_a_rule():
    names = {name for name, _pattern in named_routes() if not name.startswith("admin:")}
    assert names - set(RULES) == set(), "a route without an access rule"
    assert set(RULES) - names == set(), "a rule for a route that does not exist"


@pytest.fixture(scope="module")
def objects(django_db_setup, django_db_blocker) -> Iterator[dict]:
    """The personas, and one of each object the routes name in the coordinator's
    programme; the entry is of the current month, so that it may still be undone.

    Made once for the module, in a transaction left open until its last test, as
    Django's setUpTestData does: each test runs in a transaction of its own inside it,
    rolled back afterwards, so that what a POST changes is undone before the next."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        # The clock and the password hashing of the tests (this_month, _fast_password_hashing).
        with django_db_blocker.unblock(), time_machine.travel(NOW), override_settings(PASSWORD_HASHERS=[FAST_HASHER]):
            programme = Programme.objects.create(slug="help", name="Help", first_month=dt.date(2023, 4, 1))
            other_programme = Programme.objects.create(slug="other", name="Other", first_month=dt.date(2023, 1, 1))
            people = {
                "coordinator": make_user("coord", "Coordinator", [programme]),
                "other_coordinator": make_user("other-coord", "Coordinator", [other_programme]),
                "staff": make_user("staff-member", "Staff"),
                "auditor": make_user("auditor-1", "Auditor"),
                "administrator": make_user("admin-1", "Administrator", is_staff=True),
            }
            add_request(programme=programme, month=dt.date(2023, 10, 1), category=Category.DESERTION)
            call_command("monthly_report", "2023-11", "--programme", programme.slug, "--inline",
                         stdout=io.StringIO())
            load_reference_figures()
            entry = Entry.objects.create(programme=programme, month=current_month(), kind=Entry.Kind.COUNT,
                                         author=people["coordinator"])
            request = add_request(programme=programme, month=entry.month, category=Category.LEGAL, entry=entry)
        yield {
            "reference": request.reference, "pk": entry.pk, "scope": programme.slug, "programme": programme.slug,
            "slug": programme.slug,
            "month": dt.date(2023, 11, 1),
            "version": 1, "other": 1, "kind": "json",
            "people": people,
            "index": 0, "name": "figures.csv", "old": 1, "new": 1, "key_id": "0123456789ABCDEF",
        }
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def url_for(name: str, objects: dict) -> str:
    pattern = dict(named_routes())[name]
    kwargs = {key: objects[key] for key in pattern.pattern.converters}
    if name.startswith("reference_") and "pk" in kwargs:
        kwargs["pk"] = ReferenceFigure.objects.first().pk
    if name.startswith("api_token_") and "pk" in kwargs:
        kwargs["pk"] = ApiToken.objects.create(partner="P", profile="public", expires_on=dt.date(2026, 12, 31),
                                               prefix="0badc0de", secret_hash="0" * 64, created_in=dt.date(2026, 3, 1)).pk
    if name == "peer_delete":
        from coalition.models import Peer

        kwargs["pk"] = Peer.objects.get_or_create(name="peer", key_id="0" * 16, public_key="RW" + "A" * 54)[0].pk
    if name.startswith("api:") and "month" in kwargs:
        kwargs["month"] = "2023-11"
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(RULES))
def test_access(name, persona, method, objects, this_month, db, client):
    if persona != "anonymous":
        client.force_login(objects["people"][persona])
    url = url_for(name, objects)

    response = client.get(url) if method == "GET" else client.post(url)

    expected = RULES[name][method][persona]
    assert response.status_code == expected, f"{method} {url} as {persona}"
    if expected == LOGIN and persona == "anonymous" and name not in ("logout", "set_language", "login"):
        assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("persona", PERSONAS)
def test_admin_is_for_administrators_only(persona, objects, db, client):
    if persona != "anonymous":
        client.force_login(objects["people"][persona])

    response = client.get("/admin/")

    assert response.status_code == ADMIN["GET"][persona]
    if response.status_code == 302:
        assert response["Location"].startswith("/admin/login/")

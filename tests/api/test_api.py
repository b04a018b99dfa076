"""The read-only API as a partner's script uses it: programmes, months, published
reports in the token's profile, reference figures; and what it refuses."""

import hashlib
import json

import pytest
from django.db import connection, models
from django.test import Client

from api.models import ApiToken, ApiUse
from intake.models import AuditEvent, Programme
from reports.models import ReferenceFigure
from reports.publication import served_publication
from reports.withheld import with_words

from .conftest import bearer

PROBLEM = "application/problem+json"


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    body = response.json()
    assert body["title"] and body["detail"] and body["status"] == status
    return body


def test_programmes_are_those_the_token_covers_with_both_names_and_first_month(client, published, other_programme,
                                                                               issue):
    _, text = issue(programmes=[published["programme"]])

    response = client.get("/api/v1/programmes", **bearer(text))

    assert response.status_code == 200
    assert response.json() == [{"slug": "desertion-help", "name": {"en": published["programme"].name,
                                                                    "ru": published["programme"].name_ru},
                                "first_month": "2023-04"}]
    assert client.get("/api/v1/programmes/other", **bearer(text)).status_code == 404


def test_months_of_a_programme_say_whether_each_is_published(client, published, issue):
    _, text = issue(programmes=[published["programme"]])

    months = client.get("/api/v1/programmes/desertion-help/months", **bearer(text)).json()

    assert months[0] == {"month": "2023-04", "published": False}
    assert {"month": "2023-11", "published": True} in months
    assert months[-1]["month"] == "2026-03"  # up to the current month
    assert [m["month"] for m in months if m["published"]] == ["2023-11"]


@pytest.mark.parametrize("profile", ["public", "partner"])
def test_the_latest_report_is_the_published_document_of_the_tokens_profile(client, published, issue, profile):
    _, text = issue(profile=profile, programmes=[published["programme"]])

    response = client.get("/api/v1/reports/desertion-help/latest", **bearer(text))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    expected = with_words(served_publication(published["november"], profile).document)  # as stored, in English
    assert list(response.json()) == list(expected)  # same keys, same order: "profile" after "version"
    assert response.json() == json.loads(json.dumps(expected))
    body = response.json()
    assert body["profile"] == profile
    assert body["requests"]["previous_month"] == 220  # 218 rounded to 5
    assert body["requests"]["change_pct"] == -20  # from the unrounded counts, whole
    # The published fingerprint checks the document as received.
    unsigned = {key: value for key, value in body.items() if key not in ("fingerprint", "reasons")}
    canonical = json.dumps(unsigned, sort_keys=True, separators=(",", ":")).encode()
    assert body["fingerprint"] == "sha256:" + hashlib.sha256(canonical).hexdigest()


def test_reports_of_a_month_by_latest_version_and_by_version(client, published, issue):
    _, text = issue(programmes=[published["programme"]])

    by_month = client.get("/api/v1/reports/desertion-help/2023-11", **bearer(text))
    by_version = client.get("/api/v1/reports/desertion-help/2023-11/versions/1", **bearer(text))

    assert by_month.status_code == by_version.status_code == 200
    assert by_month.json() == by_version.json()
    problem(client.get("/api/v1/reports/desertion-help/2023-11/versions/9", **bearer(text)), 404)
    problem(client.get("/api/v1/reports/desertion-help/2023-12", **bearer(text)), 404)


def test_a_month_not_published_is_refused_with_409_saying_so(client, published, issue):
    _, text = issue(programmes=[published["programme"]])

    body = problem(client.get("/api/v1/reports/desertion-help/2023-10", **bearer(text)), 409)

    assert body["detail"] == "The figures of Desertion help (demo) for October 2023 are not published."


def test_the_list_names_only_published_reports_newest_first(client, published, issue):
    _, text = issue(programmes=[published["programme"]])

    listed = client.get("/api/v1/reports/desertion-help", **bearer(text)).json()

    assert listed == [{"scope": "desertion-help", "month": "2023-11", "version": 1,
                       "url": "/api/v1/reports/desertion-help/2023-11/versions/1"}]
    assert client.get(listed[0]["url"], **bearer(text)).status_code == 200


def test_small_counts_are_suppressed(client, small_programme, issue):
    _, text = issue(programmes=[small_programme])

    body = client.get("/api/v1/reports/small/latest", **bearer(text)).json()

    assert body["requests"]["this_month"] == "<10"
    assert body["by_category"]["desertion"] == "<10"
    # 2 desertion and 1 legal help: two "<10" in a month of "<10" would each be at most 8,
    # so the audit withholds the rest of the row, its 0s too.
    assert body["by_category"]["legal"] == body["by_category"]["other"] == "[c]"
    assert body["withheld"]["by_category.legal"] == "audit"
    assert body["since_start"]["current_window_share_pct"] is None


def test_the_all_programmes_scope_needs_a_token_covering_every_programme(client, published, small_programme, issue):
    _, partial = issue(programmes=[published["programme"]])
    _, whole = issue(programmes=Programme.objects.all())

    problem(client.get("/api/v1/reports/all", **bearer(partial)), 403)
    problem(client.get("/api/v1/reports/small/latest", **bearer(partial)), 404)
    assert client.get("/api/v1/reports/all", **bearer(whole)).status_code == 200


def test_etag_and_if_none_match(client, published, issue):
    _, text = issue(programmes=[published["programme"]])
    first = client.get("/api/v1/reports/desertion-help/latest", **bearer(text))
    etag = first["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")

    again = client.get("/api/v1/reports/desertion-help/latest", HTTP_IF_NONE_MATCH=etag, **bearer(text))
    other = client.get("/api/v1/reports/desertion-help/latest", HTTP_IF_NONE_MATCH='"something-else"', **bearer(text))

    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    assert other.status_code == 200
    _, partner = issue(profile="partner", programmes=[published["programme"]])
    assert client.get("/api/v1/reports/desertion-help/latest", **bearer(partner))["ETag"] != etag


def test_reference_figures(client, published, issue):
    ReferenceFigure.objects.create(source="Court", source_ru="Суд", period="2023", measure="verdicts", value=365,
                                   per="year", citation="Report")
    _, text = issue(programmes=[published["programme"]])

    figures = client.get("/api/v1/reference-figures", **bearer(text)).json()

    assert figures[0]["source"] == {"en": "Court", "ru": "Суд"}
    assert figures[0]["measure"] == {"en": "verdicts", "ru": None}
    assert figures[0]["value"] == 365 and figures[0]["derived"] == {"share_pct": None, "per_month": None,
                                                                     "per_day": [1, 1]}


def test_without_a_token_401_with_www_authenticate(client, published):
    response = client.get("/api/v1/programmes")

    problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")
    problem(client.get("/api/v1/programmes", HTTP_AUTHORIZATION="Bearer itk_00000000_nope"), 401)


def test_revoking_takes_effect_at_once(client, published, issue, new_client_for, people):
    token, text = issue(programmes=[published["programme"]])
    assert client.get("/api/v1/programmes", **bearer(text)).status_code == 200

    staff = new_client_for(people["staff"])
    assert staff.post(f"/api-tokens/{token.pk}/revoke/").status_code == 302

    body = problem(client.get("/api/v1/programmes", **bearer(text)), 401)
    assert "revoked" in body["detail"]
    assert AuditEvent.objects.filter(action="api_token_revoked").exists()


def test_an_expired_token_is_refused(client, published, issue):
    import datetime as dt

    _, text = issue(programmes=[published["programme"]], expires_on=dt.date(2026, 3, 14))

    assert "expired" in problem(client.get("/api/v1/programmes", **bearer(text)), 401)["detail"]


def test_only_a_hash_of_the_token_is_stored(published, issue):
    token, text = issue(programmes=[published["programme"]])

    stored = ApiToken.objects.filter(pk=token.pk).values().get()

    assert stored["secret_hash"] == hashlib.sha256(text.encode()).hexdigest()
    secret = text.split("_", 2)[2]  # itk_<prefix>_<secret>; the secret itself may hold "_"
    assert not any(text in str(value) or secret in str(value) for value in stored.values())


def test_uses_are_counted_per_token_per_month_and_no_time_finer_is_stored(client, published, issue, this_month):
    token, text = issue(programmes=[published["programme"]])
    for _ in range(3):
        client.get("/api/v1/programmes", **bearer(text))

    assert list(ApiUse.objects.values_list("token", "month", "count")) == [(token.pk, this_month, 3)]
    with connection.cursor() as cursor:  # the rate counters are not kept in the database's cache either
        cursor.execute("SELECT COUNT(*) FROM cache_entries WHERE cache_key LIKE %s", ["%rate%"])
        assert cursor.fetchone()[0] == 0
    assert ApiToken.objects.get(pk=token.pk).created_in == this_month
    for model in (ApiToken, ApiUse):
        assert not any(isinstance(field, models.DateTimeField | models.TimeField | models.GenericIPAddressField)
                       for field in model._meta.get_fields())


@pytest.fixture(params=["memory", "redis"])
def rate_cache(request, settings):
    """The "api" cache without Redis (each process's memory), or on Redis."""
    if request.param == "memory":
        settings.CACHES = {**settings.CACHES, "api": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                                      "LOCATION": "api-rate-test"}}
    if request.param == "redis":
        import os

        broker = os.environ.get("CELERY_BROKER_URL", "")
        if not broker.startswith("redis"):
            # Like the PostgreSQL-only tests on SQLite: the embedded default has no Redis.
            pytest.skip("the Redis variant runs when CELERY_BROKER_URL names the tests' Redis (as .ci/run does)")
        settings.CACHES = {**settings.CACHES, "api": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                                      "LOCATION": broker, "KEY_PREFIX": "api-test"}}
    from django.core.cache import caches

    caches["api"].clear()
    yield request.param
    caches["api"].clear()


def test_the_rate_limit_answers_429_with_retry_after(client, published, issue, settings, rate_cache):
    settings.API_RATE_LIMIT = 3
    _, text = issue(programmes=[published["programme"]])
    _, other = issue(programmes=[published["programme"]])

    answers = [client.get("/api/v1/programmes", **bearer(text)).status_code for _ in range(4)]

    assert answers[:3] == [200, 200, 200]
    response = client.get("/api/v1/programmes", **bearer(text))
    problem(response, 429)
    assert 1 <= int(response["Retry-After"]) <= 60
    assert client.get("/api/v1/programmes", **bearer(other)).status_code == 200  # per token


def test_errors_under_api_are_problems_never_html(client, published, issue, monkeypatch):
    _, text = issue(programmes=[published["programme"]])

    problem(client.get("/api/nowhere", **bearer(text)), 404)
    problem(client.get("/api/"), 404)
    forging = Client(enforce_csrf_checks=True)
    problem(forging.post("/api/v1/programmes", **bearer(text)), 405)
    problem(forging.post("/api/openapi.json"), 405)
    problem(forging.post("/api/nowhere"), 404)
    problem(client.get("/api/v1/reports/desertion-help/2023-13", **bearer(text)), 400)

    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(ReferenceFigure.objects, "all", broken)
    client.raise_request_exception = False
    problem(client.get("/api/v1/reference-figures", **bearer(text)), 500)


def test_problems_speak_russian_when_asked(client, published):
    body = problem(client.get("/api/v1/programmes", HTTP_ACCEPT_LANGUAGE="ru"), 401)

    assert "Authorization" in body["detail"] and "токен" in body["detail"]


ORIGIN = "https://data.example.org"


def test_cors_is_off_unless_the_token_allows_its_origin(client, published, issue):
    _, plain = issue(programmes=[published["programme"]])
    _, cors = issue(programmes=[published["programme"]], cors_origin=ORIGIN)

    allowed = client.get("/api/v1/programmes", HTTP_ORIGIN=ORIGIN, **bearer(cors))
    elsewhere = client.get("/api/v1/programmes", HTTP_ORIGIN="https://evil.example", **bearer(cors))
    no_cors = client.get("/api/v1/programmes", HTTP_ORIGIN=ORIGIN, **bearer(plain))

    assert allowed["Access-Control-Allow-Origin"] == ORIGIN
    assert "ETag" in allowed["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Origin" not in elsewhere
    assert "Access-Control-Allow-Origin" not in no_cors


def test_a_preflight_is_answered_for_an_origin_a_valid_token_names(client, published, issue):
    issue(programmes=[published["programme"]], cors_origin=ORIGIN)
    preflight = {"HTTP_ACCESS_CONTROL_REQUEST_METHOD": "GET", "HTTP_ACCESS_CONTROL_REQUEST_HEADERS": "authorization"}

    allowed = client.options("/api/v1/programmes", HTTP_ORIGIN=ORIGIN, **preflight)
    other = client.options("/api/v1/programmes", HTTP_ORIGIN="https://evil.example", **preflight)

    assert allowed.status_code == 204
    assert allowed["Access-Control-Allow-Origin"] == ORIGIN
    assert "Authorization" in allowed["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Origin" not in other


def test_uses_at_the_same_time_are_all_counted(committed_db, this_month):
    import threading

    from django.db import connection

    programme = Programme.objects.create(slug="busy", name="Busy", first_month=this_month)
    token = ApiToken.objects.create(partner="P", profile="public", expires_on=this_month.replace(year=2027),
                                    prefix="1234abcd", secret_hash="0" * 64, created_in=this_month)
    token.programmes.add(programme)
    barrier, failures = threading.Barrier(4), []

    def use_many():
        try:
            barrier.wait()
            for _ in range(25):
                ApiUse.objects.count_one(token, this_month)
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=use_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert ApiUse.objects.get(token=token, month=this_month).count == 100


@pytest.mark.parametrize("path", ["/api/v1/reports/desertion-help", "/api/v1/programmes/desertion-help/months",
                                  "/api/v1/programmes", "/api/v1/reports/all"])
def test_lists_take_few_queries(client, published, issue, django_assert_max_num_queries, path):
    from tests.api.conftest import new_report

    for _ in range(5):
        new_report(published["programme"], published["november"].month)
    _, text = issue(programmes=Programme.objects.all())

    # The same few queries however many reports and months there are: the token, its
    # programmes, its use, the rate counter (a handful on the database cache, none on
    # Redis) and one or two for what is listed.
    with django_assert_max_num_queries(16):
        assert client.get(path, **bearer(text)).status_code == 200


def test_a_failing_rate_cache_does_not_stop_the_api(client, published, issue, settings):
    settings.CACHES = {**settings.CACHES, "api": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                                  "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
                                                  "OPTIONS": {"socket_connect_timeout": 0.2}}}
    _, text = issue(programmes=[published["programme"]])

    assert client.get("/api/v1/programmes", **bearer(text)).status_code == 200

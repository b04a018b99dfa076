"""The OpenAPI 3.1 document: served at /api/openapi.json, committed as
docs/openapi.json, and honoured by the app (schemathesis, against the app itself over
WSGI, with a real token and demo data whose November is accepted)."""

import json

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.management.commands.openapi_document import DOCUMENT
from config.wsgi import application
from intake.models import Programme

from .conftest import NOVEMBER, new_report


def test_the_served_document_is_openapi_3_1_and_equals_the_committed_one(client):
    served = client.get("/api/openapi.json")

    assert served.status_code == 200
    assert served.json()["openapi"] == "3.1.0"
    assert served.json() == json.loads(DOCUMENT.read_text(encoding="utf-8")), (
        "docs/openapi.json is out of date: run `python manage.py openapi_document --write`"
    )


schema = schemathesis.openapi.from_dict(json.loads(DOCUMENT.read_text(encoding="utf-8")))
schema.app = application


@pytest.fixture
def token_text(published, small_programme, issue, settings_for_fuzzing):
    new_report(None, NOVEMBER)  # all programmes: accepted in both, with a few small counts
    _, text = issue(programmes=Programme.objects.all())
    return text


@pytest.fixture
def settings_for_fuzzing(settings):
    settings.API_RATE_LIMIT = 100_000  # the fuzzer asks far more than 60 times a minute
    # The app is called over WSGI, as a server would; like Django's test client, keep
    # the test's database connection (and transaction) open between its requests.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_app_honours_its_openapi_document(case, token_text):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token_text}"},
        checks=[status_code_conformance, content_type_conformance, response_schema_conformance,
                response_headers_conformance, negative_data_rejection],
    )

"""Verification of exports that carry a profile (issue 15): an internal export with its
"profile" key matches its stored version as before; a partner or public export is
compared with the published document the app makes of that version for its profile, and
one the app publishes nothing for is refused with the reason, never a crash."""

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from reports.disclosure import published_document
from reports.publication import served_publication
from tests.conftest import table_rows, text_of
from tests.reports.accepting import accept_month

VERIFY = "/reports/verify/"
NOVEMBER = dt.date(2023, 11, 1)


def exported(document: dict) -> bytes:
    """A document as the JSON export writes it."""
    return json.dumps(document, ensure_ascii=False, indent=2).encode()


def upload(client, content: bytes):
    return client.post(VERIFY, {"file": SimpleUploadedFile("report.json", content, "application/json")})


@pytest.fixture
def auditor_client(auditor, client_for):
    return client_for(auditor)


def as_published(report, profile: str) -> dict:
    """The partner or public JSON file of a report as published at acceptance, read back."""
    return json.loads(served_publication(report, profile).text("json", "en"))


@pytest.fixture
def accepted(november_report, staff, auditor):
    accept_month(november_report.programme, NOVEMBER, staff=staff, auditor=auditor)
    return november_report


def test_an_internal_export_with_its_profile_matches_its_stored_version(november_report, auditor_client):
    response = upload(auditor_client, exported(published_document(november_report, "internal")))

    assert response.status_code == 200
    assert "The file matches Desertion help (demo), November 2023 · version 1 exactly: every figure in it is the " \
           "one stored." in text_of(response)


def test_a_public_export_matches_the_public_figures_of_its_version(accepted, auditor_client):
    response = upload(auditor_client, exported(as_published(accepted, "public")))

    assert response.status_code == 200
    assert ("The file matches Desertion help (demo), November 2023 · version 1 exactly for the profile “public”: "
            "every figure in it, and its fingerprint, is what the app publishes") in text_of(response)


def test_a_changed_public_figure_is_named_against_the_published_one(accepted, auditor_client):
    document = as_published(accepted, "public")
    document["window"]["current"]["requests"] = 577

    response = upload(auditor_client, exported(document))

    page = text_of(response)
    assert "The file does not match Desertion help (demo), November 2023 · version 1: 1 figure differs." in page
    assert "The file carries the profile “public”: it is compared with the figures the app publishes" in page
    assert "Published now" in page
    assert table_rows(response, "data-differences") == [
        ["Recent months and the months before: Requests in the recent months", "577", "575"]]


def test_a_public_export_of_a_month_not_accepted_is_refused_with_the_reason(november_report, auditor_client):
    document = published_document(november_report, "internal") | {"profile": "public"}

    response = upload(auditor_client, exported(document))

    assert response.status_code == 400
    assert ("This export carries the profile “public”: its figures are rounded or withheld, so it can only be "
            "compared with the figures the app publishes of this version for that profile, and it publishes none "
            "now. November 2023 of Desertion help (demo) is not accepted yet") in text_of(response)


def test_a_profile_the_app_does_not_make_is_refused(november_report, auditor_client):
    response = upload(auditor_client, exported(published_document(november_report, "internal") | {"profile": "press"}))

    assert response.status_code == 400
    assert "The export’s profile “press” is not one the app makes (internal, partner or public)." in text_of(response)


def test_the_command_checks_a_partner_export(accepted, tmp_path, capsys):
    path = tmp_path / "report.json"
    path.write_bytes(exported(as_published(accepted, "partner")))

    call_command("verify_report", str(path))

    assert capsys.readouterr().out == "Matches the partner figures of desertion-help 2023-11 v1 exactly.\n"
    document = as_published(accepted, "partner")
    document["by_status_end_of_month"]["open"] = 227
    path.write_bytes(exported(document))
    with pytest.raises(CommandError, match="1 figure differs"):
        call_command("verify_report", str(path))
    assert "by_status_end_of_month.open: in the file 227, partner now 225" in capsys.readouterr().out

"""Every file of a publication is signed and logged when the month is published
(issues 23 + 25 joined): the signature is served next to each export, at its URL with
.minisig appended, and a key that cannot be used stops the publication whole."""

import datetime as dt
import json

import pytest

from publications.models import LogEntry, SignedFile
from reports.models import Publication, PublicationAttempt
from reports.publication import PublicationFailed
from tests.conftest import make_user
from tests.reports.accepting import accept_month

NOVEMBER = dt.date(2023, 11, 1)
URL = "/reports/desertion-help/2023-11/v1"


@pytest.fixture
def people(db):
    return make_user("staff-w", "Staff"), make_user("auditor-w", "Auditor")


def trusted(signature: str) -> dict:
    return json.loads(signature.splitlines()[2].removeprefix("trusted comment: "))


def test_accepting_a_month_signs_every_file_of_every_publication_in_the_log(people, november_report):
    staff, auditor = people

    accept_month(november_report.programme, NOVEMBER, staff=staff, auditor=auditor)

    publications = list(Publication.objects.all())
    signed = {(s.publication_id, s.language, s.kind): s.entry for s in SignedFile.objects.select_related("entry")}
    assert publications and len(signed) == len(publications) * 4  # English and Russian, JSON and CSV
    assert LogEntry.objects.count() == len(signed)
    for publication in publications:
        for language in ("en", "ru"):
            for kind in ("json", "csv"):
                entry = signed[(publication.pk, language, kind)]
                assert bytes(entry.content) == publication.text(kind, language).encode()
                comment = trusted(entry.signature)
                assert (comment["month"], comment["version"], comment["profile"], comment["fingerprint"],
                        comment["language"], comment["kind"]) == (
                    "2023-11", publication.version, publication.profile, publication.fingerprint, language, kind)


def test_the_signature_is_served_at_the_exports_url_with_minisig_in_the_readers_language(people, november_report,
                                                                                         client_for):
    staff, auditor = people
    accept_month(november_report.programme, NOVEMBER, staff=staff, auditor=auditor)
    client = client_for(staff)

    served = {}
    for language in ("en", "ru"):
        for kind in ("json", "csv"):
            export = client.get(f"{URL}.{kind}?profile=public", HTTP_ACCEPT_LANGUAGE=language)
            signature = client.get(f"{URL}.{kind}.minisig?profile=public", HTTP_ACCEPT_LANGUAGE=language)
            assert signature.status_code == 200
            assert signature["Content-Disposition"] == (
                f'attachment; filename="report-desertion-help-2023-11-v1-public.{kind}.minisig"')
            entry = LogEntry.objects.get(index=trusted(signature.content.decode())["log_index"])
            assert signature.content.decode() == entry.signature
            assert bytes(entry.content) == export.content
            assert trusted(signature.content.decode())["language"] == language
            served[language, kind] = export.content
    assert served["ru", "csv"] != served["en", "csv"]  # each language its own file, and signature


def test_no_signature_for_internal_figures_or_a_month_not_published(people, november_report, client_for):
    client = client_for(people[0])

    internal = client.get(f"{URL}.json.minisig")
    unpublished = client.get(f"{URL}.json.minisig?profile=public")

    assert internal.status_code == 404
    assert "Internal figures are never published, so they are not signed" in internal.content.decode()
    assert unpublished.status_code == 404
    assert "not published" in unpublished.content.decode()


def test_a_missing_key_stops_the_publication_whole_and_the_attempt_says_publishing_waits(
        people, november_report, settings, tmp_path):
    settings.PUBLICATION_KEY_FILE = tmp_path / "missing.key"
    staff, auditor = people

    with pytest.raises(PublicationFailed, match="Publishing waits"):
        accept_month(november_report.programme, NOVEMBER, staff=staff, auditor=auditor)

    attempt = PublicationAttempt.objects.get(programme=november_report.programme, month=NOVEMBER)
    assert attempt.state == PublicationAttempt.State.FAILED
    assert attempt.failure.startswith("Publishing waits: ")
    assert not Publication.objects.exists() and not LogEntry.objects.exists()

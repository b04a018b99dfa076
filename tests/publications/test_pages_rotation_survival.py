"""The public Publications page and the API's list, in both languages; key rotation;
and purge and collapse leaving the log and the key file alone."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from api.models import ApiToken
from api.tokens import token_issue
from intake import demo
from intake.months import month_range
from intake.retention import month_collapse
from publications.models import Checkpoint, LogEntry, SigningKey
from reports.services import report_generate, report_request
from tests.conftest import make_user, text_of
from tests.publications.conftest import fields, publish
from tests.reports.accepting import accept_month


def test_the_publications_page_lists_each_entry_with_its_downloads_in_english_and_russian(key_file, client):
    publish("a,b\n1,2\n", name="report-desertion-help-2023-11-v1-public.csv")
    key_id = SigningKey.objects.get().key_id

    english = client.get("/publications/")
    russian = text_of(client.get("/publications/", HTTP_ACCEPT_LANGUAGE="ru"))

    page = english.content.decode()
    assert 'href="/publications/0/report-desertion-help-2023-11-v1-public.csv"' in page
    assert 'href="/publications/0/report-desertion-help-2023-11-v1-public.csv.minisig"' in page
    assert f"Publication key {key_id}" in text_of(english)
    assert "desertion-help · November 2023 · version 1 · Public figures" in text_of(english)  # no such programme here
    assert "Подписанные публикации" in russian and f"Ключ публикаций {key_id}" in russian
    assert "версия 1" in russian


def test_the_api_lists_the_same_entries(key_file, client, db):
    publish("a,b\n1,2\n", name="figures.csv")
    staff = make_user("staff-api", "Staff")
    _token, secret = token_issue(token=ApiToken(partner="Newsroom", profile="public", expires_on=dt.date(2099, 1, 1)),
                                 programmes=[], actor=staff)

    answer = client.get("/api/v1/publications", HTTP_AUTHORIZATION=f"Bearer {secret}").json()

    assert answer == [{"index": 0, "kind": "publication", "name": "figures.csv", "url": "/publications/0/figures.csv",
                       "signature_url": "/publications/0/figures.csv.minisig", "proof_url": "/publications/proof/0",
                       "key_id": SigningKey.objects.get().key_id,
                       "trusted_comment": LogEntry.objects.get().trusted_comment}]


def test_the_print_view_shows_the_key_id(key_file, november_report, client_for):
    staff = make_user("staff-print", "Staff")

    page = text_of(client_for(staff).get("/reports/desertion-help/2023-11/v1/print/"))

    assert f"Publication key {SigningKey.objects.get().key_id}" in page


def test_rotate_logs_a_statement_signed_by_both_keys_and_signs_on_with_the_new_one(key_file, client):
    publish("before\n", name="before.csv")
    old_id = SigningKey.objects.get().key_id

    call_command("publication_key", "rotate", stdout=io.StringIO())
    after = publish("after\n", name="after.csv")

    new_id = SigningKey.objects.last().key_id
    rotation = LogEntry.objects.get(index=1)
    assert rotation.kind == "key_rotation" and new_id != old_id
    assert fields(rotation.signature) | {} == fields(rotation.co_signature)
    assert fields(rotation.signature)["old_key"] == old_id and fields(rotation.signature)["new_key"] == new_id
    assert f"old key {old_id}" in bytes(rotation.content).decode()
    assert after.index == 2 and after.key_id == new_id
    assert new_id in client.get("/publications/key.pub").content.decode()
    assert old_id in client.get(f"/publications/keys/{old_id}.pub").content.decode()
    assert client.get("/publications/1/key-rotation-1.txt.new.minisig").content.decode() == rotation.co_signature
    assert Checkpoint.objects.last().key.key_id == new_id


def test_a_lost_key_is_rotated_with_the_new_key_alone(key_file):
    publish("before\n")
    key_file.unlink()

    call_command("publication_key", "rotate", "--old-key-lost", stdout=io.StringIO())

    rotation = LogEntry.objects.get(index=1)
    assert fields(rotation.signature)["old_key_lost"] is True and rotation.co_signature == ""
    assert publish("after\n").index == 2


def test_a_key_file_swapped_by_hand_stops_publishing(key_file):
    publish("before\n")
    key_file.unlink()
    with pytest.raises(Exception, match="the log already signs with key"):
        call_command("publication_key", "create", stdout=io.StringIO())


@pytest.fixture
def accepted_november(demo_programme, november_report):
    staff, auditor = make_user("staff-s", "Staff"), make_user("auditor-s", "Auditor")
    for month in month_range(demo.FIRST_MONTH, demo.LAST_MONTH):
        if month != demo.LAST_MONTH:
            report_generate(report_id=report_request(programme=demo_programme, month=month, send=False).pk)
        accept_month(demo_programme, month, staff=staff, auditor=auditor)
    return staff


def log_state():
    return (list(LogEntry.objects.values_list("index", "leaf_hash", "signature")),
            list(Checkpoint.objects.values_list("size", "note")), list(SigningKey.objects.values_list("key_id")))


def test_collapse_and_purge_leave_the_log_and_the_key_file_alone(key_file, accepted_november, demo_programme):
    publish("november\n", name="november.csv")  # after November's own files, signed as it was published
    before, key_bytes, size = log_state(), key_file.read_bytes(), LogEntry.objects.count()

    collapsed = month_collapse(programme=demo_programme, month=demo.LAST_MONTH, actor=accepted_november)
    call_command("purge", "--confirm", "all", stdout=io.StringIO())

    assert collapsed > 0
    assert log_state() == before
    assert key_file.read_bytes() == key_bytes
    assert publish("after the purge\n").index == size

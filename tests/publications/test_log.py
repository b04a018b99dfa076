"""Signing and the transparency log: sign_and_log, the checkpoint and proofs served
at /publications/, checked by the journalists' verifier (tools/verify_publication.py,
an implementation of its own), and appends that race each other."""

import base64
import threading

import pytest
from django.db import connection

from publications import merkle
from publications.keys import PublishingWaits
from publications.models import Checkpoint, LogEntry
from publications.services import sign_and_log
from tests.publications.conftest import comment_for, fields, publish


def test_a_signature_names_organisation_scope_month_version_profile_fingerprint_and_log_index(key_file, settings):
    publish("a,b\n1,2\n", name="first.csv")

    entry = publish("a,b\n3,4\n", name="second.csv", month="2023-12", version=2)

    assert entry.index == 1
    assert fields(entry.signature) == {
        "organisation": settings.PUBLICATION_ORGANISATION, "scope": "desertion-help", "month": "2023-12", "version": 2,
        "profile": "public", "fingerprint": "sha256:" + "ab" * 32, "log_index": 1, "file": "second.csv"}


def test_each_publication_is_proved_in_the_latest_checkpoint_and_consistent_with_a_saved_one(
        key_file, journalist, capsys):
    publish("first\n", name="first.csv")
    saved = journalist.save("/publications/checkpoint", "saved-checkpoint")
    publish("second\n", name="second.csv")
    publish("third\n", name="third.csv")
    file = journalist.save_entry(0, "first.csv")
    key = journalist.save("/publications/key.pub", "key.pub")
    journalist.save_proofs(0, old_size=1)
    folder = journalist.folder

    code, lines = journalist.verify(capsys, file, "--key", key, "--checkpoint", folder / "checkpoint",
                                    "--proof", folder / "proof.json", "--saved-checkpoint", saved,
                                    "--consistency", folder / "consistency.json")

    assert code == 0, lines
    assert [line.split(":")[0] for line in lines] == ["OK   signature", "OK   checkpoint", "OK   inclusion",
                                                      "OK   consistency", "All checks passed."]
    assert "3 entries" in lines[1] and "entry 0 of the log's 3" in lines[2]


def test_the_checkpoint_is_a_signed_note_of_the_logs_root(key_file, client, settings):
    publish("one\n")
    publish("two\n")

    text = client.get("/publications/checkpoint").content.decode()

    leaves = [bytes.fromhex(h) for h in LogEntry.objects.values_list("leaf_hash", flat=True)]
    body, signatures = text.split("\n\n")
    assert body.splitlines() == [settings.PUBLICATION_LOG_ORIGIN, "2", base64.b64encode(merkle.root(leaves)).decode()]
    assert signatures.startswith(f"\u2014 {settings.PUBLICATION_LOG_ORIGIN} ")


def test_a_missing_key_stops_publishing_with_one_line_and_stores_nothing(db, settings, tmp_path):
    settings.PUBLICATION_KEY_FILE = tmp_path / "missing.key"
    with pytest.raises(PublishingWaits) as refused:
        publish("figures\n")

    assert str(refused.value).startswith("Publishing waits: there is no publication key file at ")
    assert "\n" not in str(refused.value)
    assert LogEntry.objects.count() == 0 and Checkpoint.objects.count() == 0


def test_entries_are_never_changed_or_deleted(key_file):
    publish("figures\n")
    entry = LogEntry.objects.get()

    entry.name = "other.csv"
    with pytest.raises(ValueError, match="never changed"):
        entry.save()
    with pytest.raises(ValueError, match="never deleted"):
        entry.delete()


@pytest.mark.parametrize("name", ["../x.csv", "x.csv.minisig", "", "a b.csv"])
def test_a_file_name_that_could_not_be_served_is_refused(key_file, name):
    with pytest.raises(ValueError, match="not a file name"):
        sign_and_log(content=b"x", name=name, comment=comment_for())


def test_concurrent_publications_get_consecutive_indexes_and_consistent_checkpoints(committed_db, key_file):
    start = threading.Barrier(4)
    errors = []

    def publish_one(n):
        try:
            start.wait(timeout=10)
            for i in range(3):
                publish(f"thread {n} file {i}\n", name=f"t{n}-{i}.csv")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=publish_one, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert list(LogEntry.objects.values_list("index", flat=True)) == list(range(12))
    leaves = [bytes.fromhex(h) for h in LogEntry.objects.values_list("leaf_hash", flat=True)]
    for checkpoint in Checkpoint.objects.all():
        assert checkpoint.root_hash == merkle.root(leaves[:checkpoint.size]).hex(), checkpoint.size
    assert list(Checkpoint.objects.values_list("size", flat=True)) == list(range(1, 13))

"""Bad input, for the verifier and the app: one clear line, never a traceback."""

import io
import json
import os

import pytest
from django.core.management import CommandError, call_command

from publications.keys import PublishingWaits
from publications.models import LogEntry
from tests.publications.conftest import publish


@pytest.fixture
def downloaded(key_file, journalist):
    entry = publish("month,requests\n2023-11,577\n", name="figures.csv")
    publish("later\n", name="later.csv")
    file = journalist.save_entry(entry.index, "figures.csv")
    journalist.save("/publications/key.pub", "key.pub")
    journalist.save_proofs(entry.index)
    return file


def run(journalist, capsys, file, **replace):
    folder = journalist.folder
    args = {"--key": folder / "key.pub", "--checkpoint": folder / "checkpoint", "--proof": folder / "proof.json"}
    args.update(replace)
    return journalist.verify(capsys, file, *[str(v) for pair in args.items() for v in pair])


def test_the_downloaded_file_passes_every_check(downloaded, journalist, capsys):
    code, lines = run(journalist, capsys, downloaded)

    assert code == 0 and lines[-1] == "All checks passed."


def test_a_tampered_file_fails_the_signature_check(downloaded, journalist, capsys):
    downloaded.write_bytes(downloaded.read_bytes().replace(b"577", b"578"))

    code, lines = run(journalist, capsys, downloaded)

    assert code == 1
    assert lines[0] == "FAIL signature: the file is not the one key {} signed: it was changed after signing".format(
        lines[0].split("key ")[1].split(" ")[0])


def test_a_truncated_signature_is_one_line(downloaded, journalist, capsys):
    signature = downloaded.with_name("figures.csv.minisig")
    signature.write_text(signature.read_text()[:120])

    code, lines = run(journalist, capsys, downloaded)

    assert code == 1
    assert lines[0].startswith("FAIL signature: the signature file is truncated or not a minisign signature")


@pytest.mark.parametrize("key", ["not a key\n", "untrusted comment: x\nRWQ=\n", "\x00\xff binary"])
def test_a_key_in_the_wrong_format_is_one_line(downloaded, journalist, capsys, key):
    wrong = journalist.folder / "wrong.pub"
    wrong.write_bytes(key.encode("latin-1"))

    code, lines = run(journalist, capsys, downloaded, **{"--key": wrong})

    assert code == 1
    assert lines[0].startswith(f"FAIL input: {wrong} is not a minisign public key")


def test_a_proof_for_another_tree_fails_the_inclusion_check(downloaded, journalist, capsys):
    other = journalist.save("/publications/proof/0?size=1", "other-proof.json")

    code, lines = run(journalist, capsys, downloaded, **{"--proof": other})

    assert code == 1
    assert lines[2] == ("FAIL inclusion: the proof is for entry 0 of a log of 1 entries, not entry 0 of 2: it is for "
                        "another tree")


def test_a_proof_whose_hashes_were_altered_fails_the_inclusion_check(downloaded, journalist, capsys):
    proof = journalist.folder / "proof.json"
    data = json.loads(proof.read_text())
    data["hashes"] = [data["hashes"][0][:-4] + "AAA="]
    proof.write_text(json.dumps(data))

    code, lines = run(journalist, capsys, downloaded)

    assert code == 1
    assert lines[2] == "FAIL inclusion: the file and its signature are not entry 0 of the log the checkpoint describes"


def test_a_rewritten_log_fails_the_consistency_check(downloaded, journalist, capsys):
    saved = journalist.folder / "checkpoint"
    other = journalist.save("/publications/checkpoint", "same-size")  # the same tree...
    consistency = journalist.folder / "consistency.json"
    consistency.write_text(json.dumps({"old_size": 2, "new_size": 2, "hashes": []}))
    lines_of = other.read_text().splitlines()
    assert lines_of[1] == "2"

    code, lines = run(journalist, capsys, downloaded, **{"--saved-checkpoint": saved, "--consistency": consistency})

    assert code == 0, lines
    assert lines[3] == "OK   consistency: the log's 2 entries begin with the 2 of the saved checkpoint"


def test_the_verifier_gives_a_usage_line_not_a_traceback(capsys):
    from tools import verify_publication

    with pytest.raises(SystemExit) as exited:
        verify_publication.main([])

    assert exited.value.code == 1
    assert capsys.readouterr().out.startswith("FAIL usage: the following arguments are required: file, --key")


def test_the_verifier_uses_no_django():
    from tools import verify_publication

    source = open(verify_publication.__file__).read()
    assert "django" not in source.lower().replace("no django", "")


# --- the key file -------------------------------------------------------------------------------------------


def test_create_makes_a_file_only_its_owner_reads_and_never_writes_over_one(key_file):
    before = key_file.read_bytes()

    with pytest.raises(CommandError, match="already exists, and a key is never written over"):
        call_command("publication_key", "create", stdout=io.StringIO())

    assert oct(os.stat(key_file).st_mode & 0o777) == "0o600"
    assert key_file.read_bytes() == before


def test_a_key_file_others_can_read_is_refused_with_one_line(key_file):
    key_file.chmod(0o644)

    with pytest.raises(PublishingWaits) as refused:
        publish("figures\n")

    assert str(refused.value) == (f"Publishing waits: the publication key file {key_file} can be read by other accounts "
                                  f"(mode 644). Make it readable by the app's account only: chmod 600 {key_file}.")
    assert LogEntry.objects.count() == 0


def test_a_file_that_is_not_a_key_is_refused_with_one_line(key_file):
    key_file.write_text("not a key")

    with pytest.raises(PublishingWaits, match=r"is not an Ed25519 private key in PEM format\. Restore"):
        publish("figures\n")


def test_show_prints_the_key_pub_the_site_serves(key_file, client):
    out = io.StringIO()

    call_command("publication_key", "show", stdout=out)

    assert client.get("/publications/key.pub").content.decode() in out.getvalue()

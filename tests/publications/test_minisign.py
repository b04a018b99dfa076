"""The stock minisign (Debian's package; `python3 dev.py test` installs it like Chromium)
checks what the app signs: the file verifies; a changed byte, a changed trusted comment
and another organisation's key are each refused. And the end test of issue 25: the
public export of the demo's accepted November 2023, signed and logged, verifies with
minisign and with the journalists' verifier against a checkpoint saved before a later
publication."""

import datetime as dt
import json
import shutil
import subprocess

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from publications import minisign
from tests.conftest import make_user
from tests.publications.conftest import fields, publish
from tests.reports.accepting import accept_month, accept_months

MINISIGN = shutil.which("minisign") or "minisign"


def minisign_verify(file, key) -> subprocess.CompletedProcess:
    return subprocess.run([MINISIGN, "-Vm", str(file), "-p", str(key)], capture_output=True, text=True, timeout=30)


@pytest.fixture
def saved(key_file, journalist):
    """A public file, its signature and the key, as a journalist downloads them."""
    entry = publish("month,requests\n2023-11,577\n", name="figures.csv")
    journalist.save("/publications/key.pub", "key.pub")
    return journalist.save_entry(entry.index, "figures.csv")


def test_stock_minisign_verifies_a_signed_publication_and_shows_its_trusted_comment(saved):
    result = minisign_verify(saved, saved.parent / "key.pub")

    assert result.returncode == 0, result.stderr
    assert "Signature and comment signature verified" in result.stdout
    assert '"scope":"desertion-help","month":"2023-11"' in result.stdout and '"log_index":0' in result.stdout


def test_stock_minisign_refuses_a_file_changed_by_one_byte(saved):
    saved.write_bytes(saved.read_bytes().replace(b"577", b"578"))

    result = minisign_verify(saved, saved.parent / "key.pub")

    assert result.returncode != 0
    assert "Signature verification failed" in result.stderr


def test_stock_minisign_refuses_a_changed_trusted_comment(saved):
    signature = saved.with_name("figures.csv.minisig")
    signature.write_text(signature.read_text().replace('"month":"2023-11"', '"month":"2023-10"'))

    result = minisign_verify(saved, saved.parent / "key.pub")

    assert result.returncode != 0
    assert "Comment signature verification failed" in result.stderr


def test_stock_minisign_refuses_another_organisations_key(saved):
    another = saved.parent / "another.pub"
    another.write_text(minisign.public_key_file(Ed25519PrivateKey.generate().public_key()))

    result = minisign_verify(saved, another)

    assert result.returncode != 0
    assert "Signature key id in" in result.stderr


def test_the_demo_novembers_public_export_verifies_with_minisign_and_against_a_saved_checkpoint(
        november_report, journalist, client_for, capsys):
    """The real flow, with the tests' key (tests/environment.py): the auditor's acceptance
    publishes November, signed; a journalist saves the public JSON export, its .minisig,
    the key and a checkpoint; December is published later; both checks still hold."""
    staff, auditor = make_user("staff-sign", "Staff"), make_user("auditor-sign", "Auditor")
    programme = november_report.programme
    accept_month(programme, dt.date(2023, 11, 1), staff=staff, auditor=auditor)
    client = client_for(staff)
    file = journalist.folder / "report-desertion-help-2023-11-v1-public.json"
    file.write_bytes(client.get("/reports/desertion-help/2023-11/v1.json?profile=public").content)
    signature = client.get("/reports/desertion-help/2023-11/v1.json.minisig?profile=public").content
    file.with_name(file.name + ".minisig").write_bytes(signature)
    index = fields(signature.decode())["log_index"]
    saved_checkpoint = journalist.save("/publications/checkpoint", "saved-checkpoint")
    old_size = int(saved_checkpoint.read_text().splitlines()[1])
    accept_months(programme, dt.date(2023, 12, 1), staff=staff, auditor=auditor, first=dt.date(2023, 12, 1))
    key = journalist.save("/publications/key.pub", "key.pub")

    result = minisign_verify(file, key)
    journalist.save_proofs(index, old_size=old_size)
    folder = journalist.folder
    code, lines = journalist.verify(capsys, file, "--key", key, "--checkpoint", folder / "checkpoint",
                                    "--proof", folder / "proof.json", "--saved-checkpoint", saved_checkpoint,
                                    "--consistency", folder / "consistency.json")

    size = int((folder / "checkpoint").read_text().splitlines()[1])
    assert size > old_size  # December was published, signed and logged after the saved checkpoint
    assert result.returncode == 0, result.stderr
    assert f'"fingerprint":"{json.loads(file.read_bytes())["fingerprint"]}"' in result.stdout
    assert code == 0, lines
    assert lines[2:4] == [f"OK   inclusion: entry {index} of the log's {size}",
                          f"OK   consistency: the log's {size} entries begin with the {old_size} of the saved checkpoint"]

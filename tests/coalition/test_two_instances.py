"""Issue 26, point 5: two real instances of the app. Instance B (another organisation:
its own database, key file and gunicorn, tests/coalition/conftest.py) accepts and
publishes its November; instance A (this test's database and client) pins B's key,
fetches B's /publications/ over HTTP and shows B's figures beside its own. A changed
byte, a wrong key, a forked log, a document B never published and a B that is down:
each refused with its reason, nothing stored, the page still showing what verified."""

import io
import re
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command

from coalition.models import PeerAttempt, PeerDocument
from publications import minisign
from tests.conftest import make_user, text_of

pytestmark = pytest.mark.django_db
NOVEMBER = "/coalition/2023-11/"


def add_b(instance_b, tmp_path: Path, *, key_text: str | None = None, url: str | None = None) -> None:
    key = tmp_path / "b.pub"
    key.write_text(key_text or instance_b.get("publications/key.pub").decode())
    call_command("peer_add", "org-b", "--key", str(key), "--url", url or instance_b.url, stdout=io.StringIO())


def fetch(name: str = "org-b") -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("peer_fetch", name, stdout=out, stderr=err)
    except CommandError as exc:
        return out.getvalue(), err.getvalue() + str(exc)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def staff_page(client_for):
    client = client_for(make_user("coalition-staff", "Staff"))
    return lambda: client.get(NOVEMBER)


def test_a_fetches_bs_signed_november_over_http_and_shows_it_with_its_provenance(instance_b, tmp_path, staff_page):
    add_b(instance_b, tmp_path)

    out, err = fetch()
    page = staff_page()

    # B's November in English: its programme's document and all programmes'.
    assert "2 document(s) stored, 0 refused" in out, err
    assert sorted(PeerDocument.objects.values_list("scope", flat=True)) == ["all", "b-help"]
    document = PeerDocument.objects.get(scope="all")
    assert str(document.month) == "2023-11-01"
    assert bytes(document.content) == instance_b.get(f"publications/{document.log_index}/{document.name}")
    text = text_of(page)
    key_id = instance_b.get("publications/key.pub").decode().split()[-2]
    assert "Organisation B" in text and key_id in text and "signature and log verified" in text
    # B's public November: 121 requests, published as 120; the combined range widened by 2.
    assert "November 2023 120 between 118 and 122" in text
    # A second fetch finds nothing new and stores nothing twice.
    assert "0 document(s) stored, 0 refused" in fetch()[0]


def test_a_document_changed_by_one_byte_at_b_is_refused_and_nothing_is_stored(instance_b_changed, tmp_path,
                                                                              staff_page):
    add_b(instance_b_changed, tmp_path)
    instance_b_changed.run("tamper")

    _out, err = fetch()

    assert "Refused (changed)" in err and "changed after signing" in err
    assert not PeerDocument.objects.filter(scope="all").exists()
    assert PeerAttempt.objects.get().kind == PeerAttempt.Kind.CHANGED
    text = text_of(staff_page())
    assert "Alarm: 1 answer from" in text and "was refused" in text


def test_bs_documents_are_refused_under_another_key(instance_b, tmp_path, staff_page):
    another = minisign.public_key_file(Ed25519PrivateKey.generate().public_key())
    add_b(instance_b, tmp_path, key_text=another)

    _out, err = fetch()

    assert "Refused (wrong_key)" in err and "not signed by the key given" in err
    assert PeerDocument.objects.count() == 0
    assert "Alarm" in text_of(staff_page())


def test_a_rewritten_log_at_b_is_a_fork_refused_and_the_figures_verified_before_stay(instance_b_changed, tmp_path,
                                                                                     staff_page):
    add_b(instance_b_changed, tmp_path)
    assert "2 document(s) stored" in fetch()[0]
    instance_b_changed.run("rewrite")

    _out, err = fetch()

    assert "Refused (fork)" in err and "it was rewritten" in err
    assert PeerDocument.objects.count() == 2
    text = text_of(staff_page())
    assert "Alarm: 1 answer from Organisation B" in text and "November 2023 120 between 118 and 122" in text


def test_a_document_b_never_logged_is_refused_on_import(instance_b, tmp_path):
    add_b(instance_b, tmp_path)
    instance_b.run("unlogged", str(tmp_path))

    with pytest.raises(CommandError, match=r"Refused \(not_in_log\): Entry 0 of the peer's log is not this document"):
        call_command("peer_import", "org-b", str(tmp_path / "october.json"), str(tmp_path / "october.json.minisig"))

    assert PeerDocument.objects.count() == 0
    assert PeerAttempt.objects.get().kind == PeerAttempt.Kind.NOT_IN_LOG


def test_a_document_received_by_hand_is_imported_with_bs_checkpoint_and_proof(instance_b, tmp_path):
    key = tmp_path / "b.pub"
    key.write_bytes(instance_b.get("publications/key.pub"))
    call_command("peer_add", "org-b", "--key", str(key), stdout=io.StringIO())  # no address: files only
    # The first public JSON file B's Publications page links to.
    index, name = re.search(r'href="[^"]*/publications/(\d+)/(report-[a-z0-9-]+-public\.json)"',
                            instance_b.get("publications/").decode()).groups()
    for path, saved in ((f"publications/{index}/{name}", name),
                        (f"publications/{index}/{name}.minisig", f"{name}.minisig"),
                        ("publications/checkpoint", "checkpoint"), (f"publications/proof/{index}", "proof.json")):
        (tmp_path / saved).write_bytes(instance_b.get(path))

    out = io.StringIO()
    call_command("peer_import", "org-b", str(tmp_path / name), str(tmp_path / f"{name}.minisig"),
                 "--checkpoint", str(tmp_path / "checkpoint"), "--proof", str(tmp_path / "proof.json"), stdout=out)

    assert "Verified and stored" in out.getvalue()
    assert PeerDocument.objects.get().log_index == int(index)


def test_when_b_is_down_the_page_says_so_and_keeps_the_figures_last_verified(instance_b, tmp_path, staff_page):
    add_b(instance_b, tmp_path)
    assert "2 document(s) stored" in fetch()[0]
    from coalition.models import Peer

    Peer.objects.filter(name="org-b").update(url="http://127.0.0.1:9/")  # nothing listens there: B is down

    _out, err = fetch()

    assert "Refused (unreachable)" in err and "cannot be reached" in err
    text = text_of(staff_page())
    assert "The last fetch from Organisation B failed: The peer cannot be reached" in text
    assert "Its figures verified up to" in text and "November 2023 120 between 118 and 122" in text

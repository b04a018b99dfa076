"""Instance B of the two-instance tests, run in B's own environment (its database, its
key file): `python tests/coalition/instance_b.py ACTION [FOLDER]`.

- publish: B's publication key made; a programme with requests from June to November
  2023, November reported, submitted and accepted as the review pages do it, so that B
  publishes it (its programme's and all programmes' documents, signed and logged);
- unlogged FOLDER: a document for October signed with B's key but never logged (what
  a peer "never published"), written to FOLDER as october.json and its .minisig;
- tamper: one byte of B's logged November document changed in B's database;
- rewrite: B's log rewritten: every entry and checkpoint deleted, and another November
  document signed and logged in their place (a fork)."""

import datetime as dt
import io
import json
import os
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(PROJECT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from intake.models import Category, HelpRequest, Programme  # noqa: E402
from intake.months import month_range  # noqa: E402
from intake.services import requests_add  # noqa: E402
from publications import minisign  # noqa: E402
from publications.keys import load_private_key  # noqa: E402
from publications.models import Checkpoint, LogEntry, SignedFile  # noqa: E402
from publications.services import sign_and_log  # noqa: E402
from tests.conftest import make_user  # noqa: E402
from tests.reports.accepting import accept_month, make_report  # noqa: E402

NOVEMBER = dt.date(2023, 11, 1)
# Requests a month, June to November: enough that public figures are rounded, not hidden.
COUNTS = [41, 57, 63, 77, 88, 121]


def document_bytes(document: dict) -> bytes:
    """As the JSON export serves it (reports.views._export)."""
    return json.dumps(document, ensure_ascii=False, indent=2).encode()


def sign(document: dict) -> None:
    comment = {"scope": "all", "month": document["month"], "version": document["version"], "profile": "public",
               "fingerprint": document["fingerprint"], "language": "en", "kind": "json"}
    sign_and_log(content=document_bytes(document), name="report-all-2023-11-v1-public.json", comment=comment)


def november() -> LogEntry:
    """The log entry of B's all-programmes public November, in English: what A shows."""
    return SignedFile.objects.get(publication__month=NOVEMBER, publication__programme=None,
                                  publication__profile="public", language="en", kind="json").entry


def publish() -> None:
    call_command("publication_key", "create", stdout=io.StringIO())
    programme = Programme.objects.create(slug="b-help", name="B help", first_month=dt.date(2023, 6, 1))
    staff, auditor = make_user("b-staff", "Staff"), make_user("b-auditor", "Auditor")
    for month, count in zip(month_range(programme.first_month, NOVEMBER), COUNTS, strict=True):
        requests_add([HelpRequest(programme=programme, month=month, category=Category.DESERTION) for _ in range(count)])
    make_report(programme, NOVEMBER)
    accept_month(programme, NOVEMBER, staff=staff, auditor=auditor)  # published and signed as the worker does


def unlogged(folder: Path) -> None:
    content = bytes(november().content).replace(b'"2023-11"', b'"2023-10"')
    comment = json.dumps({"organisation": "Organisation B", "scope": "b-help", "month": "2023-10", "version": 1,
                          "profile": "public", "fingerprint": "sha256:" + "0" * 64, "log_index": 0,
                          "file": "october.json"}, separators=(",", ":"))
    (folder / "october.json").write_bytes(content)
    (folder / "october.json.minisig").write_text(
        minisign.sign(load_private_key(), content, trusted_comment=comment, untrusted_comment="never logged"))


def tamper() -> None:
    entry = november()
    LogEntry.objects.filter(pk=entry.pk).update(content=bytes(entry.content).replace(b'"2023-11"', b'"2023-1!"', 1))


def rewrite() -> None:
    document = json.loads(bytes(november().content))
    with connection.cursor() as cursor:  # what an intruder with the database does: the app never deletes
        cursor.execute(f"DELETE FROM {SignedFile._meta.db_table}")
        cursor.execute(f"DELETE FROM {Checkpoint._meta.db_table}")
        cursor.execute(f"DELETE FROM {LogEntry._meta.db_table}")
    document["requests"]["this_month"] = 60
    sign(document)


if __name__ == "__main__":
    action = sys.argv[1]
    {"publish": publish, "tamper": tamper, "rewrite": rewrite}.get(action, lambda: unlogged(Path(sys.argv[2])))()

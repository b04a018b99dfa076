"""Loaded by pytest before Django reads its settings (`-p tests.environment`).

Tests run with DEBUG off, as in production, so they need what production needs. The
embedded broker gets a folder of its own, so that a development worker running on the
same machine cannot take the tests' messages.

Under pytest-xdist (`-n`), each worker process has a test database of its own
(pytest-django adds the worker's name, gw0, gw1..., to its name) and a broker of its
own: the folder above, or on Redis the database after the one CELERY_BROKER_URL names,
one per worker (gw0 keeps it, gw1 takes the next, and so on). The Celery workers and
servers a test starts inherit these settings.
"""

import os
import re
import tempfile
from urllib.parse import urlsplit, urlunsplit


def _make_key() -> None:
    from pathlib import Path

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from publications.keys import write_key_file

    write_key_file(Path(os.environ["PUBLICATION_KEY_FILE"]), Ed25519PrivateKey.generate())


os.environ.setdefault("SECRET_KEY", "tests-only-not-secret-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ["DEBUG"] = "0"
# The test client and the live server speak plain HTTP; tests of the HTTPS settings
# set HTTPS=1 themselves.
os.environ.setdefault("HTTPS", "0")
# Most tests log in with a password alone; tests of the second factor require it.
os.environ.setdefault("TWO_FACTOR_REQUIRED", "0")
if os.environ.get("CELERY_BROKER_URL", "filesystem://").startswith("filesystem"):
    os.environ["BROKER_DIR"] = tempfile.mkdtemp(prefix="intake-test-broker-")
elif (worker := re.fullmatch(r"gw(\d+)", os.environ.get("PYTEST_XDIST_WORKER", ""))) and int(worker[1]):
    # redis://host:port/N (N is 0 when absent) -> redis://host:port/N+i for the worker gw<i>.
    broker = urlsplit(os.environ["CELERY_BROKER_URL"])
    number = int(broker.path.strip("/") or 0) + int(worker[1])
    os.environ["CELERY_BROKER_URL"] = urlunsplit(broker._replace(path=f"/{number}"))
# No test signs with a developer's publication key: the session makes a key of its own,
# once, as `publication_key create` writes it (mode 0600), so that every test that
# accepts a month publishes signed (the log records the key at its first use). Tests of
# a missing or bad key set a path of their own (tests/publications/conftest.py). The
# worker processes tests start inherit the path.
os.environ["PUBLICATION_KEY_FILE"] = os.path.join(tempfile.mkdtemp(prefix="intake-test-key-"), "publication.key")
_make_key()
# The replica (.ci/replica) is for the servers the replica tests start (tests/test_replica.py):
# in this process, every test reads and writes the primary only.
# (Kept under another name for pytest-xdist's workers, which start with this environment.)
REPLICA_URL = os.environ.pop("DATABASE_REPLICA_URL", "") or os.environ.get("TESTS_REPLICA_URL", "")
os.environ["TESTS_REPLICA_URL"] = REPLICA_URL
# Production settings name the time zone; the tests' clocks are set in UTC.
os.environ.setdefault("TIME_ZONE", "UTC")

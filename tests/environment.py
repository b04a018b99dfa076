"""Loaded by pytest before Django reads its settings (`-p tests.environment`).

Tests run with DEBUG off, as in production, so they need what production needs. The
embedded broker gets a folder of its own, so that a development worker running on the
same machine cannot take the tests' messages.
"""

import os
import tempfile

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
# Production settings name the time zone; the tests' clocks are set in UTC.
os.environ.setdefault("TIME_ZONE", "UTC")

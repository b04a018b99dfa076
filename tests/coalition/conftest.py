import os
import shutil
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.gunicorn import PROJECT, gunicorn

SCRIPT = PROJECT / "tests" / "coalition" / "instance_b.py"


@dataclass
class InstanceB:
    """Another organisation's instance of the app: its own SQLite database and key file,
    served by gunicorn on a loopback port."""

    folder: Path
    environment: dict
    url: str = ""

    def run(self, *arguments: str) -> None:
        done = subprocess.run([sys.executable, str(SCRIPT), *arguments], cwd=PROJECT, env=os.environ | self.environment,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-3000:]

    def get(self, path: str) -> bytes:
        with urllib.request.urlopen(self.url + path, timeout=10) as response:  # nosec B310: the test's own server
            return response.read()

    @property
    def database(self) -> Path:
        return self.folder / "b.sqlite3"

    def save(self) -> None:
        shutil.copy(self.database, self.folder / "saved.sqlite3")

    def restore(self) -> None:
        shutil.copy(self.folder / "saved.sqlite3", self.database)


@pytest.fixture(scope="module")
def instance_b(tmp_path_factory):
    """Instance B, started once for the module, with its November accepted, published
    and signed; a test that changes B restores it (instance_b_changed)."""
    folder = tmp_path_factory.mktemp("instance-b")
    environment = {"DATABASE_URL": f"sqlite:///{folder / 'b.sqlite3'}", "CELERY_BROKER_URL": "filesystem://",
                   "BROKER_DIR": str(folder / "broker"), "PUBLICATION_KEY_FILE": str(folder / "keys" / "b.key"),
                   "PUBLICATION_ORGANISATION": "Organisation B", "PUBLICATION_LOG_ORIGIN": "b.example/publications",
                   "DATABASE_CONN_MAX_AGE": "0"}
    b = InstanceB(folder=folder, environment=environment)
    done = subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=PROJECT,
                          env=os.environ | environment, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    b.run("publish")
    b.save()
    with gunicorn(folder / "gunicorn.log", **environment) as port:
        b.url = f"http://127.0.0.1:{port}/"
        yield b


@pytest.fixture
def instance_b_changed(instance_b):
    """Instance B, to be changed by the test, and put back as published afterwards."""
    yield instance_b
    instance_b.restore()

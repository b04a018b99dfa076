"""The app served by gunicorn in a subprocess, as production runs it."""

import os
import re
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


@contextmanager
def gunicorn(log_path: Path, *arguments: str, **environment: str):
    """Serves the app with the project's gunicorn settings, on a free port of 127.0.0.1
    with one worker; yields the port. Whatever it writes goes to log_path."""
    command = [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi",
               "--bind", "127.0.0.1:0", "--workers", "1", *arguments]
    with open(log_path, "w") as log:
        server = subprocess.Popen(command, cwd=PROJECT, env=os.environ | environment, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 30
        while not (listening := re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", log_path.read_text())):
            assert server.poll() is None and time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.05)
        yield int(listening[1])
    finally:
        server.terminate()
        server.wait(timeout=30)

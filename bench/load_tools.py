"""Loading a page for a number of seconds at a number of connections: with wrk
(Debian's package), or without it with threads in this process."""

import http.client
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass

from bench import BenchError
from bench.measure import percentile


@dataclass(frozen=True)
class LoadResult:
    per_second: float
    p50: float  # seconds
    p95: float
    errors: int


# wrk's --latency prints no 95th percentile: this script prints what the bench reads.
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("bench-result %d %d %d %d %d\\n", summary.requests, summary.duration,
    e.connect + e.read + e.write + e.status + e.timeout, latency:percentile(50), latency:percentile(95)))
end
"""


def wrk_version() -> str | None:
    wrk = shutil.which("wrk")
    if wrk is None:
        return None
    shown = subprocess.run([wrk, "--version"], capture_output=True, text=True).stdout
    return shown.split("Copyright")[0].strip() or "wrk"


def load_with_wrk(url: str, cookie: str, *, connections: int, seconds: int) -> LoadResult:
    threads = max(1, min(connections, os.cpu_count() or 1))
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(WRK_SCRIPT)
        script.flush()
        # A slow page must be measured, not dropped: wrk's own timeout is 2 s.
        run = subprocess.run(
            ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--timeout", "60s",
             "-s", script.name, "-H", f"Cookie: {cookie}", url],
            capture_output=True, text=True,
        )
    found = re.search(r"bench-result (\d+) (\d+) (\d+) (\d+) (\d+)", run.stdout)
    if run.returncode or found is None:
        raise BenchError(f"wrk failed (exit code {run.returncode}):\n{run.stdout}\n{run.stderr}")
    requests, duration_us, errors, p50_us, p95_us = map(int, found.groups())
    return LoadResult(requests / (duration_us / 1e6), p50_us / 1e6, p95_us / 1e6, errors)


def load_with_threads(url: str, cookie: str, *, connections: int, seconds: int) -> LoadResult:
    """`connections` threads, each sending one request after another for `seconds`."""
    address = re.fullmatch(r"http://([^:/]+):(\d+)(/.*)", url)
    host, port, path = address[1], int(address[2]), address[3]
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client() -> None:
        server = http.client.HTTPConnection(host, port, timeout=60)
        mine, failed = [], 0
        while (start := time.perf_counter()) < deadline:
            try:
                server.request("GET", path, headers={"Cookie": cookie})
                response = server.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                server.close()
                failed += 1
                continue
            if response.status == 200:
                mine.append(time.perf_counter() - start)
            else:
                failed += 1
        server.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    started = time.perf_counter()
    clients = [threading.Thread(target=client) for _ in range(connections)]
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join()
    elapsed = time.perf_counter() - started
    if not latencies:
        return LoadResult(0.0, 0.0, 0.0, errors[0])
    return LoadResult(len(latencies) / elapsed, percentile(latencies, 50), percentile(latencies, 95), errors[0])

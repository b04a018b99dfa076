"""Loading a page for a number of seconds at a number of connections: with wrk
(Debian's package), or without it with threads in this process. Either gives the
throughput, the errors, and the latencies as their 1st to 100th percentiles, so that
the runs of a page can be pooled into one distribution."""

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

# Answers that count as served: a page, or "not modified" to a conditional request.
SERVED = (200, 304)


@dataclass(frozen=True)
class LoadResult:
    per_second: float
    requests: int  # answered, errors included
    errors: int
    quantiles: tuple[float, ...] = ()  # seconds: the 1st, 2nd, ... 100th percentile of the latencies

    @property
    def p50(self) -> float:
        return self.quantiles[49] if self.quantiles else 0.0

    @property
    def p95(self) -> float:
        return self.quantiles[94] if self.quantiles else 0.0


def pooled_percentile(runs: list[LoadResult], p: int) -> float:
    """The p-th percentile of the latencies of several runs together: each run's
    percentiles stand for a hundredth of its requests each."""
    points = sorted((value, run.requests / 100) for run in runs if run.quantiles for value in run.quantiles)
    if not points:
        return 0.0
    total, seen = sum(weight for _value, weight in points), 0.0
    for value, weight in points:
        seen += weight
        if seen >= total * p / 100:
            return value
    return points[-1][0]


# wrk prints no 95th percentile by itself: this script prints what the bench reads.
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("bench-result %d %d %d", summary.requests, summary.duration,
    e.connect + e.read + e.write + e.status + e.timeout))
  for p = 1, 100 do io.write(string.format(" %d", latency:percentile(p))) end
  io.write("\\n")
end
"""


def wrk_version() -> str | None:
    wrk = shutil.which("wrk")
    if wrk is None:
        return None
    shown = subprocess.run([wrk, "--version"], capture_output=True, text=True).stdout
    return shown.split("Copyright")[0].strip() or "wrk"


def load_with_wrk(url: str, headers: dict[str, str], *, connections: int, seconds: float) -> LoadResult:
    threads = max(1, min(connections, os.cpu_count() or 1))
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(WRK_SCRIPT)
        script.flush()
        # A slow page must be measured, not dropped: wrk's own timeout is 2 s.
        command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{max(1, round(seconds))}s", "--timeout", "60s",
                   "-s", script.name]
        for name, value in headers.items():
            command += ["-H", f"{name}: {value}"]
        run = subprocess.run([*command, url], capture_output=True, text=True)
    found = re.search(r"bench-result ((?:\d+ ?)+)", run.stdout)
    if run.returncode or found is None:
        raise BenchError(f"wrk failed (exit code {run.returncode}):\n{run.stdout}\n{run.stderr}")
    requests, duration_us, errors, *quantiles_us = map(int, found[1].split())
    served = requests - errors
    return LoadResult(served / (duration_us / 1e6), requests, errors,
                      tuple(q / 1e6 for q in quantiles_us) if served else ())


def load_with_threads(url: str, headers: dict[str, str], *, connections: int, seconds: float) -> LoadResult:
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
                server.request("GET", path, headers=headers)
                response = server.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                server.close()
                failed += 1
                continue
            if response.status in SERVED:
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
        return LoadResult(0.0, errors[0], errors[0])
    latencies.sort()
    quantiles = tuple(latencies[min(len(latencies) - 1, max(0, round(p / 100 * len(latencies)) - 1))]
                      for p in range(1, 101))
    return LoadResult(len(latencies) / elapsed, len(latencies) + errors[0], errors[0], quantiles)

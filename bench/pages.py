"""The pages the bench loads, each against the minimal logged-in page of the same run:
who loads it, its goal, and the rounds in which all of them take turns."""

import datetime as dt
import math
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bench import load_tools, measure, servers
from intake.months import format_month

PAGE_GOAL = 0.5  # pages at least 50% of the minimal page's throughput
NOT_MODIFIED_GOAL = 0.8  # an API answer to a matching If-None-Match: at least 80%
MINIMAL = "Minimal logged-in page /requests/find/ (coordinator; the baseline)"


@dataclass
class Page:
    label: str
    path: str
    who: str  # "staff", "coordinator", "auditor" (a session) or "api" (the bench's token)
    goal: float | None = PAGE_GOAL
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    latency: float = 0.0  # seconds, of one request with the server idle
    seconds: int = 0  # of each run
    runs: list[load_tools.LoadResult] = field(default_factory=list)


def pages(month: dt.date, version: int, programme: str, list_pages: int) -> list[Page]:
    """Every page of issue 24's goals, for the month published and its latest version
    of all programmes; the minimal page last."""
    m = format_month(month)
    report = f"/reports/all/{m}/"
    files = f"/reports/all/{m}/v{version}"
    return [
        Page(f"Report page {report} (internal)", report, "staff"),
        Page("Report page, public (?profile=public)", f"{report}?profile=public", "staff"),
        Page("Report page, partner (?profile=partner)", f"{report}?profile=partner", "staff"),
        Page(f"JSON export, public (v{version}.json?profile=public)", f"{files}.json?profile=public", "staff"),
        Page(f"CSV export, public (v{version}.csv?profile=public)", f"{files}.csv?profile=public", "staff"),
        Page("Print view, public (print/?profile=public)", f"{files}/print/?profile=public", "staff"),
        Page(f"API month /api/v1/reports/all/{m} (public token), 200", f"/api/v1/reports/all/{m}", "api"),
        Page("API month, If-None-Match matching: 304", f"/api/v1/reports/all/{m}", "api", NOT_MODIFIED_GOAL, 304),
        Page("Reports list /reports/, first page", "/reports/", "staff"),
        Page(f"Reports list, last page (?page={list_pages})", f"/reports/?page={list_pages}", "staff"),
        Page(f"Review page /review/{programme}/{m}/ (auditor)", f"/review/{programme}/{m}/", "auditor"),
        Page("Audit log /audit/ (auditor), no filter", "/audit/", "auditor"),
        Page(f"Audit log, ?month={m}", f"/audit/?month={m}", "auditor"),
        Page("Audit log, ?action=login", "/audit/?action=login", "auditor"),
        Page("Audit log, ?account=bench-staff", "/audit/?account=bench-staff", "auditor"),
        Page(f"Coordinator month grid /requests/month/{programme}/{m}/", f"/requests/month/{programme}/{m}/",
             "coordinator", None),
        Page("Coordinator home /", "/", "coordinator", None),
        Page(MINIMAL, "/requests/find/", "coordinator", None),
    ]


@dataclass
class PageRun:
    """Options of the page runs, and what they leave: the load averages seen and the
    web workers' memory after the last run."""

    rounds: int
    seconds: int
    connections: int
    tool: Callable[..., load_tools.LoadResult]
    say: Callable[[str], None]
    workers: int
    load_averages: list[float] = field(default_factory=list)
    worker_memory: list[float] = field(default_factory=list)

    def run(self, port: servers.Port, all_pages: list[Page], headers: dict[str, dict[str, str]]) -> None:
        for page in all_pages:
            page.headers = headers[page.who] | page.headers
            if page.status == 304:
                etag = servers.check_page(port, page.path, page.headers).headers["ETag"]
                page.headers = page.headers | {"If-None-Match": etag}
            taken = []
            for _worker in range(self.workers):  # every worker has served it, most likely
                start = time.perf_counter()
                servers.check_page(port, page.path, page.headers, page.status)
                taken.append(time.perf_counter() - start)
            page.latency = min(taken)
            # A run must outlast a few answers of the page under load, or a slow page
            # would complete none within it (wrk counts only what is answered in time).
            page.seconds = max(self.seconds, math.ceil(3 * page.latency * self.connections / self.workers))
        load = sum(page.seconds for page in all_pages) * self.rounds
        self.say(f"Loading {len(all_pages)} pages in turn, {self.rounds} rounds of {self.seconds:g} s or more each "
                 f"({load} s of load, and the waits between runs)")
        for _round in range(self.rounds):
            for page in all_pages:
                page.runs.append(self.load(port, page, page.seconds))
                self.load_averages.append(os.getloadavg()[0])
        self.worker_memory = [servers.memory_mib(pid) for pid in servers.children(port.pid)]

    def load(self, port: int, page: Page, seconds: int) -> load_tools.LoadResult:
        result = self.tool(f"http://127.0.0.1:{port}{page.path}", page.headers, connections=self.connections,
                           seconds=seconds)
        # When the load stops, gunicorn still serves the request each connection had
        # sent (one per connection, each as slow as the page under load): let it finish
        # them, or they would slow the next page's run.
        slowest = max(result.p95, page.latency)
        time.sleep(min(slowest * math.ceil(self.connections / self.workers) + 0.3, 120))
        return result


def lines(all_pages: list[Page]) -> list[measure.Line]:
    """One line a page: requests answered, pooled p50 and p95, and its throughput as a
    share of the minimal page's in the same round (the median over the rounds)."""
    minimal = next(page for page in all_pages if page.label == MINIMAL)
    found = []
    for page in all_pages:
        rates = [run.per_second for run in page.runs]
        errors = sum(run.errors for run in page.runs)
        line = measure.Line(
            page.label + (f" ({errors:,} failed answers)" if errors else ""),
            f"{sum(run.requests for run in page.runs):,}",
            measure.seconds(load_tools.pooled_percentile(page.runs, 50)),
            measure.seconds(load_tools.pooled_percentile(page.runs, 95)),
            f"{statistics.median(rates):.1f} req/s",
        )
        if page is not minimal:
            shares = [run.per_second / base.per_second for run, base in zip(page.runs, minimal.runs)
                      if base.per_second]
            share = statistics.median(shares) if shares else 0.0
            line.value += f", {share:.0%} of the minimal page"
            if page.goal is not None:
                line.goal = f"≥ {page.goal:.0%}"
                line.result = measure.verdict_at_least(share, page.goal)
        found.append(line)
    return found

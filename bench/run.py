"""`python -m bench` (run by `python3 dev.py bench`): the benchmark of issue 8, one table
of measurements against their baselines and goals. The machinery is in the other
modules of this package."""

import argparse
import itertools
import os
import secrets
import statistics
import sys
import time

from django.conf import settings
from django.db import connection, transaction
from django.utils.formats import number_format

from bench import BenchError, audit, dataset, load_tools, measure, servers
from intake.models import Category, Entry, HelpRequest, Status
from intake.months import format_month
from intake.services import RequestSpec, entry_undo, requests_log
from reports.models import Report
from reports.services import report_generate, report_request

LOGGED = 5000  # the most one count may log (intake.services.MAX_COUNT)
# Goals of issue 8 (docs/benchmark.md).
BODY_GOAL = 2.0  # report task body at most 2x the plain SELECT of its counts
GROWTH_GOAL = 1.5  # ... and at most 1.5x its cost at 10,000 requests
PAGE_GOAL = 0.5  # pages at least 50% of the minimal page's throughput
LOGGING_GOAL = 2.0  # logging 5,000 at most 2x a COPY of 5,000 rows
READY_GOAL = 1.0  # generate-to-ready p95 at most 1 s


def n(value: int) -> str:
    return number_format(value, force_grouping=True)


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Load N bench requests and measure reports, pages, logging and report latency against their "
                    "baselines; print one table. WIPES the database: run it on a database of its own "
                    "(docs/benchmark.md).",
    )
    parser.add_argument("--requests", type=int, default=1_000_000, help="Requests to load (default 1,000,000).")
    parser.add_argument("--small", type=int, default=10_000,
                        help="The smaller load the report's cost is compared with (default 10,000).")
    parser.add_argument("--reps", type=int, default=5, help="Repetitions of each measurement (default 5).")
    parser.add_argument("--duration", type=int, default=20,
                        help="Seconds each page is loaded, in each repetition (default 20).")
    parser.add_argument("--connections", type=int, default=16, help="Connections of the load tool (default 16).")
    parser.add_argument("--ready-reps", type=int, default=10,
                        help="Reports requested one after another to time generate-to-ready (default 10).")
    parser.add_argument("--web-workers", type=int, default=2 * (os.cpu_count() or 1) + 1,
                        help="gunicorn workers (default 2 x cores + 1).")
    parser.add_argument("--load-tool", choices=["auto", "wrk", "python"], default="auto",
                        help="wrk, this process's threads, or wrk when installed (default).")
    parser.add_argument("--audit", action="store_true",
                        help="Also time the disclosure audit of a generated five-year history (minutes; issue 23).")
    parser.add_argument("--force", action="store_true",
                        help="Wipe and load even a database holding data the bench did not make.")
    return parser


def main(argv: list[str]) -> None:
    """Run the bench with these command-line arguments; BenchError if it cannot."""
    Bench(vars(parser().parse_args(argv))).run()


class Bench:
    """One run: the options, the bench's accounts, and the data it loaded."""

    def __init__(self, options: dict):
        self.options = options

    def run(self) -> None:
        options = self.options
        for name in ("requests", "small", "reps", "duration", "connections", "ready_reps", "web_workers"):
            if options[name] < 1:
                raise BenchError(f"--{name.replace('_', '-')} must be at least 1.")
        foreign = dataset.foreign_data()
        if foreign and not options["force"]:
            raise BenchError(
                f"This database holds {', '.join(foreign)} that the bench did not make, and the bench wipes it. "
                "Run it on a database of its own, e.g. `createdb intake_bench` and "
                "DATABASE_URL=postgres://postgres@127.0.0.1:5432/intake_bench, or add --force to wipe this one."
            )
        if settings.DEBUG:
            self.say("DEBUG is on in this process: its queries are recorded, which slows the timings a little.")
        self.tool = self.load_tool(options["load_tool"])
        self.password = secrets.token_urlsafe(24)  # the accounts live as long as this run needs them
        self.staff = dataset.bench_account("bench-staff", "Staff", self.password)
        self.coordinator = dataset.bench_account("bench-coordinator", "Coordinator", self.password)
        load_average = os.getloadavg()[0]
        started = time.monotonic()
        lines = self.report_task(options["small"], options["requests"])
        lines += self.logging(self.data)
        lines += self.pages(self.data)
        lines += self.generate_to_ready(self.data)
        if options["audit"]:
            self.say("Timing the disclosure audit of a generated five-year history (no database)")
            lines += audit.lines()
        self.say(f"Done in {time.monotonic() - started:.0f} s.")
        print(
            f"Benchmark: {n(options['requests'])} requests, {dataset.MONTHS} months, {len(dataset.PROGRAMMES)} programmes; "
            f"{options['reps']} repetitions; gunicorn with {options['web_workers']} workers; "
            f"load by {self.tool_name} at {options['connections']} connections, "
            f"{options['duration']} s a run.\nMachine: {measure.machine()}; load average {load_average:.1f} "
            "at the start.\n"
        )
        print(measure.table(lines))

    def say(self, message: str) -> None:
        print(f"==> {message}", file=sys.stderr, flush=True)

    def load_tool(self, choice: str):
        version = load_tools.wrk_version()
        if choice == "wrk" or (choice == "auto" and version):
            if version is None:
                raise BenchError("wrk is not installed: `apt-get install wrk` (dev.py bench does, as root).")
            self.tool_name = version
            return load_tools.load_with_wrk
        self.tool_name = "the bench's own Python threads" + (" (wrk is not installed)" if choice == "auto" else "")
        return load_tools.load_with_threads

    def load(self, total: int) -> dataset.BenchData:
        self.say(f"Loading {n(total)} requests")
        started = time.monotonic()
        data = dataset.load(total, author=self.staff, coordinator=self.coordinator)
        counted = dataset.counted(data.last)
        if counted != total:
            raise BenchError(
                f"The reports count {n(counted)} requests, not the {n(total)} loaded: the counts they read were not "
                "rebuilt after the bulk load. Wire the counts table in bench/dataset.py (THE COUNTS TABLE)."
            )
        self.say(f"Loaded in {time.monotonic() - started:.1f} s")
        return data

    # The report task body against a plain SELECT of its counts, at both sizes.

    def measure_body(self, total: int) -> tuple[list[float], list[float], str, dataset.BenchData]:
        data = self.load(total)
        with dataset.counts_baseline() as (select, label):
            self.say(f"Timing the report task body at {n(total)} requests")
            body, baseline = measure.side_by_side(
                self.options["reps"], lambda: dataset.report_body(data.last), lambda: select(data.last)
            )
        return body, baseline, label, data

    def report_task(self, small: int, total: int) -> list[measure.Line]:
        small_body, small_select, _label, _data = self.measure_body(small)
        body, select, label, self.data = self.measure_body(total)
        month = format_month(self.data.last)
        ratio = statistics.median(body) / statistics.median(select)
        small_ratio = statistics.median(small_body) / statistics.median(small_select)
        growth = statistics.median(body) / statistics.median(small_body)
        return [
            self.timing_line(f"Report task body, {n(total)} requests (report_compute, all programmes, {month})", body,
                             ratio=f"{ratio:.2f}× the SELECT", goal=f"≤ {BODY_GOAL:g}×",
                             result=measure.verdict_at_most(ratio, BODY_GOAL)),
            self.timing_line(f"Baseline at {n(total)}: {label}", select),
            self.timing_line(f"Report task body, {n(small)} requests", small_body,
                             ratio=f"{small_ratio:.2f}× the SELECT"),
            self.timing_line(f"Baseline at {n(small)}", small_select),
            measure.Line(f"Report task body, {n(total)} / {n(small)} requests (medians)", ratio=f"{growth:.2f}×",
                       goal=f"≤ {GROWTH_GOAL:g}×", result=measure.verdict_at_most(growth, GROWTH_GOAL)),
        ]

    def timing_line(self, measurement: str, times: list[float], **columns) -> measure.Line:
        return measure.Line(measurement, measure.seconds(min(times)), measure.seconds(statistics.median(times)), **columns)

    # Logging 5,000 requests against a COPY of 5,000 rows.

    def logging(self, data: dataset.BenchData) -> list[measure.Line]:
        self.say(f"Timing logging {n(LOGGED)} requests against a bulk insert of {n(LOGGED)} rows")
        programme = data.programmes[0]
        spec = RequestSpec(programme=programme, month=data.last, category=Category.DESERTION)
        # The bulk insert writes what logging writes, under an entry of its own, with
        # references past every loaded one.
        holder = Entry.objects.create(programme=programme, month=data.last, kind=Entry.Kind.COUNT, author=self.staff)
        references = itertools.count(self.options["requests"] + 10_000_000)
        log_times: list[float] = []
        insert_times: list[float] = []

        def log() -> None:
            start = time.perf_counter()
            entry = requests_log(spec=spec, count=LOGGED, author=self.coordinator)
            log_times.append(time.perf_counter() - start)
            entry_undo(entry=entry, actor=self.coordinator)

        def insert() -> None:
            rows = [(programme.pk, data.last, Category.DESERTION, Status.NEW, "", None,
                     dataset.bench_reference(next(references)), holder.pk) for _ in range(LOGGED)]
            start = time.perf_counter()
            with transaction.atomic():
                dataset.insert_rows(HelpRequest, dataset.REQUEST_FIELDS, rows)
            insert_times.append(time.perf_counter() - start)
            HelpRequest.objects.filter(entry=holder).delete()

        # One untimed run of each first, then both in turn; each undoes what it wrote.
        for _rep in range(self.options["reps"] + 1):
            log()
            insert()
        holder.delete()
        log_times, insert_times = log_times[1:], insert_times[1:]
        ratio = statistics.median(log_times) / statistics.median(insert_times)
        copy = "COPY" if connection.vendor == "postgresql" else "executemany INSERT"
        return [
            self.timing_line(f"Logging {n(LOGGED)} requests (requests_log, one transaction)", log_times,
                             ratio=f"{ratio:.2f}× the {copy}", goal=f"≤ {LOGGING_GOAL:g}×",
                             result=measure.verdict_at_most(ratio, LOGGING_GOAL)),
            self.timing_line(f"Baseline: {copy} of {n(LOGGED)} rows into the requests table", insert_times),
        ]

    # Pages under load, against a minimal logged-in page of the same server.

    def pages(self, data: dataset.BenchData) -> list[measure.Line]:
        month = format_month(data.last)
        report = report_request(programme=None, month=data.last, requested_by=self.staff, send=False)
        report_generate(report_id=report.pk)
        pages = [
            (f"Report page /reports/all/{month}/ (staff)", f"/reports/all/{month}/", "staff", True),
            ("Coordinator home / (2 programmes)", "/", "coordinator", True),
            ("Reports list /reports/ (staff, auditors' first page)", "/reports/", "staff", True),
            ("Minimal logged-in page: /requests/find/ (coordinator; the find form)", "/requests/find/",
             "coordinator", False),
        ]
        reps, seconds = self.options["reps"], self.options["duration"]
        results: dict[str, list[load_tools.LoadResult]] = {path: [] for _label, path, _who, _goal in pages}
        self.say(f"Starting gunicorn ({self.options['web_workers']} workers)")
        with servers.gunicorn(servers.server_environment(), self.options["web_workers"]) as port:
            cookies = {who: servers.log_in(port, user.username, self.password)
                       for who, user in (("staff", self.staff), ("coordinator", self.coordinator))}
            for _label, path, who, _goal in pages:
                servers.check_page(port, path, cookies[who])
                self.load_page(port, path, cookies[who], seconds=1)  # every worker has served it once
            self.say(f"Loading {len(pages)} pages in turn, {reps} × {seconds} s each "
                     f"({len(pages) * reps * seconds} s of load, and the waits between runs)")
            for _rep in range(reps):
                for _label, path, who, _goal in pages:
                    results[path].append(self.load_page(port, path, cookies[who], seconds=seconds))
        minimal = statistics.median(r.per_second for r in results[pages[-1][1]])
        lines = []
        for label, path, _who, goal in pages:
            runs = results[path]
            rate = statistics.median(r.per_second for r in runs)
            errors = sum(r.errors for r in runs)
            completed = [r for r in runs if r.per_second]
            latency = "none completed" if not completed else (
                f"{measure.seconds(statistics.median(r.p50 for r in completed))} / "
                f"{measure.seconds(statistics.median(r.p95 for r in completed))}")
            line = measure.Line(label + (f" ({n(errors)} failed responses)" if errors else ""),
                              f"{min(r.per_second for r in runs):.1f} req/s", f"{rate:.1f} req/s", latency)
            if goal:
                share = rate / minimal if minimal else 0.0
                line.ratio, line.goal = f"{share:.0%} of the minimal page", f"≥ {PAGE_GOAL:.0%}"
                line.result = measure.verdict_at_least(share, PAGE_GOAL)
            lines.append(line)
        return lines

    def load_page(self, port: int, path: str, cookie: str, *, seconds: int) -> load_tools.LoadResult:
        connections = self.options["connections"]
        result = self.tool(f"http://127.0.0.1:{port}{path}", cookie, connections=connections, seconds=seconds)
        # When wrk stops, gunicorn still serves the request each connection had sent
        # (about one per connection, at the rate just measured): let it finish them, or
        # they would slow the next page's run.
        left = connections / result.per_second if result.per_second else 2 * seconds
        time.sleep(min(left + 0.5, 120))
        return result

    # Generate to ready: a report requested as the page does, made by an idle worker.

    def generate_to_ready(self, data: dataset.BenchData) -> list[measure.Line]:
        self.say("Starting a Celery worker (prefork, concurrency 1)")
        latencies = []
        with servers.celery_worker(servers.server_environment()):
            self.say(f"Timing {self.options['ready_reps']} reports from request to ready")
            for rep in range(self.options["ready_reps"] + 1):
                start = time.perf_counter()
                report = report_request(programme=None, month=data.last, requested_by=self.staff)
                state = self.wait_for(report.pk)
                if state != Report.State.READY:
                    raise BenchError(f"Report {report} ended {state}: {Report.objects.get(pk=report.pk).failure}")
                if rep:  # the first warms the worker's process up
                    latencies.append(time.perf_counter() - start)
        p95 = measure.percentile(latencies, 95)
        broker = settings.CELERY_BROKER_URL.split(":")[0]
        return [measure.Line(
            f"Generate to ready, all programmes ({broker}, idle worker; {len(latencies)} reports)",
            measure.seconds(min(latencies)), measure.seconds(statistics.median(latencies)),
            f"{measure.seconds(measure.percentile(latencies, 50))} / {measure.seconds(p95)}",
            goal=f"p95 ≤ {measure.seconds(READY_GOAL)}", result=measure.verdict_at_most(p95, READY_GOAL, unit="s"),
        )]

    def wait_for(self, report_id: int, timeout: float = 300) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = Report.objects.filter(pk=report_id).values_list("state", flat=True).get()
            if state not in (Report.State.QUEUED, Report.State.RUNNING):
                return state
            time.sleep(0.005)
        raise BenchError(f"No worker made report {report_id} within {timeout:.0f} s.")

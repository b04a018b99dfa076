"""`python -m bench` (run by `python3 dev.py bench`): the benchmark of issues 8 and 24,
one table of figures, each with its goal and whether it was met. The machinery is in
the other modules of this package."""

import argparse
import datetime as dt
import itertools
import os
import secrets
import statistics
import sys
import time

from django.conf import settings
from django.db import connection, transaction
from django.utils.formats import number_format

from bench import BenchError, audit, dataset, load_tools, measure, pages, servers
from intake.models import Category, Entry, HelpRequest, Programme, Status
from intake.months import add_months, format_month
from intake.services import RequestSpec, entry_undo, requests_log
from reports.models import Report
from reports.services import report_generate, report_request
from reports.views import REPORTS_PER_PAGE

LOGGED = 5000  # the most one count may log (intake.services.MAX_COUNT)
# Goals of issues 8 and 24 (docs/benchmark.md).
BODY_GOAL = 2.0  # report task body at most 2x the plain SELECT of its counts, at every size
LOGGING_GOAL = 2.0  # logging 5,000 at most 2x a COPY of 5,000 rows
READY_GOAL = 1.0  # generate-to-ready p95 at most 1 s at 120 months
MEMORY_GOAL = 150.0  # MiB: a web worker after the bench, the Celery worker building a 120-month report

FULL = {"requests": 1_000_000, "months": dataset.MONTHS, "sizes": "10000,1000000,5000000", "samples": 50,
        "rounds": 10, "duration": 2, "connections": 8, "ready_samples": 50, "long_months": 120,
        "audit_events": 1_000_000, "web_workers": 2 * (os.cpu_count() or 1) + 1}
# --quick: the same measurements at sizes and counts that take a minute, for the tests.
QUICK = {"requests": 2000, "months": dataset.MONTHS, "sizes": "500,2000", "samples": 5, "rounds": 1, "duration": 1,
         "connections": 4, "ready_samples": 5, "long_months": 48, "audit_events": 3000, "web_workers": 2}


def n(value: int) -> str:
    return number_format(value, force_grouping=True)


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Load N bench requests and measure the report task, the pages (internal, partner, public, API, "
                    "lists, review, audit log), logging, report latency and memory against their goals; print one "
                    "table. WIPES the database: run it on a database of its own (docs/benchmark.md).",
    )
    option = parser.add_argument
    option("--quick", action="store_true", help="Small sizes and few samples: a check that it all runs (the tests).")
    option("--requests", type=int, help="Requests loaded, which the pages show (default 1,000,000).")
    option("--months", type=int, help=f"Months the requests and reports cover, up to this one (default "
                                      f"{dataset.MONTHS}; at least {dataset.MIN_MONTHS}).")
    option("--sizes", help="Request counts the report task body is timed at, side by side "
                           "(default 10000,1000000,5000000).")
    option("--samples", type=int, help="Timed runs of each report body, baseline and logging (default 50).")
    option("--rounds", type=int, help="Rounds in which every page is loaded in turn (default 10).")
    option("--duration", type=int, help="Seconds each page is loaded in each round (default 2).")
    option("--connections", type=int, help="Connections of the load tool (default 8).")
    option("--ready-samples", type=int, help="Reports timed from request to ready (default 50).")
    option("--long-months", type=int, help="Months of the long history the timed reports cover (default 120).")
    option("--audit-events", type=int, help="Events in the audit log (default 1,000,000).")
    option("--web-workers", type=int, help="gunicorn workers (default 2 x cores + 1).")
    option("--load-tool", choices=["auto", "wrk", "python"], default="auto",
           help="wrk, this process's threads, or wrk when installed (default).")
    option("--audit", action="store_true",
           help="Also time the disclosure audit of a generated five-year history (minutes; issue 23).")
    option("--force", action="store_true", help="Wipe and load even a database holding data the bench did not make.")
    return parser


def options_of(argv: list[str]) -> dict:
    given = vars(parser().parse_args(argv))
    defaults = QUICK if given["quick"] else FULL
    options = {name: defaults[name] if given.get(name) is None else given[name] for name in FULL} | {
        name: given[name] for name in ("quick", "load_tool", "force", "audit")}
    for name, value in options.items():
        if name not in ("quick", "load_tool", "force", "audit", "sizes") and value < 1:
            raise BenchError(f"--{name.replace('_', '-')} must be at least 1.")
    try:
        options["sizes"] = sorted({int(size) for size in str(options["sizes"]).split(",")})
    except ValueError:
        raise BenchError("--sizes must be request counts separated by commas, e.g. 10000,1000000.") from None
    if options["sizes"][0] < 1:
        raise BenchError("--sizes must be at least 1.")
    if options["months"] < dataset.MIN_MONTHS:
        raise BenchError(f"--months must be at least {dataset.MIN_MONTHS}: one of the bench's programmes starts "
                         "late, another pauses, and both must fall within them.")
    return options


def main(argv: list[str]) -> None:
    """Run the bench with these command-line arguments; BenchError if it cannot."""
    Bench(options_of(argv)).run()


class Bench:
    """One run: the options, the bench's accounts, and the data it loaded."""

    def __init__(self, options: dict):
        self.options = options

    def run(self) -> None:
        options = self.options
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
        self.auditor = dataset.bench_account("bench-auditor", "Auditor", self.password)
        started, load_start = time.monotonic(), os.getloadavg()[0]
        self.data = self.load(options["requests"])
        lines = self.report_task(options["sizes"])
        lines += self.logging()
        lines += self.pages()
        lines += self.generate_to_ready()
        if options["audit"]:
            self.say("Timing the disclosure audit of a generated five-year history (no database)")
            lines += audit.lines()
        self.say(f"Done in {time.monotonic() - started:.0f} s.")
        averages = self.page_run.load_averages or [load_start]
        print(
            f"Benchmark: {n(options['requests'])} requests over {options['months']} months, {len(dataset.PROGRAMMES)} "
            f"programmes, {n(Report.objects.count())} reports, {n(options['audit_events'])} audit events; "
            f"gunicorn with {options['web_workers']} workers; load by {self.tool_name} at {options['connections']} "
            f"connections, {options['rounds']} rounds of {options['duration']:g} s a page.\n"
            f"Machine: {measure.machine()}.\nLoad average (1 min): {load_start:.1f} at the start; during the page "
            f"runs median {statistics.median(averages):.1f}, highest {max(averages):.1f}.\n"
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
        self.say(f"Loading {n(total)} requests and {n(self.options['audit_events'])} audit events")
        started = time.monotonic()
        data = dataset.load(total, author=self.staff, coordinator=self.coordinator, months=self.options["months"])
        counted = dataset.counted(data.last)
        if counted != total:
            raise BenchError(
                f"The reports count {n(counted)} requests, not the {n(total)} loaded: the counts they read were not "
                "rebuilt after the bulk load (bench/dataset.py, THE COUNTS TABLE)."
            )
        dataset.check_plan_counts(total, data)
        dataset.load_audit_events(self.options["audit_events"], data, [self.staff, self.coordinator, self.auditor])
        self.say(f"Loaded in {time.monotonic() - started:.1f} s")
        return data

    def timing_line(self, measurement: str, times: list[float], **columns) -> measure.Line:
        return measure.Line(measurement, str(len(times)), measure.seconds(statistics.median(times)),
                            measure.seconds(measure.percentile(times, 95)), **columns)

    # The report task body against a plain SELECT of its counts, at every size in turn.

    def report_task(self, sizes: list[int]) -> list[measure.Line]:
        month = self.data.last
        select = dataset.counts_select(dataset.MonthlyCount._meta.db_table)
        actions = {}
        for size in sizes:
            actions[(size, "body")] = lambda: dataset.report_body(month)
            actions[(size, "select")] = lambda: select(month)
        self.say(f"Timing the report task body at {', '.join(n(size) for size in sizes)} requests, side by side, "
                 f"{self.options['samples']} times each")
        with dataset.size_tables(sizes, self.data) as switch:
            times = measure.interleaved(self.options["samples"], actions, prepare=lambda name: switch(name[0]))
        lines = []
        for size in sizes:
            body, baseline = times[(size, "body")], times[(size, "select")]
            ratio = statistics.median(body) / statistics.median(baseline)
            lines.append(self.timing_line(
                f"Report task body, {n(size)} requests (all programmes, {format_month(month)})", body,
                value=f"{ratio:.2f}× its SELECT ({measure.seconds(statistics.median(baseline))})",
                goal=f"≤ {BODY_GOAL:g}×", result=measure.verdict_at_most(ratio, BODY_GOAL)))
        return lines

    # Logging 5,000 requests against a COPY of 5,000 rows.

    def logging(self) -> list[measure.Line]:
        self.say(f"Timing logging {n(LOGGED)} requests against a bulk insert of {n(LOGGED)} rows")
        programme = self.data.programmes[0]
        spec = RequestSpec(programme=programme, month=self.data.last, category=Category.DESERTION)
        # The bulk insert writes what logging writes, under an entry of its own, with
        # references past every loaded one.
        holder = Entry.objects.create(programme=programme, month=self.data.last, kind=Entry.Kind.IMPORT,
                                      author=self.staff)
        references = itertools.count(self.options["requests"] + 10_000_000)

        def log() -> None:
            entry_undo(entry=requests_log(spec=spec, count=LOGGED, author=self.coordinator), actor=self.coordinator)

        def insert() -> None:
            rows = [(programme.pk, self.data.last, Category.DESERTION, Status.NEW, "", None,
                     dataset.bench_reference(next(references)), holder.pk) for _ in range(LOGGED)]
            with transaction.atomic():
                dataset.insert_rows(HelpRequest, dataset.REQUEST_FIELDS, rows)
            HelpRequest.objects.filter(entry=holder).delete()

        # Each undoes what it wrote; the undo and the delete are timed with them, alike.
        times = measure.interleaved(max(3, self.options["samples"] // 5), {"log": log, "insert": insert})
        holder.delete()
        ratio = statistics.median(times["log"]) / statistics.median(times["insert"])
        copy = "COPY" if connection.vendor == "postgresql" else "executemany INSERT"
        return [self.timing_line(
            f"Logging {n(LOGGED)} requests and undoing them (requests_log, entry_undo)", times["log"],
            value=f"{ratio:.2f}× a {copy} and DELETE ({measure.seconds(statistics.median(times['insert']))})",
            goal=f"≤ {LOGGING_GOAL:g}×", result=measure.verdict_at_most(ratio, LOGGING_GOAL))]

    # Pages under load, against a minimal logged-in page of the same server.

    def reports_history(self) -> tuple[dt.date, int]:
        """Every month's reports of each programme and of all programmes, a second
        version of the month the pages show, and that month accepted in every
        programme (so published): the month and its latest version of all programmes."""
        from signoff.report_checks import review_report_check
        from signoff.services import review_accept, review_submit

        shown = add_months(self.data.last, -1)
        scopes: list[Programme | None] = [*self.data.programmes, None]
        self.say(f"Making the reports of {self.data.months} months, {len(scopes)} scopes")
        for month in (add_months(self.data.first, m) for m in range(self.data.months)):
            for scope in scopes:
                if scope is None or scope.first_month <= month:
                    for _version in range(2 if month == shown else 1):
                        report_generate(report_id=report_request(programme=scope, month=month, send=False).pk)
        for programme in self.data.programmes:
            check = review_report_check(programme, shown)
            review_submit(programme=programme, month=shown, actor=self.staff, check_report=check)
            review_accept(programme=programme, month=shown, actor=self.auditor, check_report=check)
        # Published in the foreground, as `manage.py publish` does (the worker would, after
        # the acceptance): the partner and public pages serve what is stored then.
        from reports.publication import publish

        for scope in scopes:
            publish(scope, shown)
        return shown, Report.objects.for_scope(None).filter(month=shown).order_by("-version").first().version

    def api_token(self) -> str:
        from api.models import ApiToken, Profile
        from api.tokens import token_issue

        token = ApiToken(partner=dataset.BENCH_PARTNER, profile=Profile.PUBLIC,
                         expires_on=add_months(self.data.last, 6))
        return token_issue(token=token, programmes=self.data.programmes, actor=self.staff)[1]

    def pages(self) -> list[measure.Line]:
        month, version = self.reports_history()
        listed = Report.objects.values("programme", "month").distinct().count()
        all_pages = pages.pages(month, version, self.data.programmes[0].slug, -(-listed // REPORTS_PER_PAGE))
        self.page_run = pages.PageRun(self.options["rounds"], self.options["duration"], self.options["connections"],
                                      self.tool, self.say, self.options["web_workers"])
        token = self.api_token()
        self.say(f"Starting gunicorn ({self.options['web_workers']} workers)")
        with servers.gunicorn(servers.server_environment(), self.options["web_workers"]) as port:
            headers = {who: {"Cookie": servers.log_in(port, user.username, self.password)}
                       for who, user in (("staff", self.staff), ("coordinator", self.coordinator),
                                         ("auditor", self.auditor))}
            headers["api"] = {"Authorization": f"Bearer {token}"}
            self.page_run.run(port, all_pages, headers)
        memory = max(self.page_run.worker_memory, default=0.0)
        return pages.lines(all_pages) + [measure.Line(
            f"Web worker memory after the bench (largest RSS of {len(self.page_run.worker_memory)} workers)",
            value=f"{memory:.0f} MiB", goal=f"≤ {MEMORY_GOAL:.0f} MiB", result=measure.verdict_mib(memory, MEMORY_GOAL))]

    # Generate to ready at 120 months: reports requested as the page does, made by an idle worker.

    def generate_to_ready(self) -> list[measure.Line]:
        months = self.options["long_months"]
        dataset.add_long_history(self.options["requests"], months, self.data)
        self.say("Starting a Celery worker (prefork, concurrency 1)")
        latencies, peaks = [], []
        with servers.celery_worker(servers.server_environment()) as worker:
            self.say(f"Timing {self.options['ready_samples']} reports of all programmes over {months} months, "
                     "from request to ready")
            for sample in range(self.options["ready_samples"] + 1):
                start = time.perf_counter()
                report = report_request(programme=None, month=self.data.last, requested_by=self.staff)
                state = self.wait_for(report.pk)
                if state != Report.State.READY:
                    raise BenchError(f"Report {report} ended {state}: {Report.objects.get(pk=report.pk).failure}")
                if sample:  # the first warms the worker's process up
                    latencies.append(time.perf_counter() - start)
                peaks += [servers.memory_mib(child, "VmHWM") for child in servers.children(worker)]
        broker = settings.CELERY_BROKER_URL.split(":")[0]
        p95, memory = measure.percentile(latencies, 95), max(peaks, default=0.0)
        return [
            self.timing_line(f"Generate to ready, all programmes over {months} months ({broker}, idle worker)",
                             latencies, goal=f"p95 ≤ {measure.seconds(READY_GOAL)}",
                             result=measure.verdict_at_most(p95, READY_GOAL, unit="s")),
            measure.Line(f"Celery worker memory building {months}-month reports (peak RSS of the child)",
                         value=f"{memory:.0f} MiB", goal=f"≤ {MEMORY_GOAL:.0f} MiB",
                         result=measure.verdict_mib(memory, MEMORY_GOAL)),
        ]

    def wait_for(self, report_id: int, timeout: float = 300) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = Report.objects.filter(pk=report_id).values_list("state", flat=True).get()
            if state not in (Report.State.QUEUED, Report.State.RUNNING):
                return state
            time.sleep(0.005)
        raise BenchError(f"No worker made report {report_id} within {timeout:.0f} s.")

"""The disclosure audit's bench (issue 23, points 3 and 7), without a database: how long
`reports.disclosure_audit.audit` takes over every public document of a three-programme
five-year history, how long `protect` takes at each acceptance of that history published month by
month, and how much the audit withholds against today's rules. Run by `python -m bench --audit` (two
lines of its table) or alone: `python -m bench.audit [--protect [MONTHS] [--each]] [--loss MONTHS]`."""

import datetime as dt
import random
import sys
import time

from bench import measure

# The apps' modules are imported inside the functions: only once Django is set up.
FIRST = dt.date(2021, 1, 1)
MONTHS = 60
SEED = 23  # the history timed and measured
AUDIT_GOAL = 30.0  # seconds, issue 23
PROTECT_MONTHS = MONTHS  # months published one by one through protect (about 6 minutes in all: docs/disclosure.md)


def history(seed: int, months: int = MONTHS, programmes: int = 3):
    from tests.reports.audit_history import random_history

    return random_history(random.Random(seed), programmes=programmes, first=FIRST, months=months, small=0.15)


def published(seed: int, months: int, protect=None) -> list[dict]:
    """Every public document of history(seed, months), published month by month: as
    today's rules make them, or as `protect` leaves them."""
    from intake.months import add_months
    from tests.reports.audit_history import publish

    return publish(history(seed, months), FIRST, add_months(FIRST, months - 1), protect=protect)


def timed_audit(seed: int = SEED) -> tuple[float, int, int]:
    """Seconds to audit every public document of a three-programme five-year history (as
    today's rules publish them), the checks made and the linear programs solved."""
    from reports.disclosure_audit import audit

    documents = published(seed, MONTHS)
    started = time.perf_counter()
    result = audit(documents)
    return time.perf_counter() - started, result.checks, result.programs


def timed_protection(seed: int = SEED, months: int = PROTECT_MONTHS, *,
                     say=None) -> tuple[list[float], int, list[dict]]:
    """Seconds of `protect` at each acceptance of a three-programme history published month
    by month (each month's documents with every earlier publication, as the worker does),
    how many publications it refused, and every document published. `say` is told each
    month's seconds as they come."""
    from reports.disclosure_audit import protect

    seconds: list[float] = []
    refused = 0

    def timed(candidates, earlier, internal):
        nonlocal refused
        started = time.perf_counter()
        documents, result = protect(candidates, earlier, internal)
        seconds.append(time.perf_counter() - started)
        refused += not result.passed
        if say is not None:
            say(len(seconds), seconds[-1])
        return documents, result

    documents = published(seed, months, protect=timed)
    return seconds, refused, documents


def lines() -> list[measure.Line]:
    seconds, checks, programs = timed_audit()
    each, _refused, _documents = timed_protection()
    return [measure.Line(
        f"Disclosure audit, 3 programmes x {MONTHS} months, every public document ({checks} checks, "
        f"{programs} linear programs)", measure.seconds(seconds), measure.seconds(seconds),
        goal=f"≤ {AUDIT_GOAL:g} s", result=measure.verdict_at_most(seconds, AUDIT_GOAL, unit="s")),
        measure.Line(
        f"Disclosure audit at acceptance, each of {len(each)} months of 3 programmes (protect with every earlier "
        f"publication; {sum(each):.0f} s in all)", str(len(each)), measure.seconds(sorted(each)[len(each) // 2]),
        value=f"the last month {measure.seconds(each[-1])}, the slowest {measure.seconds(max(each))}",
        goal=f"≤ {AUDIT_GOAL:g} s", result=measure.verdict_at_most(max(each), AUDIT_GOAL, unit="s"))]


def information_loss(months: int = MONTHS, seeds=(1, 2, 3)) -> list[str]:
    """The share of count figures withheld ("[c]") in public documents, today's rules
    against the audit's, on the demo and on generated histories."""
    from intake.months import add_months
    from reports.disclosure_audit import protect
    from tests.reports.audit_history import demo_history, publish

    cases = [("demo, April to November 2023", demo_history(), dt.date(2023, 4, 1), dt.date(2023, 11, 1))]
    cases += [(f"generated, 3 programmes x {months} months, seed {seed}", history(seed, months), FIRST,
               add_months(FIRST, months - 1)) for seed in seeds]
    return [f"{name}: {loss_line(publish(made, first, last), publish(made, first, last, protect=protect))}"
            for name, made, first, last in cases]


def loss_line(rules_alone: list[dict], audited: list[dict]) -> str:
    """The shares withheld_share gives of both publications, side by side."""
    from reports.disclosure_audit import withheld_share

    before, after = withheld_share(rules_alone), withheld_share(audited)
    return (f"{before['figures']} figures; withheld {before['withheld']:.1%} -> {after['withheld']:.1%}, "
            f"'<10' {before['small']:.1%} -> {after['small']:.1%}, shown {before['shown']:.1%} -> "
            f"{after['shown']:.1%}; percentages and rankings left out {before['left_out']:.1%} -> "
            f"{after['left_out']:.1%}")


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    print(f"{time.strftime('%Y-%m-%d %H:%M')} UTC, load average {os.getloadavg()[0]:.2f}")
    seconds, checks, programs = timed_audit()
    print(f"audit: {seconds:.1f} s, {checks} checks, {programs} linear programs")
    if "--protect" in sys.argv:
        at = sys.argv.index("--protect") + 1
        months = int(sys.argv[at]) if at < len(sys.argv) and sys.argv[at].isdigit() else PROTECT_MONTHS
        def say(month: int, took: float) -> None:
            print(f"  month {month}: {took:.1f} s, load average {os.getloadavg()[0]:.2f}", flush=True)

        each, refused, documents = timed_protection(months=months, say=say if "--each" in sys.argv else None)
        print(f"protect, month by month over {months} months of 3 programmes: {sum(each):.1f} s in all, the last month "
              f"{each[-1]:.1f} s, the slowest {max(each):.1f} s, {refused} refused")
        print(f"  what it published: {loss_line(published(SEED, months), documents)}")
    print(f"load average {os.getloadavg()[0]:.2f}")
    if "--loss" in sys.argv:
        months = int(sys.argv[sys.argv.index("--loss") + 1]) if len(sys.argv) > sys.argv.index("--loss") + 1 else 24
        print("\n".join(information_loss(months)))

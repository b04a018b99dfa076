"""The disclosure audit's bench (issue 23, points 3 and 7), without a database: how long
`reports.disclosure_audit.audit` takes over every public document of a three-programme
five-year history, and how much the audit withholds against today's rules. Run by
`python -m bench --audit` (one line of its table) or alone: `python -m bench.audit [--loss]`."""

import datetime as dt
import random
import sys
import time

from bench import measure

# The apps' modules are imported inside the functions: only once Django is set up.
FIRST = dt.date(2021, 1, 1)
MONTHS = 60
AUDIT_GOAL = 30.0  # seconds, issue 23


def history(seed: int, months: int = MONTHS, programmes: int = 3):
    from tests.reports.audit_history import random_history

    return random_history(random.Random(seed), programmes=programmes, first=FIRST, months=months, small=0.15)


def timed_audit(seed: int = 23) -> tuple[float, int, int]:
    """Seconds to audit every public document of a three-programme five-year history (as
    today's rules publish them), the checks made and the linear programs solved."""
    from intake.months import add_months
    from reports.disclosure_audit import audit
    from tests.reports.audit_history import publish

    documents = publish(history(seed), FIRST, add_months(FIRST, MONTHS - 1))
    started = time.perf_counter()
    result = audit(documents)
    return time.perf_counter() - started, result.checks, result.programs


def lines() -> list[measure.Line]:
    seconds, checks, programs = timed_audit()
    return [measure.Line(
        f"Disclosure audit, 3 programmes x {MONTHS} months, every public document ({checks} checks, "
        f"{programs} linear programs)", measure.seconds(seconds), measure.seconds(seconds),
        goal=f"≤ {AUDIT_GOAL:g} s", result=measure.verdict_at_most(seconds, AUDIT_GOAL, unit="s"))]


def information_loss(months: int = MONTHS, seeds=(1, 2, 3)) -> list[str]:
    """The share of count figures withheld ("[c]") in public documents, today's rules
    against the audit's, on the demo and on generated histories."""
    from intake.months import add_months
    from reports.disclosure_audit import protect, withheld_share
    from tests.reports.audit_history import demo_history, publish

    cases = [("demo, April to November 2023", demo_history(), dt.date(2023, 4, 1), dt.date(2023, 11, 1))]
    cases += [(f"generated, 3 programmes x {months} months, seed {seed}", history(seed, months), FIRST,
               add_months(FIRST, months - 1)) for seed in seeds]
    out = []
    for name, made, first, last in cases:
        before = withheld_share(publish(made, first, last))
        after = withheld_share(publish(made, first, last, protect=protect))
        out.append(f"{name}: {before['figures']} figures; withheld {before['withheld']:.1%} -> {after['withheld']:.1%}, "
                   f"'<10' {before['small']:.1%} -> {after['small']:.1%}, shown {before['shown']:.1%} -> "
                   f"{after['shown']:.1%}; percentages and rankings left out {before['left_out']:.1%} -> "
                   f"{after['left_out']:.1%}")
    return out


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    seconds, checks, programs = timed_audit()
    print(f"audit: {seconds:.1f} s, {checks} checks, {programs} linear programs")
    if "--loss" in sys.argv:
        months = int(sys.argv[sys.argv.index("--loss") + 1]) if len(sys.argv) > sys.argv.index("--loss") + 1 else 24
        print("\n".join(information_loss(months)))

"""Timing, the machine the bench ran on, and the table it prints."""

import os
import platform
import re
import sqlite3
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import django
from django.conf import settings
from django.db import connection

# =====================================================================================
# Timing
# =====================================================================================


def interleaved(samples: int, actions: dict, prepare: Callable[[object], object] | None = None) -> dict:
    """Seconds each action took, `samples` times each: one untimed run of each first,
    then the actions in turn within each repetition, so that every one of them sees the
    machine as it is at that moment (a drift in load shows in all of them alike).
    `prepare(name)`, if given, runs untimed before each action."""
    times: dict = {name: [] for name in actions}
    for sample in range(samples + 1):
        for name, action in actions.items():
            if prepare:
                prepare(name)
            start = time.perf_counter()
            action()
            if sample:
                times[name].append(time.perf_counter() - start)
    return times


def percentile(values: list[float], p: int) -> float:
    if len(values) < 2:
        return max(values)
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


# =====================================================================================
# The machine, and the table
# =====================================================================================


def machine() -> str:
    cpu = "unknown CPU"
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        if found := re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M):
            cpu = found[1].strip()
        memory = int(re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text())[1]) / 1024 ** 2
    except (OSError, TypeError):
        memory = 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
    else:
        database = f"SQLite {sqlite3.sqlite_version}"
    return (f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}, Django {django.get_version()}, {database}, "
            f"broker {settings.CELERY_BROKER_URL.split(':')[0]}")


@dataclass
class Line:
    measurement: str
    samples: str = ""
    p50: str = ""
    p95: str = ""
    value: str = ""
    goal: str = ""
    result: str = ""


def seconds(value: float) -> str:
    if value >= 10:
        return f"{value:.1f} s"
    if value >= 1:
        return f"{value:.2f} s"
    if value >= 0.01:
        return f"{value * 1000:.0f} ms"
    return f"{value * 1000:.2f} ms"


def verdict_at_most(value: float, goal: float, unit: str = "×") -> str:
    if value <= goal:
        return "met"
    shown = (lambda v: f"{v:.2f}{unit}") if unit == "×" else seconds
    return f"missed: {shown(value)} against {shown(goal)}, {value / goal:.1f}× the goal"


def verdict_at_least(share: float, goal: float) -> str:
    if share >= goal:
        return "met"
    return f"missed: {share:.0%} against {goal:.0%}, {(goal - share) * 100:.0f} points short"


def verdict_mib(value: float, goal: float) -> str:
    return "met" if value <= goal else f"missed: {value:.0f} MiB against {goal:.0f} MiB"


def table(lines: list[Line]) -> str:
    header = ["measurement", "samples", "p50", "p95", "value", "goal", "result"]
    rows = [header, ["---"] * len(header)]
    rows += [[line.measurement, line.samples, line.p50, line.p95, line.value, line.goal, line.result]
             for line in lines]
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)

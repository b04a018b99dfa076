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


def side_by_side(reps: int, *actions: Callable[[], object]) -> list[list[float]]:
    """Seconds each action took in each repetition, the actions run in turn within a
    repetition (so that both see the same machine), after one untimed run of each."""
    for action in actions:
        action()
    times: list[list[float]] = [[] for _ in actions]
    for _rep in range(reps):
        for action, taken in zip(actions, times):
            start = time.perf_counter()
            action()
            taken.append(time.perf_counter() - start)
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
    low: str = ""
    middle: str = ""
    spread: str = ""
    ratio: str = ""
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


def table(lines: list[Line]) -> str:
    header = ["measurement", "min", "median", "p50 / p95", "ratio", "goal", "result"]
    rows = [header, ["---"] * len(header)]
    rows += [[line.measurement, line.low, line.middle, line.spread, line.ratio, line.goal, line.result]
             for line in lines]
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)

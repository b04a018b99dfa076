"""The bench's measurement of Django's PostgreSQL connection pool (DATABASE_POOL, issue 28):
one logged-in page loaded through gunicorn with a new connection per request (Django's
default) and with the pool, side by side. `pool_lines` gives the bench's table lines;
bench/run.py calls it when the database is PostgreSQL."""

import statistics
from collections.abc import Callable

from django.db import connection

from bench import load_tools, measure, servers

PAGE = "/requests/find/"  # the bench's minimal logged-in page: a session and an account read


def pool_lines(load: Callable[..., load_tools.LoadResult], *, username: str, password: str, workers: int,
               reps: int, seconds: int, connections: int) -> list[measure.Line]:
    """Requests a second on PAGE without and with the pool, `reps` runs of `seconds` each,
    alternating so that the machine's drift falls on both."""
    if connection.vendor != "postgresql":
        return [measure.Line("Connection pool (DATABASE_POOL)", result="not measured: PostgreSQL only")]
    runs: dict[str, list[load_tools.LoadResult]] = {"0": [], "1": []}
    for _rep in range(reps):
        for pool in runs:
            environment = servers.server_environment() | {"DATABASE_POOL": pool, "DATABASE_CONN_MAX_AGE": "0"}
            with servers.gunicorn(environment, workers) as port:
                headers = {"Cookie": servers.log_in(port, username, password)}
                servers.check_page(port, PAGE, headers)
                load(f"http://127.0.0.1:{port}{PAGE}", headers, connections=connections, seconds=1)  # warm
                runs[pool].append(load(f"http://127.0.0.1:{port}{PAGE}", headers, connections=connections,
                                       seconds=seconds))
    without, pooled = (statistics.median(r.per_second for r in runs[pool]) for pool in ("0", "1"))
    lines = []
    for label, pool, rate in (("without a pool (a connection per request)", "0", without),
                              ("with DATABASE_POOL=1", "1", pooled)):
        completed = [r for r in runs[pool] if r.per_second]
        lines.append(measure.Line(
            f"{PAGE} {label}", samples=str(len(runs[pool])),
            p50=measure.seconds(statistics.median(r.p50 for r in completed)) if completed else "none completed",
            p95=measure.seconds(statistics.median(r.p95 for r in completed)) if completed else "",
            value=f"{rate:.1f} req/s"))
    lines[-1].result = f"{pooled / without:.2f}× without" if without else ""
    return lines

"""The database settings beyond DATABASE_URL (read by config/settings.py): a streaming
replica for what partners and the public read (DATABASE_REPLICA_URL, routed by
config/replica.py), and Django's PostgreSQL connection pool (DATABASE_POOL).

Each bad value stops start-up with one line naming the variable, as settings.py does."""

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

POSTGRESQL = "django.db.backends.postgresql"
# Per process: gunicorn's sync workers use one connection at a time, and the worker's
# tasks one each. A process opens the first when it first needs one, keeps up to four, and
# waits at most 10 s for a free one before the request fails.
POOL = {"min_size": 1, "max_size": 4, "timeout": 10}
# A replica that does not answer must not hold up a page: give up on it after 2 s and
# read from the primary instead (config/replica.py).
REPLICA_CONNECT_TIMEOUT = 2


def replica(url: str, primary: dict) -> dict | None:
    """The replica's database settings, or None without one. Its tests mirror the
    primary's: the test database reaches the replica by streaming, under the same name."""
    if not url:
        return None
    if primary["ENGINE"] != POSTGRESQL:
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL needs DATABASE_URL to be PostgreSQL too (a streaming replica of it); "
            "unset DATABASE_REPLICA_URL for SQLite."
        )
    try:
        database = dj_database_url.parse(url, conn_max_age=primary["CONN_MAX_AGE"], conn_health_checks=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_REPLICA_URL is not a valid database URL: {exc}") from None
    if database.get("ENGINE") != POSTGRESQL or not (database.get("NAME") and database.get("HOST")):
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL must be a PostgreSQL URL naming a host and a database, "
            "e.g. postgres://intake@db-replica:5432/intake."
        )
    database.setdefault("OPTIONS", {})["connect_timeout"] = REPLICA_CONNECT_TIMEOUT
    database["TEST"] = {"MIRROR": "default"}
    return database


def pooled(databases: dict, pool: bool) -> None:
    """Gives every PostgreSQL database of `databases` Django's connection pool."""
    if not pool:
        return
    for database in databases.values():
        if database["ENGINE"] != POSTGRESQL:
            raise ImproperlyConfigured("DATABASE_POOL=1 needs DATABASE_URL to be PostgreSQL; SQLite has no pool.")
        if database["CONN_MAX_AGE"]:
            raise ImproperlyConfigured(
                "DATABASE_POOL=1 and DATABASE_CONN_MAX_AGE cannot both be set: the pool keeps the connections "
                "itself; set DATABASE_CONN_MAX_AGE=0."
            )
        database.setdefault("OPTIONS", {})["pool"] = dict(POOL)

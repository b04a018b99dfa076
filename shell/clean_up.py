"""What the database must not keep once it is over (issue 17; run by Celery beat every
quarter of an hour, shell.tasks.clean_up): expired sessions, which tell when their owner
was last active; expired rows of the database cache (counts of failed logins and wrong
codes, with when they end); and the end of an unlock that has ended."""

from importlib import import_module

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router
from django.utils import timezone

from signoff.services import review_forget_ended_unlocks


def clean_up() -> None:
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    _delete_expired_cache_rows()
    review_forget_ended_unlocks()


def _delete_expired_cache_rows() -> None:
    """Django's database cache deletes an expired row only when it is read, or when the
    table is full: delete them all now."""
    for alias in settings.CACHES:
        cache = caches[alias]
        if not isinstance(cache, DatabaseCache):
            continue
        database = router.db_for_write(cache.cache_model_class)
        connection = connections[database]
        table = connection.ops.quote_name(cache._table)
        with connection.cursor() as cursor:
            # nosec below: the table's name is quoted, the time is a parameter.
            cursor.execute(f"DELETE FROM {table} WHERE expires < %s",  # noqa: S608  # nosec B608
                           [connection.ops.adapt_datetimefield_value(timezone.now())])

"""The Celery app: every setting comes from config/settings.py (CELERY_*)."""

import logging
import logging.config
import os
import sys
from pathlib import Path

from celery import Celery
from celery.beat import PersistentScheduler
from celery.signals import setup_logging
from celery.utils.log import get_logger
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")


@app.on_configure.connect
def _read_settings(**kwargs) -> None:
    """Read the settings before Celery does: a bad one then stops a worker or beat with
    the one line manage.py prints, not a traceback. (Web processes and commands have
    read them already.)"""
    try:
        settings.INSTALLED_APPS  # noqa: B018 - reading one setting reads them all
    except ImproperlyConfigured as exc:
        sys.exit(f"Configuration error: {exc}")


@setup_logging.connect
def _log_as_the_app_does(loglevel=None, **kwargs) -> None:
    """The worker and beat log through the app's handler (settings.LOGGING), whose filter
    (config/logs.py) writes no address and no error's message, rather than through
    Celery's own; Celery's lines ("Task ... received", "succeeded") at the level asked
    for with -l."""
    logging.config.dictConfig(settings.LOGGING)
    logging.getLogger("celery").setLevel(loglevel or logging.WARNING)


app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
logger = get_logger(__name__)


class Scheduler(PersistentScheduler):
    """Beat's own scheduler, which keeps its schedule in a file. Beat alone needs that
    folder, so beat alone makes it; one it cannot write stops it with one line, rather
    than a traceback at each attempt to open the file."""

    def setup_schedule(self) -> None:
        from config.env import writable_folder

        try:
            writable_folder(
                Path(self.schedule_filename).parent,
                "celery beat keeps its schedule there; make it writable, or give beat another file with --schedule",
            )
        except ImproperlyConfigured as exc:
            # Beat sends stderr to its log, at a level that may hide it: say it in the log.
            logger.critical("Configuration error: %s", exc)
            raise SystemExit(1) from None
        super().setup_schedule()

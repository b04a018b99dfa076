"""The benchmark (`python3 dev.py bench`, which runs `python -m bench`): a developer's
tool, not part of the site. It loads a large, plausible data set, starts gunicorn and a
Celery worker as production runs them, measures reports, pages, logging and report
latency against their baselines, and prints one table (docs/benchmark.md).

It lives apart from the apps because the site never needs it: it is not a Django app,
not in INSTALLED_APPS, and no app imports it (tests/test_layering.py). It uses the apps
as a script would, through their models and services.

    run.py          the options, the measurements and their goals
    dataset.py      the bench's data: programmes, requests, the bulk load, the baselines
    servers.py      gunicorn and a Celery worker on the bench's database, logging in
    load_tools.py   loading a page: wrk, or this process's threads
    measure.py      timing, the machine, the table
    audit.py        the disclosure audit's time and information loss (no database)

The bench wipes the database it runs on: see `dataset.foreign_data`.
"""


class BenchError(RuntimeError):
    """Something the bench needs did not work; the message says what."""

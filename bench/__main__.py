"""`python -m bench [options]`, as `python3 dev.py bench` runs it (with production
settings, on a database of its own): Django set up as manage.py sets it up, then the
bench. Exit status 1 with the reason when it cannot run; `--help` lists the options."""

import os
import sys

from bench import BenchError


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        sys.exit(f"Configuration error: {exc}")
    from bench.run import main as run  # it imports the apps' models: only once Django is set up

    try:
        run(sys.argv[1:])
    except BenchError as exc:
        sys.exit(f"Error: {exc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

import os
import sys

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

try:
    application = get_wsgi_application()
except ImproperlyConfigured as exc:
    # One line, as manage.py says it. Exit status 4 is gunicorn's "the app failed to
    # load": it stops the server instead of starting worker after worker.
    print(f"Configuration error: {exc}", file=sys.stderr, flush=True)
    raise SystemExit(4) from None

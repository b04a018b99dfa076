"""Settings, read from environment variables.

The defaults run on a fresh checkout with nothing else installed: a SQLite file and
Celery over kombu's filesystem transport, both under var/. Production sets
DATABASE_URL (PostgreSQL), CELERY_BROKER_URL (Redis), SECRET_KEY, ALLOWED_HOSTS,
TIME_ZONE and DEBUG=0. A bad value stops start-up with a message naming the variable.
"""

import datetime as dt
import re
import warnings
import zoneinfo
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config import databases
from config.env import env_bool, env_int, env_list, env_str, writable_folder

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (a long random string, e.g. from "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`)."
        )
    SECRET_KEY = "insecure-key-for-local-development-only"
elif len(SECRET_KEY) < 32 and not DEBUG:
    raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS must be set when DEBUG is off: a comma-separated list of host names, "
        "e.g. ALLOWED_HOSTS=intake.example.org."
    )

INSTALLED_APPS = [
    "config.apps.AdminConfig",  # Django's admin, auditing password changes (config/admin.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",  # Bootstrap's static files (django-bootstrap-static)
    "intake",
    "reports",
    "signoff",  # month sign-off, above intake and reports
    "shell",  # the site around them: home, audit log, second factor, error pages
    "api",  # the read-only JSON API for partners (/api/) and its tokens
    "publications",  # the publication key, the transparency log and the public /publications/ pages
    "coalition",  # peers' signed public figures beside the organisation's own (/coalition/)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The headers of every page, outside the session's middleware, so that the page it
    # answers with when a session ends during a request has them too (config/sessions.py).
    "config.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.sessions.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "config.middleware.SessionLifetimeMiddleware",
    "config.middleware.SecondFactorMiddleware",
    "axes.middleware.AxesMiddleware",
    "api.middleware.CorsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.middleware.security_context",
                "publications.context.publication_key",
            ],
        },
    },
]

# Database ------------------------------------------------------------------------

_SUPPORTED_DATABASES = {
    "django.db.backends.postgresql": "PostgreSQL",
    "django.db.backends.sqlite3": "SQLite",
}
_database_url = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
try:
    # A kept connection that a database restart has left stale is checked and replaced
    # at the start of the next request, instead of failing it.
    _database = dj_database_url.parse(
        _database_url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0), conn_health_checks=True
    )
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
if _database.get("ENGINE") not in _SUPPORTED_DATABASES:
    raise ImproperlyConfigured(
        "DATABASE_URL must start with postgres:// (production) or sqlite:// (development); "
        f"got {urlsplit(_database_url).scheme or _database_url!r}."
    )
if _database["ENGINE"] == "django.db.backends.postgresql" and not (_database.get("NAME") and _database.get("HOST")):
    raise ImproperlyConfigured("DATABASE_URL must name a host and a database, e.g. postgres://intake@db:5432/intake.")
if _database["ENGINE"] == "django.db.backends.sqlite3":
    if not _database.get("NAME") or _database["NAME"] == ":memory:":
        raise ImproperlyConfigured("DATABASE_URL for SQLite must name a file, e.g. sqlite:////srv/intake/db.sqlite3.")
    # The web process and the worker write to the same file: wait for a lock rather
    # than fail at once, and keep the test database in a file too, so that a Celery
    # worker thread in the tests sees what the test wrote.
    _database.setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
    _database["TEST"] = {"NAME": str(Path(_database["NAME"]).with_name("test-db.sqlite3"))}
    writable_folder(
        Path(_database["NAME"]).parent,
        "the SQLite database is kept there; make it writable, or set DATABASE_URL to a PostgreSQL database",
    )
DATABASES = {"default": _database}
# A streaming replica that partners' and the public's reads may use (config/replica.py),
# and Django's connection pool (config/databases.py).
if _replica := databases.replica(env_str("DATABASE_REPLICA_URL", ""), _database):
    DATABASES["replica"] = _replica
    DATABASE_ROUTERS = ["config.replica.ReplicaRouter"]
    MIDDLEWARE.append("config.replica.ReplicaReadsMiddleware")
databases.pooled(DATABASES, env_bool("DATABASE_POOL", False))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "intake.User"
# Argon2id (parameters and why in config/hashers.py). The PBKDF2 hashers only check
# passwords hashed before the switch; each is re-hashed with Argon2 at its next login.
PASSWORD_HASHERS = [
    "config.hashers.Argon2Hasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out login before checking it
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Internationalisation --------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ru", "Русский")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# Every number a page shows is grouped as its language writes it ("15,134"; in Russian
# "15 134", with a no-break space). Numbers that are not quantities (years, page numbers
# in links) are written with |stringformat:"d" in the templates.
USE_THOUSAND_SEPARATOR = True
USE_TZ = True
# Where the organisation works: a month begins at midnight there, and a month that has
# not begun there is "the future". Production must say which (in UTC, a team in Moscow
# could not log the new month until 03:00 on the 1st); development runs in UTC.
TIME_ZONE = env_str("TIME_ZONE", "UTC" if DEBUG else "")
if not TIME_ZONE:
    raise ImproperlyConfigured(
        "TIME_ZONE must be set when DEBUG is off: the IANA time zone the organisation works in, where its "
        "months begin, e.g. TIME_ZONE=Europe/Moscow."
    )
try:
    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(f"TIME_ZONE must be an IANA time zone such as Europe/Berlin; got {TIME_ZONE!r}.") from None

# Static files: served by the app itself (WhiteNoise), straight from the installed
# packages, so nothing is loaded from another host and no collectstatic step can be
# forgotten.
STATIC_URL = "static/"
# STATIC_ROOT is only collectstatic's output, which is optional here: nothing makes the
# folder, and WhiteNoise need not warn that it is missing. Behind nginx (deploy/), set it:
# collectstatic then names each file by a hash of its contents, and nginx serves them
# with a year's cache (a changed file gets a new name).
STATIC_ROOT = Path(env_str("STATIC_ROOT", "") or VAR_DIR / "static")
if env_str("STATIC_ROOT", ""):
    STORAGES = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
warnings.filterwarnings("ignore", message=re.escape(f"No directory at: {STATIC_ROOT}"))
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Uploads: the only file is the CSV import, at most 2 MB (intake.imports.MAX_BYTES). Up
# to that size it is held in memory; a larger one goes to a temporary file, and the form
# refuses it by its size, unread. The other forms post a few short fields.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

# Security --------------------------------------------------------------------------

# HTTPS=1 (the default with DEBUG off): redirect to HTTPS, HSTS, cookies only over
# HTTPS. TRUSTED_PROXY=1 when a reverse proxy terminates TLS and sets
# X-Forwarded-Proto and X-Forwarded-For.
HTTPS = env_bool("HTTPS", not DEBUG)
TRUSTED_PROXY = env_bool("TRUSTED_PROXY", False)
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SESSION_COOKIE_SECURE = HTTPS
if TRUSTED_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# The CSRF token lives in the session, not in a cookie that would outlive it by a year
# and show, on a seized computer, that the app was used. No script reads it.
CSRF_USE_SESSIONS = True
# A POST without a logged-in session (it ended, or another site sent it) goes to the
# login page and does nothing; with one, a missing or wrong token is a 403.
CSRF_FAILURE_VIEW = "config.sessions.csrf_failure"
# Idle sessions end after 30 minutes: the cookie's age is renewed on every request.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
# However active, a session ends 12 hours after login (config.middleware).
SESSION_ABSOLUTE_AGE = 12 * 3600

# A second factor (TOTP app, backup codes) for every account; DEBUG settings may
# relax this, and the login page then says so.
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", not DEBUG)
OTP_TOTP_ISSUER = "Case intake"
# django-otp's own throttling would store the time of each wrong code: off. Wrong codes
# are counted in the cache instead, and a code works once (shell/two_factor.py).
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0

# Login throttling (django-axes): five wrong passwords for one username from one
# address lock that pair out for 15 minutes; a colleague behind the same address
# still logs in. Attempts are counted in the cache, under a keyed hash of the
# address: no address and no browser string is stored.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_CLIENT_IP_CALLABLE = "config.security.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "shell.views.locked_out"
AXES_VERBOSE = False
AXES_DISABLE_ACCESS_LOG = True
AXES_CACHE = "security"
# Two caches in the database, shared by every web process (tables made by migrations).
# "security" holds what throttles logins and second-factor codes: django-axes' counts of
# wrong passwords and shell/two_factor.py's counts of wrong codes and the codes already
# used. Nothing else writes to it, and it is never culled (Django's database cache would
# delete a third of its rows, the first by key, whenever it held more than MAX_ENTRIES,
# and a lockout with them): every row ends by itself, at most 15 minutes after it was
# written, and the clean-up deletes it then. It grows only with failed logins, each of
# which costs the server a password hash, so it stays far from this number.
# "default" holds the rest, written only by people logged in: import previews, imports
# confirmed and entries undone, each for an hour. Real use is a few dozen at a time; past
# 5,000 rows the ones that sort first go, and a preview gone must be uploaded again.
_DATABASE_CACHE = "django.core.cache.backends.db.DatabaseCache"
CACHES = {
    "default": {"BACKEND": _DATABASE_CACHE, "LOCATION": "cache_entries", "OPTIONS": {"MAX_ENTRIES": 5_000}},
    "security": {"BACKEND": _DATABASE_CACHE, "LOCATION": "security_counters",
                 "OPTIONS": {"MAX_ENTRIES": 10**12}},
}

# Nothing loads from another host, and no inline script or style runs. Bootstrap's
# stylesheet draws a few icons from data: URIs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
    },
}

# Publications (publications/; docs/security.md, "The publication key") ---------------

# The organisation's Ed25519 publication key: a file, never in the database (so never in
# a backup or dump of it), mode 0600, readable only by the account that runs the app.
PUBLICATION_KEY_FILE = Path(env_str("PUBLICATION_KEY_FILE", str(VAR_DIR / "publication.key")))
# Who signs: named in the trusted comment of every signature.
PUBLICATION_ORGANISATION = env_str("PUBLICATION_ORGANISATION", "Case intake")
# The transparency log's name, the first line of its checkpoints and the key name of
# their signatures (c2sp.org/tlog-checkpoint): by default the site's first host name.
_hosts = [h.lstrip(".") for h in ALLOWED_HOSTS if h.lstrip(".") and "*" not in h]
PUBLICATION_LOG_ORIGIN = env_str("PUBLICATION_LOG_ORIGIN", "") or f"{_hosts[0] if _hosts else 'localhost'}/publications"
if re.search(r"[\s+]", PUBLICATION_LOG_ORIGIN) or not PUBLICATION_LOG_ORIGIN.isprintable():
    raise ImproperlyConfigured(
        f"PUBLICATION_LOG_ORIGIN must have no space and no plus sign, e.g. intake.example.org/publications; "
        f"got {PUBLICATION_LOG_ORIGIN!r}."
    )

# Coalition view (coalition/; docs/coalition.md) ---------------------------------------

# Whether /coalition/<YYYY-MM>/ is open to anyone (it shows only public figures); by
# default staff and auditors alone see it.
COALITION_PUBLIC = env_bool("COALITION_PUBLIC", False)
# Fetching a peer's /publications/: the longest an answer may take, in seconds (for the
# whole answer), and the most bytes one may hold.
COALITION_FETCH_TIMEOUT = env_int("COALITION_FETCH_TIMEOUT", 20, minimum=1)
COALITION_FETCH_MAX_BYTES = env_int("COALITION_FETCH_MAX_BYTES", 5_000_000, minimum=10_000)

# Celery ----------------------------------------------------------------------------

_SUPPORTED_BROKERS = {"redis", "rediss", "filesystem"}
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if urlsplit(CELERY_BROKER_URL).scheme not in _SUPPORTED_BROKERS:
    raise ImproperlyConfigured(
        "CELERY_BROKER_URL must start with redis:// or rediss:// (production) or be filesystem:// "
        f"(development); got {CELERY_BROKER_URL!r}."
    )
if urlsplit(CELERY_BROKER_URL).scheme.startswith("redis") and not urlsplit(CELERY_BROKER_URL).hostname:
    raise ImproperlyConfigured(f"CELERY_BROKER_URL must name the Redis host, e.g. redis://redis:6379/0; got {CELERY_BROKER_URL!r}.")
if CELERY_BROKER_URL.startswith("filesystem"):
    # kombu's filesystem transport: one folder of message files shared by the web
    # process, the worker and beat on this machine.
    BROKER_DIR = Path(env_str("BROKER_DIR", str(VAR_DIR / "broker")))
    for _folder in ("queue", "control"):
        writable_folder(
            BROKER_DIR / _folder,
            "the filesystem broker keeps its messages there; make it writable, or set BROKER_DIR to another "
            "folder, or CELERY_BROKER_URL to a Redis server",
        )
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
        # How often the worker looks in the folder for new messages: kombu's default of a
        # second made every report wait up to a second before it started; a listing of a
        # local folder ten times a second costs nothing.
        "polling_interval": 0.1,
    }
else:
    # A broker that hangs must not hang a web request: every socket operation gives
    # up after a few seconds.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_timeout": 3,
        "socket_connect_timeout": 3,
        # Publishing: one more try straight away, then give up (the sweep re-sends).
        "max_retries": 1,
        "interval_start": 0,
        "visibility_timeout": 3600,
    }
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing tries once and gives up within seconds: the report row stays queued, and
# the sweep below sends it again.
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Results live in the database (the Report row), not in a result backend.
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
# A task is acknowledged only when it has finished, and re-queued if its worker dies.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 180
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "config.celery:Scheduler"  # makes the folder of this file when beat starts
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # 02:00 on the 1st of each month: the reports for the month just ended.
    "monthly-reports": {
        "task": "reports.generate_last_month",
        "schedule": crontab(minute=0, hour=2, day_of_month=1),
    },
    # Every minute: send again the reports whose message was lost (a broker that was
    # down when they were requested) or whose worker died, so that each is made within
    # about a minute of the broker or a worker coming back (reports/services.py).
    "resend-stuck-reports": {
        "task": "reports.resend_stuck",
        "schedule": crontab(minute="*"),
    },
    # Every quarter of an hour: delete expired sessions and cache rows, forget ended
    # unlocks (shell/clean_up.py), so that none tells when anyone was last here.
    "clean-up": {
        "task": "shell.clean_up",
        "schedule": crontab(minute="*/15"),
    },
}

# Collapse (intake/retention.py): the closed requests of a programme's accepted month
# are replaced by their counts this many months after the month it was accepted in,
# by the daily task below. Unset (the default) or empty: only staff collapse a month,
# on its review page. 0: at the first run after acceptance.
_collapse_after = env_str("COLLAPSE_AFTER_MONTHS", "")
COLLAPSE_AFTER_MONTHS = env_int("COLLAPSE_AFTER_MONTHS", 0) if _collapse_after else None
# 04:15 every day: fetch the signed public documents of the peers with an address.
CELERY_BEAT_SCHEDULE["fetch-peers"] = {"task": "coalition.fetch_peers", "schedule": crontab(minute=15, hour=4)}
CELERY_BEAT_SCHEDULE["collapse-accepted-months"] = {
    "task": "intake.collapse_accepted_months",
    "schedule": crontab(minute=30, hour=3),
}

# The API's rate limit: requests a minute per token (api/tokens.py). Its counters live
# in the "api" cache, never in the database (a row per token and minute would keep the
# time of each use): in Redis, shared by every process, when API_CACHE_URL names one or
# when Celery's broker is Redis (production); otherwise in each process's memory.
API_RATE_LIMIT = env_int("API_RATE_LIMIT", 60, minimum=1)
API_CACHE_URL = env_str("API_CACHE_URL", CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else "")
if API_CACHE_URL:
    if urlsplit(API_CACHE_URL).scheme not in {"redis", "rediss"} or not urlsplit(API_CACHE_URL).hostname:
        raise ImproperlyConfigured(f"API_CACHE_URL must be a Redis URL such as redis://redis:6379/2; got {API_CACHE_URL!r}.")
    CACHES["api"] = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": API_CACHE_URL,
                     "KEY_PREFIX": "api", "OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1}}
else:
    CACHES["api"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api-rate"}

# Logging: no addresses, no request contents (the dev server's access log is off).
# Everything goes to one handler whose filter leaves out the paths of pages (they hold
# request references and entry ids), addresses, and tracebacks of refusals.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_request_details": {"()": "config.logs.NoRequestDetails"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["no_request_details"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        # Not Django's default handlers: its error mails to ADMINS would carry the whole request.
        "django": {"handlers": [], "level": "INFO"},
        "django.server": {"handlers": [], "level": "ERROR", "propagate": False},
    },
}

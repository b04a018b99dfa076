"""Reads of what partners and the public see, from a streaming replica (DATABASE_REPLICA_URL).

Only the requests of PUBLISHED_ROUTES read from the replica, and in them only the models
of REPLICA_MODELS; every write, every other model (accounts, sessions, API tokens: a
revoked token must stop working at once) and every other page (staff, coordinators,
auditors) use the primary. The settings add the router and the middleware only when a
replica is configured.

A replica lags its primary by a moment. An answer of "not found" or "not published"
(404, 409) read from a replica that has not yet replayed everything the primary has
written is answered again from the primary, so a document just published is never
missing; a genuine 404 is kept (its check is two small queries, one on each side). A
replica that does not answer, or fails during a request, is left alone for
RETRY_AFTER seconds: reads go to the primary, and the process logs one warning."""

import contextvars
import logging
import time

from django.core.exceptions import ObjectDoesNotExist
from django.db import DatabaseError, connections
from django.http import Http404

REPLICA = "replica"
# The models public and partner outputs read: read together from the replica, so that
# one answer sees one moment of the data. Add here any model those outputs come to read.
REPLICA_MODELS = frozenset({
    "intake.Programme", "intake.MonthlyCount", "intake.DataVersion", "intake.MonthReview",
    "reports.Report", "reports.ReferenceFigure", "reports.Publication",
    "publications.SigningKey", "publications.LogEntry", "publications.Checkpoint", "publications.SignedFile",
    "coalition.Peer", "coalition.PeerCheckpoint", "coalition.PeerDocument", "coalition.PeerAttempt",
})
# The routes whose GET answers read from the replica: a URL namespace (every route in it),
# or a route's name with the ?profile= values that make it an output for partners or
# the public. Add here any such page.
PUBLISHED_NAMESPACES = frozenset({"api"})
PUBLISHED_PROFILES = frozenset({"partner", "public"})
PUBLISHED_ROUTES = frozenset({"report_latest", "report_detail", "report_print", "report_json", "report_csv"})
# Routes that only ever show published figures, whatever their parameters: the signed
# publications, their log and proofs, and the coalition's side-by-side view.
PUBLISHED_PAGES = frozenset({
    "publication_list", "publication_key_pub", "publication_key_by_id", "publication_checkpoint",
    "publication_proof", "publication_consistency", "publication_file", "publication_signature",
    "publication_co_signature", "report_signature", "coalition_latest", "coalition_page", "coalition_json", "coalition_csv",
})
# The answers a lagging replica may give for a document just published.
NOT_THERE_YET = frozenset({404, 409})
RETRY_AFTER = 30.0  # seconds a replica found down is left alone

logger = logging.getLogger(__name__)
_reading_published = contextvars.ContextVar("reading_published", default=False)
_down_until = 0.0


class ReplicaRouter:
    """Sends reads of REPLICA_MODELS to the replica while a published output is answered."""

    def db_for_read(self, model, **hints):
        if _reading_published.get() and model._meta.label in REPLICA_MODELS:
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA


def is_published_output(request) -> bool:
    match = request.resolver_match
    if request.method not in ("GET", "HEAD") or match is None:
        return False
    if PUBLISHED_NAMESPACES.intersection(match.namespaces) or match.url_name in PUBLISHED_PAGES:
        return True
    return match.url_name in PUBLISHED_ROUTES and request.GET.get("profile") in PUBLISHED_PROFILES


def _mark_down(exc: Exception) -> None:
    global _down_until
    was_up = time.monotonic() >= _down_until
    _down_until = time.monotonic() + RETRY_AFTER
    connections[REPLICA].close()
    if was_up:
        logger.warning("The read replica is unreachable (%s): partner and public reads use the primary; "
                       "trying the replica again in %d s.", type(exc).__name__, RETRY_AFTER)


def replica_answers() -> bool:
    """Whether the replica can be used now (connecting to it when this request has not)."""
    if time.monotonic() < _down_until:
        return False
    try:
        connections[REPLICA].ensure_connection()
    except DatabaseError as exc:
        _mark_down(exc)
        return False
    return True


def replica_behind() -> bool:
    """Whether the replica has yet to replay something the primary has written."""
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            [written] = cursor.fetchone()
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT coalesce(pg_last_wal_replay_lsn() >= %s::pg_lsn, false)", [written])
            [replayed] = cursor.fetchone()
    except DatabaseError:
        return True
    return not replayed


class ReplicaReadsMiddleware:
    """Answers a published output with reads from the replica, then from the primary
    (the view is called again, by Django) when the replica could not answer it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not is_published_output(request) or not replica_answers():
            return None
        token = _reading_published.set(True)
        try:
            response = view_func(request, *view_args, **view_kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
        except (Http404, ObjectDoesNotExist):
            return None  # read again from the primary, which raises it again if it is so there too
        except DatabaseError as exc:
            # The replica went away, or cancelled a query that conflicted with its replay.
            if not connections[REPLICA].is_usable():
                _mark_down(exc)
            return None
        finally:
            _reading_published.reset(token)
        if response.status_code in NOT_THERE_YET and replica_behind():
            return None
        return response

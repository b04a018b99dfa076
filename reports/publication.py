"""Publication at acceptance (issue 23; docs/disclosure.md, "Publication").

When an auditor accepts a programme's month, the worker publishes it: `publish` makes
the partner and public documents of every scope the month completes (the programme's;
and all programmes' once every programme started by then has accepted it), hands them
with everything published before to the audit (`_audited`), and stores each as a
`Publication` with its JSON and CSV files in every language, all in one transaction.
From then on every partner and public output (pages, exports, print view, API) serves
the stored publication, byte for byte, and nothing is computed per request. A month or
version not published is answered as before: not published, and why, for staff.

Publications are never changed: a correction accepted later is a new row, and the
latest of a scope, month and profile is the one served.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from celery import current_app
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from intake.models import MonthReview, Programme
from intake.months import format_month, month_in_sentence

from .disclosure import MonthNotPublished, NotPublishable, check_published, published_document
from .models import Publication, PublicationAttempt, Report
from .outputs import to_csv
from .services import _lock_key, report_data_unchanged, report_generate, report_request
from .signals import publication_stored
from .withheld import with_reasons, with_words

log = logging.getLogger(__name__)

PUBLISHED_PROFILES = ("partner", "public")
# The task that publishes a month (reports/tasks.py), sent by name like GENERATE_TASK.
PUBLISH_TASK = "reports.publish"


class PublicationFailed(Exception):
    """The month was not published; str(exc) says why, in the active language."""


@dataclass(frozen=True)
class Candidate:
    """A document the month would publish, before the audit."""

    programme: Programme | None
    report: Report
    profile: str
    document: dict[str, Any]
    internal: dict[str, Any]

    @property
    def scope(self) -> str | None:
        return self.programme.slug if self.programme else None


def _audited(candidates: list[Candidate], earlier: QuerySet[Publication]) -> list[dict[str, Any]]:
    """THE call site of the audit of issue 23 (reports/disclosure_audit.py): the
    documents to publish, one per candidate and in their order, once the attacker's
    linear programs over `earlier` (every publication ever made, of every scope, month,
    version and profile, replaced ones included, in the order they were made) and the
    candidates together narrow no hidden figure. A figure the audit hides more carries
    the code "audit" in the document's "withheld" object. Raises PublicationFailed if the
    audit fails or AuditTimeout if it takes too long: nothing is published."""
    # Here, not at the top: the audit's scipy and HiGHS (about 50 MiB) are then
    # loaded by the processes that publish (the worker, manage.py publish), not by every
    # web worker that imports this module to read publications.
    from .disclosure_publish import audited_documents

    previous = [row.body for row in earlier]
    documents = audited_documents([c.document for c in candidates], [c.internal for c in candidates], previous)
    if documents is None:
        raise PublicationFailed(_("The audit of the figures failed: the figures published before already let a "
                                  "count under 10 be narrowed, so nothing more can be published. Nothing was "
                                  "published."))
    return documents


def _attempt_update(programme: Programme | None, month: dt.date, **fields) -> None:
    if programme is not None:
        PublicationAttempt.objects.filter(programme=programme, month=month).update(**fields)


def publication_queue(*, programme: Programme, month: dt.date, version: int | None) -> None:
    """Note a publication of the month as queued, and send it to the worker once the
    caller's transaction commits (review_accept calls it)."""
    PublicationAttempt.objects.update_or_create(
        programme=programme, month=month,
        defaults={"state": PublicationAttempt.State.QUEUED, "version": version, "progress": 0, "failure": ""},
    )
    programme_id = programme.pk
    transaction.on_commit(lambda: publication_enqueue(programme_id=programme_id, month=month))


def publication_enqueue(*, programme_id: int, month: dt.date) -> None:
    """Send a publication to the worker; if the broker is down it stays queued, and
    `manage.py publish` makes it."""
    try:
        current_app.send_task(PUBLISH_TASK, args=[programme_id, format_month(month)])
    except Exception:  # noqa: BLE001 - any broker failure: the attempt stays queued
        log.exception("Could not send the publication of %s %s to the worker.", programme_id, month)


def _report_of_all(month: dt.date) -> Report:
    """The all-programmes report of the month whose figures are those of the data now:
    the latest ready version if its data stamp is still the current one (one small
    query), a new version made here otherwise."""
    latest = (Report.objects.for_scope(None).filter(month=month, state=Report.State.READY).defer("basis", "body")
              .order_by("-version").first())
    if latest is not None and report_data_unchanged(latest):
        return Report.objects.get(pk=latest.pk)
    report = report_request(programme=None, month=month, send=False)
    report_generate(report_id=report.pk)
    report.refresh_from_db()
    if report.state != Report.State.READY:
        raise PublicationFailed(_("The report of all programmes could not be made: %(reason)s")
                                % {"reason": report.failure})
    return report


def _scopes(programme: Programme | None, month: dt.date) -> list[tuple[Programme | None, Report]]:
    """The scopes the month's publication completes, each with the report version to
    publish. MonthNotPublished if the month is not accepted and locked."""
    started = list(Programme.objects.filter(first_month__lte=month).order_by("first_month", "pk"))
    scopes: list[tuple[Programme | None, Report]] = []
    if programme is not None:
        check_published([programme], month)
        scopes.append(_accepted_version(programme, month))
        try:
            check_published(started, month)
        except MonthNotPublished:
            return scopes  # all programmes wait for the others
    else:
        check_published(started, month)
    # All programmes' document comes after each programme's own of the month: one that is
    # not published yet (its acceptance's publication has not run) is published with it,
    # so that an audit reads the sum after its parts, as the outsider will.
    others = [_accepted_version(other, month) for other in started if other != programme]
    published = set(Publication.objects.filter(report__in=[report for _other, report in others])
                    .values_list("report_id", flat=True))
    scopes += [(other, report) for other, report in others if report.pk not in published]
    scopes.append((None, _report_of_all(month)))
    return scopes


def _accepted_version(programme: Programme, month: dt.date) -> tuple[Programme, Report]:
    review = MonthReview.objects.get(programme=programme, month=month)
    report = Report.objects.filter(programme=programme, month=month, version=review.report_version,
                                   state=Report.State.READY).select_related("programme").first()
    if report is None:
        raise PublicationFailed(_("Version %(version)s of the report is not ready.")
                                % {"version": review.report_version})
    return programme, report


def _files(document: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The JSON and CSV files of a published document in every language, as served."""
    files = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            served = with_words(document)
            files[language] = {
                "json": json.dumps(served, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
                "csv": to_csv(served),
            }
    return files


@contextmanager
def _one_at_a_time(month: dt.date) -> Iterator[None]:
    """One publication of a month at a time, from the choice of its reports to the
    rows stored: a second one waits, then finds them made. (SQLite lets one writer in
    at a time anyway.)"""
    if connection.vendor != "postgresql":
        yield
        return
    key = _lock_key("publish", month.isoformat())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [key])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


def publish(programme: Programme | None, month: dt.date) -> list[Publication]:
    """Publish a programme's accepted month (None: all programmes' month, once every
    programme started by then has accepted it): the publications of each scope and
    profile, new or made before. PublicationFailed, saying why, if nothing could be
    published; then nothing is."""
    _attempt_update(programme, month, state=PublicationAttempt.State.RUNNING, progress=0, failure="")
    try:
        with _one_at_a_time(month):
            publications = _publish(programme, month)
    except Exception as exc:
        if isinstance(exc, (NotPublishable, PublicationFailed)):
            reason = str(exc)
        else:
            log.exception("The publication of %s %s failed.", programme, month)
            reason = _("The publication failed (%(error)s): nothing was published. Publish the month again with "
                       "manage.py publish once the cause is fixed.") % {"error": type(exc).__name__}
        _attempt_update(programme, month, state=PublicationAttempt.State.FAILED, failure=reason[:300])
        raise PublicationFailed(reason) from exc
    return publications


def _publish(programme: Programme | None, month: dt.date) -> list[Publication]:
    scopes = _scopes(programme, month)
    _attempt_update(programme, month, progress=20)
    # What is published already stays as it is, and is not audited again as if new (the
    # audit reads it among the earlier publications).
    published = {(row.report_id, row.profile): row for row in Publication.objects.filter(
        report__in=[report for _scope, report in scopes])}
    if all((report.pk, profile) in published for _scope, report in scopes for profile in PUBLISHED_PROFILES):
        _attempt_update(programme, month, state=PublicationAttempt.State.PUBLISHED, progress=100,
                        version=scopes[0][1].version, failure="")
        return [published[report.pk, profile] for _scope, report in scopes for profile in PUBLISHED_PROFILES]
    candidates = []
    for scope, report in scopes:
        if all((report.pk, profile) in published for profile in PUBLISHED_PROFILES):
            continue
        internal = published_document(report, "internal")
        candidates += [Candidate(scope, report, profile, published_document(report, profile), internal)
                       for profile in PUBLISHED_PROFILES]
    _attempt_update(programme, month, progress=40)
    earlier = Publication.objects.select_related("programme").only(
        "programme__slug", "month", "version", "profile", "body").order_by("pk")
    try:
        documents = _audited(candidates, earlier)
    except PublicationFailed:
        raise
    except Exception as exc:
        log.exception("The audit of %s %s failed.", programme, month)
        raise PublicationFailed(
            _("The audit of the figures failed (%(error)s): nothing was published. Publish the month again with "
              "manage.py publish once the cause is fixed.") % {"error": type(exc).__name__}) from exc
    if len(documents) != len(candidates):
        raise PublicationFailed(_("The audit gave %(got)s documents for %(asked)s.")
                                % {"got": len(documents), "asked": len(candidates)})
    _attempt_update(programme, month, progress=80)
    rows = []
    for candidate, audited in zip(candidates, documents):
        document = with_reasons(audited, candidate.internal)
        rows.append(Publication(
            programme=candidate.programme, month=month, report=candidate.report, version=candidate.report.version,
            profile=candidate.profile, body=document, fingerprint=document["fingerprint"], files=_files(document),
        ))
    with transaction.atomic():
        if programme is not None:
            review = MonthReview.objects.get(programme=programme, month=month)
            if review.state != MonthReview.State.ACCEPTED or review.report_version != scopes[0][1].version:
                raise PublicationFailed(_("The month changed while it was being published: publish it again."))
        stored, new = [], []
        for row in rows:
            existing = Publication.objects.filter(report=row.report, profile=row.profile).first()
            if existing is None:
                row.save()
                new.append(row)
            stored.append(existing or row)
        if new:
            # publications signs and logs every file of them, or raises: then nothing is published.
            publication_stored.send(sender=Publication, publications=new)
        _attempt_update(programme, month, state=PublicationAttempt.State.PUBLISHED, progress=100,
                        version=scopes[0][1].version, failure="")
    return stored


# --- what the outputs serve --------------------------------------------------------


def _served(programme_id: int | None, month: dt.date, profile: str):
    rows = Publication.objects.filter(month=month, profile=profile)
    return rows.filter(programme_id=programme_id) if programme_id else rows.filter(programme__isnull=True)


def served_publication(report: Report, profile: str, *, files: bool = False) -> Publication:
    """The stored publication of `report` in `profile`, in one query; with files=True
    also its published files, which exports and signatures serve and pages never show
    (the JSON and CSV in each language: six times the document, read and parsed for
    nothing on every page). NotPublishable, saying why, if there is none."""
    rows = _served(report.programme_id, report.month, profile).filter(report=report)
    if not files:
        rows = rows.defer("files")
    publication = rows.order_by("-pk").first()
    if publication is None:
        raise NotPublishable(not_published_reason(report))
    return publication


def published_months(programme: Programme | None, profile: str) -> set[dt.date]:
    """The months of a scope with a publication in `profile`: one query."""
    rows = Publication.objects.filter(profile=profile)
    rows = rows.filter(programme=programme) if programme else rows.filter(programme__isnull=True)
    return set(rows.values_list("month", flat=True).distinct())


def not_published_reason(report: Report) -> str:
    """Why a report version has no publication, for staff and auditors."""
    programmes = ([report.programme] if report.programme_id
                  else list(Programme.objects.filter(first_month__lte=report.month)))
    latest = (_served(report.programme_id, report.month, "public").only("version").order_by("-pk").first())
    names = {"version": report.version, "month": month_in_sentence(report.month)}
    if latest is None:
        try:
            check_published(programmes, report.month)
        except MonthNotPublished as exc:
            return str(exc)
    attempt = None
    if report.programme_id:
        attempt = PublicationAttempt.objects.filter(programme_id=report.programme_id, month=report.month).first()
    if attempt is not None and attempt.state == PublicationAttempt.State.FAILED:
        return _("The publication of %(month)s failed: %(reason)s") % (names | {"reason": attempt.failure})
    if attempt is not None and attempt.state in (PublicationAttempt.State.QUEUED, PublicationAttempt.State.RUNNING):
        return _("%(month)s is being published: its partner and public figures are served once the worker has "
                 "checked and stored them.") % names
    if latest is not None:
        return _("Version %(version)s of this report is not published: partner and public figures are served from "
                 "version %(published)s, the one published, until an auditor accepts a later version.") % (
            names | {"published": latest.version})
    return _("%(month)s is accepted but not published yet: publish it with manage.py publish.") % names


def month_publication(programme: Programme, month: dt.date) -> Publication | None:
    """A programme's month's latest public publication, of whichever version; None if it
    has none. One query."""
    return _served(programme.pk, month, "public").order_by("-pk").first()


def waiting_version(latest_ready: int | None, published: Publication | None) -> tuple[int, int] | None:
    """(latest ready version, version published) when a later version of the month's
    report than the one published (its month_publication) waits for an auditor's
    acceptance; else None."""
    if published is not None and latest_ready is not None and latest_ready > published.version:
        return latest_ready, published.version
    return None

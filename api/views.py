"""The read-only JSON API (django-ninja), under /api/v1/; its OpenAPI 3.1 document at
/api/openapi.json. Every answer is about programmes, months, published reports and
reference figures: nothing reaches a single request. Reports are served only as they
were published at acceptance (reports/publication.py), in the token's profile: the
stored document, with the words of its reasons in the request's language."""

import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.urls import reverse
from django.utils.http import parse_etags
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET
from ninja import NinjaAPI, Path, Router
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer

from intake.models import Programme
from intake.months import MONTH_PATTERN, current_month, format_month, month_in_sentence, month_range, parse_month
from publications.models import LogEntry
from reports.models import Publication, ReferenceFigure, Report
from reports.publication import published_months
from reports.withheld import with_words

from . import problems
from .models import ApiToken
from .problems import PROBLEM_TYPE, Problem
from .schemas import (
    MonthOut,
    ProblemOut,
    ProgrammeOut,
    PublicationOut,
    ReferenceFigureOut,
    ReportOut,
    ReportSummary,
)
from .tokens import rate_check, token_check, use_count


class BearerToken(HttpBearer):
    """A partner's token, sent as `Authorization: Bearer itk_...`."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        found = token_check(token)
        request.api_token = found  # for the CORS middleware
        rate_check(found)
        use_count(found)
        found.programme_ids = set(found.programmes.values_list("pk", flat=True))
        return found


class Renderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}


def _header(description: str, schema: dict) -> dict:
    return {"description": description, "schema": schema}


# The headers the answers carry, for the document (a report's 200 and 304 carry its ETag).
HEADERS = {
    "200": {"ETag": _header("A strong validator of the report in this profile: send it back in If-None-Match.",
                            {"type": "string"})},
    "304": {"ETag": _header("The same validator: the copy you have is current.", {"type": "string"})},
    "401": {"WWW-Authenticate": _header('Bearer realm="api" (with error="invalid_token" for a token that is not '
                                        "valid, revoked or expired).", {"type": "string"})},
    "429": {"Retry-After": _header("Seconds until the token may ask again.", {"type": "integer", "minimum": 1})},
}


class Api(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """Ninja's document, with errors typed as application/problem+json."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for path in schema["paths"].values():
            for operation in path.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        content[PROBLEM_TYPE] = content.pop("application/json")
                    if str(status) in HEADERS and (str(status) != "200" or "304" in operation["responses"]):
                        response["headers"] = HEADERS[str(status)]
        return schema


api = Api(
    title="Case intake figures API",
    version="1.0.0",
    description="Read-only figures of the organisation's monthly reports, as a partner or the public may see "
                "them (small counts suppressed, others rounded to 5), for the months it has published. "
                "Send your token as `Authorization: Bearer <token>`; 60 requests a minute per token by default.",
    auth=BearerToken(),
    renderer=Renderer(),
    urls_namespace="api",
    openapi_url=None,  # served by openapi_document below, for GET only
    docs_url=None,
)

ERRORS = {400: ProblemOut, 401: ProblemOut, 404: ProblemOut, 429: ProblemOut}


@api.exception_handler(Problem)
def _problem(request, exc: Problem):
    return problems.from_problem(exc)


@api.exception_handler(AuthenticationError)
def _no_token(request, exc):
    return problems.problem_response(
        401, _("Not authorised"), _("Send your token in the Authorization header: Bearer <token>."),
        {"WWW-Authenticate": 'Bearer realm="api"'},
    )


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    where = "; ".join(f"{'.'.join(str(part) for part in error.get('loc', ()))}: {error.get('msg', '')}"
                      for error in exc.errors)
    return problems.problem_response(400, _("Bad request"), where)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return problems.not_found()


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return problems.problem_response(exc.status_code, _("Error"), str(exc))


@api.exception_handler(Exception)
def _server_error(request, exc: Exception):
    if isinstance(exc, Problem):
        return problems.from_problem(exc)
    raise exc  # logged by Django, answered by the 500 handler (problem+json under /api/)


v1 = Router(tags=["v1"])
SLUG = Path(..., pattern=r"^[-a-zA-Z0-9_]+$", description="A programme's short name", examples=["desertion-help"])
SCOPE = Path(..., pattern=r"^[-a-zA-Z0-9_]+$", description='A programme\'s short name, or "all" for every programme',
             examples=["all", "desertion-help"])


def _programme(token: ApiToken, slug: str) -> Programme:
    programme = Programme.objects.filter(slug=slug, pk__in=token.programme_ids).first()
    if programme is None:
        raise Problem(404, _("Not found"), _("This token covers no programme named %(slug)s.") % {"slug": slug})
    return programme


def _scope(token: ApiToken, scope: str) -> Programme | None:
    """The programme of `scope` (None for "all", allowed only to a token that covers
    every programme)."""
    if scope != "all":
        return _programme(token, scope)
    if set(Programme.objects.values_list("pk", flat=True)) - token.programme_ids:
        raise Problem(403, _("Forbidden"), _("The all-programmes figures are open only to a token that covers every "
                                             "programme."))
    return None


def _texts(thing, field: str) -> dict:
    return {"en": getattr(thing, field), "ru": getattr(thing, f"{field}_ru") or None}


@v1.get("/programmes", response={200: list[ProgrammeOut], **ERRORS}, summary="Programmes this token covers")
def programme_list(request):
    programmes = Programme.objects.filter(pk__in=request.auth.programme_ids).order_by("slug")
    return [{"slug": p.slug, "name": _texts(p, "name"), "first_month": format_month(p.first_month)}
            for p in programmes]


@v1.get("/programmes/{slug}", response={200: ProgrammeOut, **ERRORS}, summary="One programme")
def programme_detail(request, slug: str = SLUG):
    p = _programme(request.auth, slug)
    return {"slug": p.slug, "name": _texts(p, "name"), "first_month": format_month(p.first_month)}


@v1.get("/programmes/{slug}/months", response={200: list[MonthOut], **ERRORS},
        summary="The programme's months, from its first to this one, and whether each is published")
def programme_months(request, slug: str = SLUG):
    # Whether a month is published, never its review state: that a month was returned,
    # or is being corrected, is the organisation's own business.
    programme = _programme(request.auth, slug)
    published = published_months(programme, request.auth.profile)
    months = month_range(programme.first_month, current_month()) if programme.first_month <= current_month() else []
    return [{"month": format_month(m), "published": m in published} for m in months]


def _summary(publication: Publication, scope: str) -> dict:
    month = format_month(publication.month)
    version = publication.version
    return {"scope": scope, "month": month, "version": version,
            "url": reverse("api:report_version", kwargs={"scope": scope, "month": month, "version": version})}


def _publications(programme: Programme | None, profile: str):
    """The scope's publications in `profile`, the latest first (never Report.basis)."""
    rows = Publication.objects.filter(profile=profile)
    rows = rows.filter(programme=programme) if programme else rows.filter(programme__isnull=True)
    return rows.order_by("-month", "-pk")


@v1.get("/reports/{scope}", response={200: list[ReportSummary], 403: ProblemOut, **ERRORS},
        summary="The published reports of a scope (a programme's slug, or all), newest first")
def report_list(request, scope: str = SCOPE):
    programme = _scope(request.auth, scope)
    publications = _publications(programme, request.auth.profile).only("month", "version")
    return [_summary(publication, scope) for publication in publications]


def _not_published(scope: Programme | None, month: dt.date) -> Problem:
    """A 409 saying that a month is not published, and nothing of why: its review state
    is not the partner's business."""
    names = {"month": month_in_sentence(month)}
    if scope is None:
        detail = _("The figures of all programmes for %(month)s are not published.") % names
    else:
        names["programme"] = scope.localized("name")
        detail = _("The figures of %(programme)s for %(month)s are not published.") % names
    return Problem(409, _("Not published yet"), detail)


def _matches(request, etag: str) -> bool:
    if_none_match = request.headers.get("If-None-Match", "")
    if not if_none_match:
        return False
    wanted = [tag.removeprefix("W/") for tag in parse_etags(if_none_match)]
    return "*" in wanted or etag in wanted


def _report_answer(request, response: HttpResponse, programme: Programme | None, month: dt.date | None,
                   version: int | None = None):
    """The stored publication of a scope's month (None: its latest month) in the
    token's profile: of `version`, or the latest published. 404 if no report of it was
    ever made, 409 if none is published."""
    # The document (body) is read only when it is served: not for a 304.
    publications = _publications(programme, request.auth.profile).only("month", "version", "fingerprint")
    if month is not None:
        publications = publications.filter(month=month)
    if version is not None:
        publications = publications.filter(version=version)
    publication = publications.first()
    if publication is None and month is None:
        if programme is None:
            detail = _("No month of all programmes is published yet.")
        else:
            detail = _("No month of %(programme)s is published yet.") % {"programme": programme.localized("name")}
        raise Problem(409, _("Not published yet"), detail)
    if publication is None:
        made = _ready(programme).filter(month=month)
        if version is not None:
            made = made.filter(version=version)
        if not made.exists():
            raise Problem(404, _("Not found"), _("There is no such report."))
        if version is not None and _publications(programme, request.auth.profile).filter(month=month).exists():
            raise Problem(409, _("Not published yet"), _("Version %(version)s of this report is not published: ask "
                                                         "for the latest version of the month.")
                          % {"version": version})
        raise _not_published(programme, month)
    language = get_language()
    etag = f'"{request.auth.profile}-{language}-{publication.fingerprint.removeprefix("sha256:")}"'
    if _matches(request, etag):
        not_modified = HttpResponseNotModified()
        not_modified["ETag"] = etag
        return not_modified
    response["ETag"] = etag
    return with_words(publication.document)


REPORT_ANSWERS = {200: ReportOut, 304: None, 403: ProblemOut, 409: ProblemOut, **ERRORS}


def _ready(programme: Programme | None):
    return Report.objects.for_scope(programme).filter(state=Report.State.READY)


@v1.get("/reports/{scope}/latest", response=REPORT_ANSWERS,
        summary="The latest version of the report of the scope's latest published month")
def report_latest(request, response: HttpResponse, scope: str = SCOPE):
    programme = _scope(request.auth, scope)
    return _report_answer(request, response, programme, None)


MONTH = Path(..., pattern=f"^{MONTH_PATTERN}$", description="YYYY-MM", examples=["2023-11"])


def _month(value: str) -> dt.date:
    try:
        return parse_month(value)
    except ValueError:
        raise Problem(400, _("Bad request"), _("Give the month as YYYY-MM, e.g. 2023-11.")) from None


@v1.get("/reports/{scope}/{month}", response=REPORT_ANSWERS, summary="The latest version of a month's report")
def report_month(request, response: HttpResponse, scope: str = SCOPE, month: str = MONTH):
    programme = _scope(request.auth, scope)
    return _report_answer(request, response, programme, _month(month))


@v1.get("/reports/{scope}/{month}/versions/{version}", response=REPORT_ANSWERS, url_name="report_version",
        summary="A given version of a month's report")
def report_version(
    request, response: HttpResponse, scope: str = SCOPE, version: int = Path(..., ge=1, le=2**31 - 1, examples=[1]),
                   month: str = MONTH):
    programme = _scope(request.auth, scope)
    return _report_answer(request, response, programme, _month(month), version)


@v1.get("/reference-figures", response={200: list[ReferenceFigureOut], **ERRORS},
        summary="Figures published by other sources, shown beside the reports")
def reference_figures(request):
    return [
        {"id": f.pk, "source": _texts(f, "source"), "measure": _texts(f, "measure"), "period": _texts(f, "period"),
         "value": f.value, "value_high": f.value_high, "per": f.per, "out_of": f.out_of,
         "citation": _texts(f, "citation"), "derived": f.derived}
        for f in ReferenceFigure.objects.all()
    ]


@v1.get("/publications", response={200: list[PublicationOut], **ERRORS},
        summary="The transparency log's entries, newest first: each signed document and its signature")
def publication_list(request):
    entries = LogEntry.objects.select_related("key").defer("content", "signature", "co_signature").order_by("-index")
    return [{"index": e.index, "kind": e.kind, "name": e.name, "key_id": e.key.key_id,
             "trusted_comment": e.trusted_comment,
             "url": reverse("publication_file", args=[e.index, e.name]),
             "signature_url": reverse("publication_signature", args=[e.index, e.name]),
             "proof_url": reverse("publication_proof", args=[e.index])}
            for e in entries]


api.add_router("/v1/", v1)


@csrf_exempt  # reads no cookie and changes nothing: a POST is answered 405, as problem+json
@require_GET
def openapi_document(request):
    """The OpenAPI 3.1 document, open to anyone (it describes, and holds no figures)."""
    return JsonResponse(api.get_openapi_schema(), json_dumps_params={"ensure_ascii": False})

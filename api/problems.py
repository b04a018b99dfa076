"""Errors of the API as RFC 9457 problem details (application/problem+json): a title,
the status and a detail a person can act on, in the language the request asks for.
Never an HTML page, whatever fails under /api/."""

import json

from django.http import HttpResponse
from django.utils.translation import gettext as _

PROBLEM_TYPE = "application/problem+json"


class Problem(Exception):
    """Raised anywhere in the API: answered as a problem document."""

    def __init__(self, status: int, title: str, detail: str, headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.status, self.title, self.detail, self.headers = status, title, detail, headers or {}


def problem_response(status: int, title: str, detail: str, headers: dict[str, str] | None = None) -> HttpResponse:
    body = {"type": "about:blank", "title": str(title), "status": status, "detail": str(detail)}
    response = HttpResponse(json.dumps(body, ensure_ascii=False), status=status,
                            content_type=f"{PROBLEM_TYPE}; charset=utf-8")
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def from_problem(problem: Problem) -> HttpResponse:
    return problem_response(problem.status, problem.title, problem.detail, problem.headers)


def not_found(request=None, exception=None) -> HttpResponse:
    return problem_response(404, _("Not found"), _("There is nothing at this address. The API's paths are listed "
                                                  "in /api/openapi.json."))


def server_error(request=None) -> HttpResponse:
    return problem_response(500, _("Server error"), _("Something went wrong on the server. Try again later; if it "
                                                     "goes on, tell the organisation that issued your token."))

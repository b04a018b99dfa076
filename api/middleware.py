"""CORS for the API, off unless a token allows it: a token may name one origin (the
partner's web pages), and only answers to that token, asked from that origin, carry
Access-Control-Allow-Origin. A browser's preflight (OPTIONS) sends no token, so it is
answered for an origin that some valid token names, and for no other."""

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ApiToken
from .problems import PROBLEM_TYPE, problem_response

ALLOWED_HEADERS = "Authorization, If-None-Match"
EXPOSED_HEADERS = "ETag, Retry-After, WWW-Authenticate"


class CorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        origin = request.headers.get("Origin")
        if request.method == "OPTIONS" and origin and "Access-Control-Request-Method" in request.headers:
            return self._preflight(origin)
        response = self.get_response(request)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(PROBLEM_TYPE):
            response = problem_response(405, _("Method not allowed"), _("This API only reads: use GET."),
                                        {"Allow": response.get("Allow", "GET")})
        token = getattr(request, "api_token", None)
        if origin and token is not None and token.cors_origin and token.cors_origin == origin:
            response["Access-Control-Allow-Origin"] = origin
            response["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        response["Vary"] = ", ".join(filter(None, [response.get("Vary"), "Origin"]))
        return response

    def _preflight(self, origin: str) -> HttpResponse:
        response = HttpResponse(status=204)
        response["Vary"] = "Origin"
        allowed = ApiToken.objects.filter(
            cors_origin=origin, revoked=False, expires_on__gte=timezone.localdate()
        ).exists()
        if allowed:
            response["Access-Control-Allow-Origin"] = origin
            response["Access-Control-Allow-Methods"] = "GET, OPTIONS"
            response["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
            response["Access-Control-Max-Age"] = "600"
        return response

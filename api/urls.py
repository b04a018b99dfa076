from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt

from . import problems
from .views import api, openapi_document

# Nothing under /api/ reads a cookie or changes anything, so no route needs CSRF's
# check, and every answer, a refused POST included, is a problem document.
not_found = csrf_exempt(problems.not_found)

urlpatterns = [
    path("openapi.json", openapi_document, name="openapi-json"),
    *[pattern for pattern in api.urls[0] if pattern.name != "api-root"],
    # Ninja finds its own prefix by this name; there is nothing at /api/ itself.
    path("", not_found, name="api-root"),
    re_path(r"^.*$", not_found),
]
app_name = "api"

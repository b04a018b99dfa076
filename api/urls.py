from django.urls import path, re_path

from . import problems
from .views import api, openapi_document

urlpatterns = [
    path("openapi.json", openapi_document, name="openapi-json"),
    *api.urls[0],
    # Anything else under /api/ is a 404 problem, not the site's HTML page.
    re_path(r"^.*$", problems.not_found),
]
app_name = "api"

from django.urls import path

from . import review_views
from . import urls as _report_urls  # noqa: F401 - registers the "month" converter used below

urlpatterns = [
    path("", review_views.review_queue, name="review_queue"),
    path("<slug:programme>/<month:month>/", review_views.review_month, name="review_month"),
    path("<slug:programme>/<month:month>/collapse/", review_views.collapse_month, name="collapse_month"),
]

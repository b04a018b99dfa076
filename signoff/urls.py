from django.urls import path

from . import views

urlpatterns = [
    path("", views.review_queue, name="review_queue"),
    path("<slug:programme>/<month:month>/", views.review_month, name="review_month"),
    path("<slug:programme>/<month:month>/collapse/", views.collapse_month, name="collapse_month"),
]

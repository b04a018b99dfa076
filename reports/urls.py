from django.urls import path, register_converter

from intake.converters import MonthConverter

from . import views

register_converter(MonthConverter, "month")

urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("generate/", views.report_generate, name="report_generate"),
    path("<slug:scope>/<month:month>/", views.report_detail, name="report_latest"),
    path("<slug:scope>/<month:month>/v<int:version>/", views.report_detail, name="report_detail"),
    path("<slug:scope>/<month:month>/v<int:version>.json", views.report_json, name="report_json"),
]

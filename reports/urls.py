from django.urls import path, register_converter

from intake.converters import MonthConverter

from . import views

register_converter(MonthConverter, "month")

urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("generate/", views.report_generate, name="report_generate"),
    path("reference/", views.reference_list, name="reference_list"),
    path("reference/new/", views.reference_edit, name="reference_new"),
    path("reference/<int:pk>/", views.reference_edit, name="reference_edit"),
    path("reference/<int:pk>/delete/", views.reference_delete, name="reference_delete"),
    path("<slug:scope>/<month:month>/", views.report_detail, name="report_latest"),
    path("<slug:scope>/<month:month>/v<int:version>/", views.report_detail, name="report_detail"),
    path("<slug:scope>/<month:month>/v<int:version>.json", views.report_json, name="report_json"),
    path("<slug:scope>/<month:month>/v<int:version>.csv", views.report_csv, name="report_csv"),
    path("<slug:scope>/<month:month>/v<int:version>/print/", views.report_print, name="report_print"),
    path("<slug:scope>/<month:month>/v<int:version>/check/", views.report_check, name="report_check"),
    path(
        "<slug:scope>/<month:month>/v<int:version>/compare/v<int:other>/", views.report_compare, name="report_compare"
    ),
]

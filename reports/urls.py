from django.urls import path

from . import views

urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("generate/", views.report_request_view, name="report_generate"),
    path("verify/", views.export_verify, name="export_verify"),
    path("reference/", views.reference_list, name="reference_list"),
    path("reference/new/", views.reference_edit, name="reference_new"),
    path("reference/<positive:pk>/", views.reference_edit, name="reference_edit"),
    path("reference/<positive:pk>/delete/", views.reference_delete, name="reference_delete"),
    path("<slug:scope>/<month:month>/", views.report_detail, name="report_latest"),
    path("<slug:scope>/<month:month>/v<positive:version>/", views.report_detail, name="report_detail"),
    path("<slug:scope>/<month:month>/v<positive:version>.json", views.report_json, name="report_json"),
    path("<slug:scope>/<month:month>/v<positive:version>.csv", views.report_csv, name="report_csv"),
    path("<slug:scope>/<month:month>/v<positive:version>.xlsx", views.report_xlsx, name="report_xlsx"),
    path("<slug:scope>/<month:month>/v<positive:version>/print/", views.report_print, name="report_print"),
    path("<slug:scope>/<month:month>/v<positive:version>/verify/", views.report_verify, name="report_verify"),
    path(
        "<slug:scope>/<month:month>/v<positive:version>/compare/v<positive:other>/", views.report_compare,
        name="report_compare",
    ),
]

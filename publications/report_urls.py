"""The signatures of the reports' exports, at the export's URL with .minisig appended
(config/urls.py includes this under reports/, next to reports.urls, whose patterns end
at .json and .csv and so never match these)."""

from django.urls import path

from . import views

urlpatterns = [
    path("<slug:scope>/<month:month>/v<positive:version>.<signedkind:kind>.minisig", views.export_signature,
         name="report_signature"),
]

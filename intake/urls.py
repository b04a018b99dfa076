from django.urls import path

from . import grid, views

urlpatterns = [
    path("new/", views.request_new, name="request_new"),
    path("counts/", views.counts_new, name="counts_new"),
    path("move/", views.requests_move_view, name="requests_move"),
    path("month/<slug:slug>/", grid.month_pick, name="month_pick"),
    path("month/<slug:slug>/<month:month>/", grid.month_page, name="month_page"),
    path("find/", views.request_find, name="request_find"),
    path("import/", views.import_view, name="requests_import"),
    path("import/template.csv", views.import_template, name="requests_import_template"),
    path("entries/<int:pk>/undo/", views.entry_undo_view, name="entry_undo"),
    path("<str:reference>/", views.request_detail, name="request_detail"),
    path("<str:reference>/start/", views.request_start_view, name="request_start"),
    path("<str:reference>/close/", views.request_close_view, name="request_close"),
    path("<str:reference>/reopen/", views.request_reopen_view, name="request_reopen"),
]

from django.urls import path

from . import views

urlpatterns = [
    path("", views.coalition_latest, name="coalition_latest"),
    path("peers/", views.peer_list, name="peer_list"),
    path("peers/new/", views.peer_new, name="peer_new"),
    path("peers/<positive:pk>/delete/", views.peer_delete, name="peer_delete"),
    path("<month:month>/", views.coalition_page, name="coalition_page"),
    path("<month:month>.json", views.coalition_json, name="coalition_json"),
    path("<month:month>.csv", views.coalition_csv, name="coalition_csv"),
]

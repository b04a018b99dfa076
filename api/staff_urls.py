from django.urls import path

from . import staff_views

urlpatterns = [
    path("", staff_views.token_list, name="api_token_list"),
    path("new/", staff_views.token_new, name="api_token_new"),
    path("<int:pk>/revoke/", staff_views.token_revoke_view, name="api_token_revoke"),
]

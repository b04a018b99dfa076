from django.urls import path, re_path

from . import views

# The co-signature's pattern before the signature's, which would also match it.
urlpatterns = [
    path("", views.publication_list, name="publication_list"),
    path("key.pub", views.key_pub, name="publication_key_pub"),
    re_path(r"^keys/(?P<key_id>[0-9A-F]{16})\.pub$", views.key_by_id, name="publication_key_by_id"),
    path("checkpoint", views.checkpoint, name="publication_checkpoint"),
    path("proof/<int:index>", views.proof, name="publication_proof"),
    path("consistency/<int:old>/<int:new>", views.consistency, name="publication_consistency"),
    re_path(r"^(?P<index>[0-9]{1,12})/(?P<name>[A-Za-z0-9][A-Za-z0-9._-]{0,110})\.new\.minisig$",
            views.entry_co_signature, name="publication_co_signature"),
    re_path(r"^(?P<index>[0-9]{1,12})/(?P<name>[A-Za-z0-9][A-Za-z0-9._-]{0,110})\.minisig$", views.entry_signature,
            name="publication_signature"),
    re_path(r"^(?P<index>[0-9]{1,12})/(?P<name>[A-Za-z0-9][A-Za-z0-9._-]{0,110})$", views.entry_file,
            name="publication_file"),
]

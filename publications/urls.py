from django.urls import path

from . import views

# The co-signature's pattern before the signature's, and both before the file's, which
# would also match them.
urlpatterns = [
    path("", views.publication_list, name="publication_list"),
    path("key.pub", views.key_pub, name="publication_key_pub"),
    path("keys/<keyid:key_id>.pub", views.key_by_id, name="publication_key_by_id"),
    path("checkpoint", views.checkpoint, name="publication_checkpoint"),
    path("proof/<int:index>", views.proof, name="publication_proof"),
    path("consistency/<int:old>/<int:new>", views.consistency, name="publication_consistency"),
    path("<int:index>/<filename:name>.new.minisig", views.entry_co_signature, name="publication_co_signature"),
    path("<int:index>/<filename:name>.minisig", views.entry_signature, name="publication_signature"),
    path("<int:index>/<filename:name>", views.entry_file, name="publication_file"),
]

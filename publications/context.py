from django.utils.functional import SimpleLazyObject

from .models import SigningKey


def publication_key(request):
    """`publication_key`: the log's current public key (SigningKey, or None before the
    first), read only by the pages that show it (the public pages and print views)."""
    return {"publication_key": SimpleLazyObject(lambda: SigningKey.objects.order_by("-pk").first())}

"""Login throttling without keeping anyone's address."""

import hashlib
import hmac
import ipaddress

from django.conf import settings


def client_address(request) -> str:
    """What login throttling counts by instead of the client's address: a keyed hash
    of it, shaped as an IPv6 address so that any store takes it. The same client gets
    the same value, and nobody can turn it back into the address."""
    address = request.META.get("REMOTE_ADDR", "")
    if settings.TRUSTED_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            address = forwarded.split(",")[-1].strip()  # the hop the proxy itself saw
    digest = hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).digest()
    return str(ipaddress.IPv6Address(digest[:16]))

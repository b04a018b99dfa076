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


def locked_out(request, original_response=None, credentials=None, *, code=False):
    """The page a locked-out login gets: 429, saying for how long, never a 500. With
    code=True, for wrong second-factor codes (shell.two_factor)."""
    from django.shortcuts import render

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"minutes": minutes, "failures": settings.AXES_FAILURE_LIMIT, "code": code}
    return render(request, "registration/locked_out.html", context, status=429)

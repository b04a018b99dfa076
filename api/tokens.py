"""Issuing, revoking and checking API tokens, and the rate limit.

A token reads `itk_<prefix>_<secret>`: the prefix (8 hex digits) finds its row, the
secret is 32 random bytes. Only the SHA-256 of the whole token is stored; the token is
shown once, when it is issued. Every request reads the row again, so revoking takes
effect at once."""

import datetime as dt
import hashlib
import hmac
import logging
import re
import secrets
import time

from django.conf import settings
from django.core.cache import caches
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from intake import audit
from intake.models import User
from intake.months import current_month

from .audit_actions import ApiAction
from .models import ApiToken, ApiUse
from .problems import Problem

TAG = "itk"
logger = logging.getLogger(__name__)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_issue(*, token: ApiToken, programmes, actor: User) -> tuple[ApiToken, str]:
    """Save `token` (validated, e.g. by its form) with its programmes and a new secret;
    returns it and the token text, which is not kept anywhere."""
    for _attempt in range(5):
        prefix = secrets.token_hex(4)
        text = f"{TAG}_{prefix}_{secrets.token_urlsafe(32)}"
        token.prefix, token.secret_hash, token.created_in = prefix, _hash(text), current_month()
        try:
            with transaction.atomic():
                token.save()
                token.programmes.set(programmes)
                audit.record(actor, ApiAction.API_TOKEN_ISSUED, f"{TAG}_{prefix} {token.profile}")
        except IntegrityError:  # the prefix is taken: draw another
            token.pk = None
            continue
        return token, text
    raise RuntimeError("no free token prefix after 5 attempts")


def token_revoke(*, token: ApiToken, actor: User | None) -> bool:
    """Revoke `token`, with its audit event; False, and nothing written, if it was
    revoked already. Of two revocations at once, the second waits for the first's row
    lock and then finds the token revoked: one revocation, one event."""
    with transaction.atomic():
        revoked = ApiToken.objects.filter(pk=token.pk, revoked=False).update(revoked=True)
        token.revoked = True
        if revoked:
            audit.record(actor, ApiAction.API_TOKEN_REVOKED, f"{TAG}_{token.prefix}")
    return bool(revoked)


def is_expired(token: ApiToken, today: dt.date | None = None) -> bool:
    return token.expires_on < (today or timezone.localdate())


def _invalid(detail: str) -> Problem:
    return Problem(401, _("Not authorised"), detail,
                   {"WWW-Authenticate": 'Bearer realm="api", error="invalid_token"'})


def token_check(text: str) -> ApiToken:
    """The token `text` stands for, if it may be used now: otherwise a 401 Problem."""
    parts = text.strip().split("_", 2)
    token = None
    if len(parts) == 3 and parts[0] == TAG and re.fullmatch(r"[0-9a-f]{8}", parts[1]):
        token = ApiToken.objects.filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.secret_hash, _hash(text.strip())):
        raise _invalid(_("This token is not valid. Check that it was copied whole."))
    if token.revoked:
        raise _invalid(_("This token has been revoked. Ask the organisation for a new one."))
    if is_expired(token):
        raise _invalid(_("This token expired on %(date)s. Ask the organisation for a new one.")
                       % {"date": date_format(token.expires_on, "j E Y")})
    return token


def rate_check(token: ApiToken) -> None:
    """A 429 Problem once the token has made API_RATE_LIMIT requests in this minute of
    the clock. The counter lives in the "api" cache (Redis or memory, never the
    database) for two minutes; if that cache fails, the request is served."""
    now = time.time()
    cache = caches["api"]
    key = f"rate:{token.prefix}:{int(now // 60)}"  # the prefix: random, never used again
    try:
        try:
            used = cache.incr(key)
        except ValueError:  # the minute's first request (or two at once: one adds, the other counts on)
            used = 1 if cache.add(key, 1, timeout=120) else cache.incr(key)
    except Exception as exc:  # noqa: BLE001 - the cache is down: serve rather than fail every request
        logger.warning("API rate limit not applied: the cache failed (%s)", type(exc).__name__)
        return
    if used > settings.API_RATE_LIMIT:
        wait = max(1, 60 - int(now % 60))
        raise Problem(
            429, _("Too many requests"),
            _("This token may make %(limit)d requests a minute. Try again in %(seconds)d seconds.")
            % {"limit": settings.API_RATE_LIMIT, "seconds": wait},
            {"Retry-After": str(wait)},
        )


def use_count(token: ApiToken) -> None:
    ApiUse.objects.count_one(token, current_month())

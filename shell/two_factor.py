"""The second factor: a TOTP app (set up by scanning a QR code the app draws itself)
and ten single-use backup codes, on django-otp."""

import base64
import hashlib
import hmac

import segno
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from intake import audit
from intake.audit_actions import Action
from intake.forms import submitted

from .audit_actions import ShellAction
from .views import locked_out

BACKUP_CODES = 10
# Wrong codes are counted in the security counters' cache (settings.CACHES, the one login
# throttling uses: never culled, nothing else writes to it), per account, never in a
# table of the app (django-otp's own throttling would store the time of each): this many
# in a row refuse every code for the login throttle's cool-off, counted from the last
# wrong one.
CODE_FAILURE_LIMIT = settings.AXES_FAILURE_LIMIT
# A code that worked is remembered this long (by a keyed hash), so that it does not work
# twice: longer than any code stays valid (django-otp's TOTP: 30 s steps, one either side).
USED_CODE_SECONDS = 5 * 60


def _key(kind: str, user, code: str = "") -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{user.pk}:{code}".encode(), hashlib.sha256).hexdigest()
    return f"second-factor-{kind}:{digest[:32]}"


def _counters():
    return caches[settings.AXES_CACHE]


def codes_refused(user) -> bool:
    """Whether this account has given too many wrong codes lately to try another."""
    return _counters().get(_key("failures", user), 0) >= CODE_FAILURE_LIMIT


def code_accepted(user, code: str, check):
    """What `check(code)` (a django-otp verification) answers for a code not used before,
    or None; a wrong or used code is counted against the account."""
    if codes_refused(user):
        return None
    cache = _counters()
    used = _key("used", user, code)
    if cache.get(used) is None and (accepted := check(code)):
        cache.set(used, True, USED_CODE_SECONDS)
        cache.delete(_key("failures", user))
        return accepted
    failures = _key("failures", user)
    cache.set(failures, cache.get(failures, 0) + 1, settings.AXES_COOLOFF_TIME.total_seconds())
    return None


def _codes_locked_out(request):
    return locked_out(request, code=True)


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Code"), max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        help_text=gettext_lazy("The six digits your authenticator app shows, or one of your backup codes."),
    )

    def clean_token(self):
        return "".join(self.cleaned_data["token"].split()).lower()


def new_backup_codes(user) -> list[str]:
    """Replace the user's backup codes with ten new ones; each works once."""
    device, _created = StaticDevice.objects.get_or_create(user=user, name="backup")
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def second_factor_confirm(*, device: TOTPDevice, actor) -> list[str]:
    """Confirm the authenticator app `device` once it has given a right code, and give
    its owner new backup codes; noted in the audit log, all in one transaction."""
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit.record(actor, ShellAction.SECOND_FACTOR_SET)
        return new_backup_codes(device.user)


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return settings.LOGIN_REDIRECT_URL


@login_required
def setup(request):
    """Set up the authenticator app: scan, then type a code to prove it works."""
    user = request.user
    if user_has_device(user):
        remaining = StaticToken.objects.filter(device__user=user).count()
        return render(request, "shell/two_factor_status.html", {"remaining": remaining})
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    form = TokenForm(submitted(request))
    if request.method == "POST" and form.is_valid():
        if code_accepted(user, form.cleaned_data["token"], device.verify_token):
            codes = second_factor_confirm(device=device, actor=user)
            otp_login(request, device)
            return render(request, "shell/backup_codes.html", {"codes": codes})
        if codes_refused(user):
            return _codes_locked_out(request)
        form.add_error("token", _("That code is not right. Check the time on your phone and try the next one."))
    context = {
        "form": form,
        "qr": segno.make(device.config_url, error="m").svg_inline(scale=4, title=_("QR code for your authenticator app")),
        "secret": " ".join(base64.b32encode(device.bin_key).decode()[i:i + 4] for i in range(0, 32, 4)),
    }
    return render(request, "shell/two_factor_setup.html", context, status=400 if form.errors else 200)


@login_required
def verify(request):
    """The second step of logging in, for accounts with a second factor."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    form = TokenForm(submitted(request))
    if request.method == "POST" and codes_refused(request.user):
        return _codes_locked_out(request)
    if request.method == "POST" and form.is_valid():
        device = code_accepted(request.user, form.cleaned_data["token"], lambda code: match_token(request.user, code))
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        audit.record(request.user, Action.LOGIN_FAILED, "second factor")
        if codes_refused(request.user):
            return _codes_locked_out(request)
        form.add_error("token", _("That code is not right, or it has been used already."))
    return render(request, "shell/two_factor_verify.html", {"form": form, "next": _next_url(request)},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def backup_codes(request):
    """New backup codes (the old ones stop working), for a verified account."""
    if not request.user.is_verified():
        return redirect("two_factor_verify")
    return render(request, "shell/backup_codes.html", {"codes": new_backup_codes(request.user)})

"""Session lifetime and caching rules that apply to every page."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_otp import user_has_device

from .sessions import login_url, post_without_session

SESSION_STARTED = "session_started"


class SessionLifetimeMiddleware:
    """Ends a session SESSION_ABSOLUTE_AGE seconds after login, however active it is
    (the idle limit is the session cookie's age, renewed on every request). A session
    is stamped by its first request after login (login gives it a new key and logout
    empties it, so the stamp is never older than the login)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.setdefault(SESSION_STARTED, int(time.time()))
            if time.time() - started > settings.SESSION_ABSOLUTE_AGE:
                logout(request)
                if request.method not in ("GET", "HEAD", "OPTIONS"):
                    return post_without_session(request)  # the view does not run: nothing saved
                messages.info(request, _("Your session has ended. Please log in again."))
                return redirect(login_url(request.get_full_path()))
        return self.get_response(request)


class NoStoreMiddleware:
    """No page the app renders may be kept by a browser or proxy cache: they show
    data, and a shared or seized computer must not keep copies. (Static files are
    served before this, by WhiteNoise, with their own long cache life.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_cache_control(response, no_store=True, private=True)
        return response


# Pages a logged-in account may open before it has passed its second factor.
SECOND_FACTOR_EXEMPT = {"login", "logout", "two_factor_setup", "two_factor_verify", "set_language"}


class SecondFactorMiddleware:
    """Sends a logged-in account that has not passed its second factor to the code
    page, or, where a second factor is required and it has none, to set one up."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if request.resolver_match.url_name in SECOND_FACTOR_EXEMPT:
            return None
        if user_has_device(user):
            return redirect(f"{reverse('two_factor_verify')}?{urlencode({'next': request.get_full_path()})}")
        if settings.TWO_FACTOR_REQUIRED:
            return redirect("two_factor_setup")
        return None


def security_context(request):
    return {"two_factor_required": settings.TWO_FACTOR_REQUIRED}

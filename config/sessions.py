"""What a person is told when their session ends under them: a logout in another tab or
window, the clean-up of expired sessions, a purge, all of which delete its row.

- While a request runs: the view has done its work (and committed it) by the time the
  session is saved, so Django's answer, a 400 whose page says nothing was saved, would
  make the person send it again and write it twice. The answer says what happened
  instead (SessionMiddleware below).
- Before the next form is sent: the CSRF token lives in the session (CSRF_USE_SESSIONS),
  so the POST fails CSRF. Without a logged-in session, that is a person whose session
  ended, or a forged request from another site: either way nothing is done, and the
  answer is the login page, back to the page the form was on (csrf_failure below).
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.sessions import middleware
from django.contrib.sessions.exceptions import SessionInterrupted
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _

# The tag of a message saying that a form was not saved: on its page, the browser keeps
# what was typed for the form's page (intake/static/intake/forms.js).
TYPED_KEPT = "typed-kept"
# What became of a request whose session ended while it ran (the template's cases).
SAVED, ANSWERED, REFUSED, PAGE = "saved", "answered", "refused", "page"


class SessionMiddleware(middleware.SessionMiddleware):
    """Django's, except when the session's row was deleted while the request ran: then
    an honest page instead of the 400, saying whether what was sent was saved."""

    def process_response(self, request, response):
        try:
            return super().process_response(request, response)
        except SessionInterrupted:
            return session_ended(request, response)


def session_ended(request, response):
    """The answer to a request whose session ended while it ran, from the answer the view
    gave: a redirect after a POST is the sign of a change saved (the view's messages say
    which), an error (4xx, or an error message) of nothing saved."""
    told = list(messages.get_messages(request))  # what the view said, shown on this page
    if request.method in ("GET", "HEAD", "OPTIONS"):
        outcome, back = PAGE, request.get_full_path()
    elif response.status_code >= 400 or any(message.level >= messages.ERROR for message in told):
        outcome, back = REFUSED, form_page(request)
    elif 300 <= response.status_code < 400:
        outcome, back = SAVED, _same_site(request, response.get("Location", "")) or form_page(request)
    else:
        outcome, back = ANSWERED, form_page(request)
    status = response.status_code if outcome == REFUSED else 200
    with translation.override(getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)):
        page = render(request, "session_ended.html", {
            "outcome": outcome, "messages": told, "login_url": login_url(back)}, status=status)
        page["Content-Language"] = translation.get_language()
    page.delete_cookie(settings.SESSION_COOKIE_NAME, path=settings.SESSION_COOKIE_PATH,
                       domain=settings.SESSION_COOKIE_DOMAIN, samesite=settings.SESSION_COOKIE_SAMESITE)
    return page


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW. Without a logged-in session, the login page (nothing is done);
    with one, the refusal (403) on the app's own page, in the page's language: a form
    from before the session was renewed (a logout and a login in another tab), or
    another session's. Nothing is done either way; the form's page, opened again, puts
    back what was typed (intake/static/intake/forms.js)."""
    user = getattr(request, "user", None)
    if request.path == reverse("login"):  # a login page older than the browser's session
        return render(request, "form_expired.html", {"back": login_url(request.GET.get("next", ""))}, status=403)
    if user is not None and user.is_authenticated:
        return render(request, "form_expired.html", {"back": form_page(request)}, status=403)
    if request.path == reverse("logout"):
        messages.info(request, _("You were already logged out: your session had ended."))
        return redirect("login")
    return post_without_session(request)


def post_without_session(request):
    """A POST sent after its session ended: nothing is done; to the login page, then back
    to the page of its form."""
    messages.warning(request, _("Your session had ended (you logged out in another tab or window, or it expired), "
                                "so nothing was saved. Log in again, then send the form again."),
                     extra_tags=TYPED_KEPT)
    return redirect(login_url(form_page(request)))


def form_page(request) -> str:
    """The page a POST's form was on: the Referer's path if it is this site's, else the
    POST's own address."""
    page = _same_site(request, request.headers.get("Referer", ""))
    return page or request.get_full_path()


def _same_site(request, url: str) -> str:
    """`url`'s path and query if it is an address of this site, else ''."""
    if not url or not url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                                      require_https=request.is_secure()):
        return ""
    parts = urlsplit(url)
    if not parts.path.startswith("/"):
        return ""
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def login_url(back: str) -> str:
    """The login page, going back to `back` (a path of this site) once logged in."""
    login = reverse("login")
    if not back or back.split("?")[0] == login:
        return login
    return f"{login}?{urlencode({'next': back})}"

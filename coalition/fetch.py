"""Reading a peer's public /publications/ pages over HTTP (the standard library's
urllib: plain GETs, no token, nothing sent about anyone). Every answer is capped in
size (COALITION_FETCH_MAX_BYTES) and in time (COALITION_FETCH_TIMEOUT seconds for the
whole answer, not only between bytes), and a redirection is followed only on the same
host: a peer cannot send the fetcher anywhere else."""

import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.utils.translation import gettext as _

from .models import PeerAttempt
from .verify import Refused

Kind = PeerAttempt.Kind
CHUNK = 65536
# A published file's link on the peer's /publications/ page (publications/urls.py).
ENTRY_LINK = re.compile(r'href="[^"]*?/publications/(\d{1,12})/([A-Za-z0-9][A-Za-z0-9._-]{0,110})"')


class _SameHostOnly(urllib.request.HTTPRedirectHandler):
    def __init__(self, host: str):
        self.host = host

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        target = urllib.parse.urlsplit(urllib.parse.urljoin(req.full_url, newurl))
        if target.hostname != self.host or target.scheme not in ("http", "https"):
            raise Refused(Kind.BAD_ANSWER, _("The peer sent the request on to another host (%(host)s): not followed.")
                          % {"host": target.hostname})
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class PeerSite:
    """GETs under a peer's base address."""

    def __init__(self, base_url: str):
        self.base = base_url if base_url.endswith("/") else base_url + "/"
        parts = urllib.parse.urlsplit(self.base)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise Refused(Kind.BAD_ANSWER, _("The peer's address is not an http(s) address."))
        self.opener = urllib.request.build_opener(_SameHostOnly(parts.hostname))
        self.timeout = settings.COALITION_FETCH_TIMEOUT
        self.max_bytes = settings.COALITION_FETCH_MAX_BYTES

    def get(self, path: str) -> bytes:
        url = urllib.parse.urljoin(self.base, path)
        deadline = time.monotonic() + self.timeout
        too_slow = Refused(Kind.TIMEOUT, _("The peer did not answer %(url)s within %(seconds)s seconds.")
                           % {"url": url, "seconds": self.timeout})
        try:
            with self.opener.open(url, timeout=self.timeout) as response:  # nosec B310: http(s) only, checked above
                length = response.headers.get("Content-Length")
                if length and length.isdigit() and int(length) > self.max_bytes:
                    raise self._too_large(url)
                body = b""
                while chunk := response.read(CHUNK):
                    body += chunk
                    if len(body) > self.max_bytes:
                        raise self._too_large(url)
                    if time.monotonic() > deadline:
                        raise too_slow
                return body
        except Refused:
            raise
        except urllib.error.HTTPError as exc:
            raise Refused(Kind.BAD_ANSWER, _("The peer answered %(url)s with HTTP %(status)s.")
                          % {"url": url, "status": exc.code}) from None
        except TimeoutError:
            raise too_slow from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, (TimeoutError, socket.timeout)):
                raise too_slow from None
            raise Refused(Kind.UNREACHABLE, _("The peer cannot be reached at %(url)s (%(reason)s).")
                          % {"url": url, "reason": exc.reason}) from None
        except (OSError, ValueError) as exc:
            raise Refused(Kind.BAD_ANSWER, _("The peer's answer to %(url)s could not be read (%(reason)s).")
                          % {"url": url, "reason": type(exc).__name__}) from None

    def _too_large(self, url: str) -> Refused:
        return Refused(Kind.TOO_LARGE, _("The peer's answer to %(url)s is larger than %(bytes)s bytes: not read.")
                       % {"url": url, "bytes": self.max_bytes})

    def entries(self, size: int) -> list[tuple[int, str]]:
        """(log index, file name) of the JSON files the peer's /publications/ page lists,
        within the first `size` entries of its log."""
        page = self.get("publications/").decode("utf-8", errors="replace")
        found = {(int(index), name) for index, name in ENTRY_LINK.findall(page)
                 if name.endswith(".json") and int(index) < size}
        return sorted(found)

"""Log records that name no one and no request (DESIGN.md section 6). The paths of pages
hold request references and entry ids, and tracebacks and error messages can quote
them; a client's address is nobody's business."""

import logging
import re
import traceback

IPV4_ADDRESS = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b")


class NoRequestDetails(logging.Filter):
    """Django writes the path of every refused, missing or failed page (django.request,
    django.security.*), with a traceback. This writes the page's route name instead of
    its path, in whatever form the path is quoted (Django escapes control and non-ASCII
    characters, so comparing with the path as it is would let such a path through); no
    traceback for a refusal (4xx), and for a failure (5xx) the traceback's frames and the
    error's type without its message; and any address as [address]."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        paths = _forms_of_the_path(request) if request is not None else []
        if paths and isinstance(record.args, tuple):
            page = _page_name(request)
            record.args = tuple(page if arg in paths else arg for arg in record.args)
        if record.exc_info:
            if getattr(record, "status_code", 500) >= 500:
                record.exc_text = _without_messages(record.exc_info)
            record.exc_info = None
        record.stack_info = None
        message = record.getMessage()
        for path in paths:  # the path inside a longer argument, or in the message itself
            if len(path) > 1:
                message = message.replace(path, "<path not logged>")
        record.msg, record.args = IPV4_ADDRESS.sub("[address]", message), ()
        return True


def _forms_of_the_path(request) -> list[str]:
    """Every way a log record may quote the request's path, longest first: as decoded,
    percent-encoded again or as the client sent it, and escaped as Django's log_response
    escapes its arguments (a control or non-ASCII character as \\x16, \\xe9), with and
    without the query."""
    found = [getattr(request, "path", None), getattr(request, "path_info", None),
             getattr(request, "META", {}).get("RAW_URI")]
    found += [getattr(request, name)() for name in ("get_full_path", "get_full_path_info")
              if callable(getattr(request, name, None))]
    forms = set()
    for value in found:
        if isinstance(value, str) and value:
            forms.update((value, value.encode("unicode_escape").decode("ascii"), repr(value)[1:-1]))
    return sorted(forms, key=len, reverse=True)


def _page_name(request) -> str:
    match = getattr(request, "resolver_match", None)
    return f"<page {match.view_name}>" if match else "<path not logged>"


def _without_messages(exc_info) -> str:
    kind, _error, frames = exc_info
    return (
        "Traceback (most recent call last):\n"
        + "".join(traceback.format_tb(frames))
        + f"{kind.__module__}.{kind.__qualname__} (its message is not logged)"
    )

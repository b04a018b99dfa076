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
    its path, no traceback for a refusal (4xx), and for a failure (5xx) the traceback's
    frames and the error's type without its message; and any address as [address]."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if request is not None and isinstance(record.args, tuple):
            page = _page_name(request)
            record.args = tuple(page if arg in (request.path, request.get_full_path()) else arg for arg in record.args)
        if record.exc_info:
            if getattr(record, "status_code", 500) >= 500:
                record.exc_text = _without_messages(record.exc_info)
            record.exc_info = None
        record.stack_info = None
        record.msg, record.args = IPV4_ADDRESS.sub("[address]", record.getMessage()), ()
        return True


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

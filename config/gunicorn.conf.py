"""Gunicorn's settings: `gunicorn -c config/gunicorn.conf.py config.wsgi`.

Its logs must not say who used the app or for what (DESIGN.md section 6): no access log
unless asked for, and then without the client's address or the page; an error log that
names neither the client's address nor the request line of a refused request."""

import logging
import re

from gunicorn.glogging import Logger

accesslog = None
# With --access-logfile: the time, method, status, size and duration; no address, no
# path or query (they hold request references), no referrer, no browser.
access_log_format = "%(t)s %(m)s %(s)s %(B)s %(M)sms"
errorlog = "-"
# Nothing here uses gunicornc, and servers on one host would share its socket's default path.
control_socket_disable = True

_IPV4_ADDRESS = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b")


class _NoClientDetails(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message.startswith("Listening at"):
            return True  # the server's own address
        if message.startswith("Invalid request from ip="):
            # "Invalid request from ip=<address>: Invalid HTTP request line: '<the line>'":
            # keep the kind of fault, not the address nor what the client sent.
            fault = re.split(r"[:'\"]", message.split(": ", 1)[-1], maxsplit=1)[0].strip()
            message = f"Invalid request refused: {fault}"
        elif message.startswith("Error handling request"):
            kind = record.exc_info[0].__name__ if record.exc_info else "error"
            message = f"Error handling a request: {kind} (its path and message are not logged)"
            record.exc_info = record.exc_text = None
        record.msg, record.args = _IPV4_ADDRESS.sub("[address]", message), ()
        return True


class PrivateLogger(Logger):
    def setup(self, cfg) -> None:
        super().setup(cfg)
        self.error_log.addFilter(_NoClientDetails())


logger_class = PrivateLogger

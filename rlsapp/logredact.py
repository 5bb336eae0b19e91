"""Secrets in URLs never reach a log line.

Some addresses are credentials: the calendar feed's token, password-reset and sign-up
confirmation links, import preview tokens. They turn up in log lines written by code we
do not control: gunicorn's access log (request line and referer, on every calendar
poll), Django's "Not Found: <path>" and CSRF warnings, runserver's request log,
exception messages. Every log record is redacted as it is made, whatever logger or
handler it meets: install() wraps the log record factory. (A filter on a logger would
miss its child loggers' records, and one on a handler runs after other handlers have
seen the record.) Settings install it for Django; gunicorn.conf.py for gunicorn.

No Django imports here, so gunicorn can load this before Django is set up. A new URL
carrying a secret must be added to SECRET_PATHS; tests/test_logging.py fails for any URL
pattern with a `token` or `uidb64` part that is not redacted.
"""

import logging
import re

REDACTED = "[redacted]"
# A path separator, also as it appears percent-encoded in a ?next= parameter.
_SEP = r"(?:/|%2[fF])"
# One secret path segment: up to the next separator, quote, space, query or extension.
_SECRET = r"[^/\s\"'<>?#&%.;,]+"

# (path prefix, number of secret segments after it)
SECRET_PATHS = [
    ("calendar", 1),  # /calendar/<token>.ics
    ("accounts/password/reset", 2),  # /accounts/password/reset/<uidb64>/<token>/
    ("accounts/signup/confirm", 2),  # /accounts/signup/confirm/<uidb64>/<token>/
    ("imports", 1),  # /imports/<uuid>/
    ("shared", 1),  # /shared/<token>/ and /shared/<token>/charts.json (read-only links)
    ("invite", 1),  # /invite/<token>/ (sharing invitations)
]


def _pattern(prefix, segments):
    head = _SEP + _SEP.join(re.escape(part) for part in prefix.split("/")) + _SEP
    secrets = _SEP.join([_SECRET] * segments)
    return re.compile(f"({head}){secrets}")


_PATTERNS = [(_pattern(prefix, n), n) for prefix, n in SECRET_PATHS]


def redact(text: str) -> str:
    for pattern, segments in _PATTERNS:
        text = pattern.sub(lambda m, n=segments: m.group(1) + "/".join([REDACTED] * n), text)
    return text


def redact_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a malformed call: leave it for the handler to report as usual
        return
    clean = redact(message)
    if clean != message:
        record.msg, record.args = clean, ()
    if record.exc_info and not record.exc_text:
        # Exception messages can quote a path (Resolver404 does); format it now, redacted.
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))


class RedactSecrets(logging.Filter):
    """The same redaction as a filter, for a handler configured outside this process's
    record factory (it is harmless to apply twice)."""

    def filter(self, record):
        redact_record(record)
        return True


def install() -> None:
    """Redact every log record of this process as it is made (idempotent)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "redacts_secrets", False):
        return

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        redact_record(record)
        return record

    factory.redacts_secrets = True
    logging.setLogRecordFactory(factory)


class WithoutTraceback(logging.Filter):
    """Logs the record's message without its traceback. For DisallowedHost: anyone can send
    a request naming another host, and Django logs each one as an error with a traceback of
    some fifteen lines about Django's own code, which says nothing the message does not."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        return True


class ClientErrorsWithoutTraceback(WithoutTraceback):
    """For django.request: a refusal (4xx) is logged as its one line, an error (5xx) with its
    traceback. Django logs a 403 from PermissionDenied with the exception's traceback, so
    any member could write some twenty lines of Django's own code into the log with each
    request for a page their role does not allow."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", 500) < 500:
            return super().filter(record)
        return True

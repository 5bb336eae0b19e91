"""gunicorn settings for rlsapp (`gunicorn --config gunicorn.conf.py rlsapp.wsgi`).

The access log writes every request line and referer; the calendar feed's token is in
the path of every poll. Redact such secrets from every record, from the master on
(workers inherit it), before Django is even loaded.
"""

from rlsapp import logredact

logredact.install()

# An import of a file at its limits (interop/parsed.MAX_RECORDS, IMPORT_MAX_BYTES) is one
# request that writes every record and its history in one transaction. gunicorn's default
# of 30 s would kill a worker on a busy host part-way through: the transaction rolls back,
# so nothing is half-written, but the person gets a bad-gateway page and no word of why.
timeout = 120

"""gunicorn settings for rlsapp (`gunicorn --config gunicorn.conf.py rlsapp.wsgi`).

The access log writes every request line and referer; the calendar feed's token is in
the path of every poll. Redact such secrets from every record, from the master on
(workers inherit it), before Django is even loaded.
"""

from rlsapp import logredact

logredact.install()

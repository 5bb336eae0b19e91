"""PostgreSQL timestamps parsed by psycopg's C loader, to the values Django's loader gives.

Django registers a timestamptz loader on each connection that puts its time zone on
every value; it extends psycopg's pure-Python parser, so each timestamp read (every
record's `created`, a session's expiry) is parsed in Python. With psycopg's C
implementation installed (psycopg[binary] or [c]), TzLoader parses the same text with
the C loader and then does what Django's does (tzinfo replaced by its time zone): the
same datetime, the same errors (infinity, years out of range), without the Python parse.
Django still registers its own on a cursor whenever its time zone differs from the
loader's (create_cursor compares `timezone`), so a changed time zone is honoured.
"""

import functools

try:
    from psycopg import adapters
    from psycopg.adapt import Loader
    from psycopg.pq import Format
except ImportError:  # only SQLite in use
    adapters = None


@functools.cache
def _tz_loader(c_loader, tz):
    class TzLoader(Loader):
        # Named as Django's loader names it (DatabaseWrapper.create_cursor reads it).
        timezone = tz

        def __init__(self, oid, context=None):
            super().__init__(oid, context)
            self._load = c_loader(oid, context).load

        def load(self, data):
            return self._load(data).replace(tzinfo=self.timezone)

    return TzLoader


def use_c_parser(sender, connection, **kwargs):
    """connection_created: on a new PostgreSQL connection, Django's timestamptz loader
    replaced by TzLoader with the same time zone, if psycopg's C loader is there."""
    if adapters is None or connection.vendor != "postgresql":
        return
    oid = adapters.types["timestamptz"].oid
    c_loader = adapters.get_loader(oid, Format.TEXT)
    if c_loader is None or c_loader.__module__.startswith("psycopg."):
        return  # the pure-Python implementation: nothing to gain
    context = connection.connection.adapters
    django_loader = context.get_loader(oid, Format.TEXT)
    if not hasattr(django_loader, "timezone"):
        return  # not Django's loader: leave whatever was registered
    context.register_loader(oid, _tz_loader(c_loader, django_loader.timezone))

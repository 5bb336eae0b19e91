"""The session engine (settings.SESSION_ENGINE): Django's database sessions, with the read
that every signed-in request starts with (the session by its key, if not expired)
compiled once per thread and, on PostgreSQL, prepared (tracking/compiled.py), as the
person lookup is. Compiling that queryset cost Django more than the database takes to
run it. Everything else (saving, expiry, cycling the key) is Django's own.
"""

import threading
from datetime import UTC, datetime

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

from rlsapp.tracking import compiled

# Stand-ins to find where the key and the time go in the compiled parameters: no session
# has this key, and the time is only a marker (each read passes the current time).
_KEY = "compiled-session-key-stand-in"
_NOW = datetime(2000, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)

_local = threading.local()


def _statement(model, alias):
    """(Statement, where the key goes, where the time goes), made once per thread (each
    thread has its own connection)."""
    kept = getattr(_local, "statement", None)
    if kept is None or kept[0].alias != alias:
        queryset = model.objects.using(alias).filter(session_key=_KEY, expire_date__gt=_NOW)
        statement = compiled.of_values(queryset.values("session_data", "expire_date"))
        now = model._meta.get_field("expire_date").get_db_prep_value(_NOW, connections[alias])
        key_at = statement.params.index(_KEY)
        now_at = statement.params.index(now)
        kept = _local.statement = (statement, key_at, now_at)
    return kept


# Named as Django's: sessions are signed with a salt made from the class's name, so those
# saved by Django's engine stay readable (and ours by it).
class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        """The session as db.SessionStore reads it (not expired), or None and no key."""
        model = self.model
        alias = router.db_for_read(model)
        statement, key_at, now_at = _statement(model, alias)
        connection = connections[alias]
        params = list(statement.params)
        params[key_at] = self.session_key
        params[now_at] = model._meta.get_field("expire_date").get_db_prep_value(
            timezone.now(), connection
        )
        with compiled.prepared_cursor(connection) as cursor:
            cursor.execute(statement.sql, params)
            rows = cursor.fetchall()
        if statement.converters:
            rows = list(statement.compiler.apply_converters(rows, statement.converters))
        if not rows:
            self._session_key = None
            return None
        data, expire_date = rows[0]
        return model(session_key=self.session_key, session_data=data, expire_date=expire_date)

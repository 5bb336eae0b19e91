"""The two reads every signed-in request starts with (the session, then the account) are
compiled once and read the same rows as Django's own (rlsapp/accounts/sessions.py,
backends.ConfirmedEmailBackend.get_user)."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends import db as django_db
from django.contrib.sessions.models import Session
from django.db.models.sql.compiler import SQLCompiler
from django.urls import reverse
from django.utils import timezone

from rlsapp.accounts.backends import ConfirmedEmailBackend
from rlsapp.accounts.sessions import SessionStore


def _saved(data, expires_in):
    store = SessionStore()
    store.update(data)
    store.create()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() + expires_in
    )
    return store.session_key


@pytest.mark.django_db
@pytest.mark.parametrize("case", ["live", "expired", "unknown", "none"])
def test_a_session_loads_as_djangos_database_sessions_load_it(case):
    key = {
        "live": lambda: _saved({"n": 1, "word": "ä"}, datetime.timedelta(hours=1)),
        "expired": lambda: _saved({"n": 2}, -datetime.timedelta(seconds=1)),
        "unknown": lambda: "x" * 32,
        "none": lambda: None,
    }[case]()
    ours, theirs = SessionStore(key), django_db.SessionStore(key)
    assert ours.load() == theirs.load() == ({"n": 1, "word": "ä"} if case == "live" else {})
    assert ours.session_key == theirs.session_key
    assert (ours.session_key is None) == (case != "live")


@pytest.mark.django_db
def test_the_session_row_is_read_with_its_expiry_as_the_orm_reads_it():
    key = _saved({"n": 1}, datetime.timedelta(days=3))
    found = SessionStore(key)._get_session_from_db()
    assert found.expire_date == Session.objects.get(session_key=key).expire_date
    assert timezone.is_aware(found.expire_date)


@pytest.mark.django_db
def test_the_account_is_read_only_while_it_may_hold_a_session(make_user):
    backend = ConfirmedEmailBackend()
    user = make_user("dana@example.com")
    assert backend.get_user(user.pk) == user
    assert backend.get_user(user.pk).email == "dana@example.com"
    assert backend.get_user(user.pk + 1000) is None
    assert backend.get_user(2**63) is None
    get_user_model().objects.filter(pk=user.pk).update(email_confirmed=False)
    assert backend.get_user(user.pk) is None
    get_user_model().objects.filter(pk=user.pk).update(email_confirmed=True, is_active=False)
    assert backend.get_user(user.pk) is None


def test_a_signed_in_request_compiles_neither_the_session_nor_the_account(
    owner_client, monkeypatch
):
    url = reverse("account_settings")
    assert owner_client.get(url).status_code == 200
    compiled_for = []
    as_sql = SQLCompiler.as_sql

    def counted(self, *args, **kwargs):
        compiled_for.append(self.query.model)
        return as_sql(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counted)
    response = owner_client.get(url)
    assert response.status_code == 200
    assert response.wsgi_request.user.is_authenticated
    assert Session not in compiled_for
    assert get_user_model() not in compiled_for

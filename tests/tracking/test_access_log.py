"""The per-person access log (issue 15 item 6): who viewed, changed or exported a person's
records, one row per page at most, addresses dropped after 30 days, rows after a year."""

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rlsapp.tracking import access_log
from rlsapp.tracking.access_log import AccessLogEntry
from rlsapp.tracking.memberships import Membership
from rlsapp.tracking.models import LabDraw, Patient
from tests.reminders.helpers import add_infusion, open_reminder

from .helpers import draw_post

TABLE = AccessLogEntry._meta.db_table


def only_entry():
    (entry,) = AccessLogEntry.objects.all()
    return entry


def inserts_into_the_log(queries):
    """The statements that write a row of the log: an INSERT of its own, or a WITH part of
    another statement (the person page's first read, a new draw's statement)."""
    return [q["sql"] for q in queries if f'INSERT INTO "{TABLE}"' in q["sql"]]


def test_a_page_view_is_one_row_with_time_address_and_page(owner_client, owner, patient):
    before = timezone.now()
    with CaptureQueriesContext(connection) as queries:
        assert owner_client.get(patient.get_absolute_url()).status_code == 200
    assert len(inserts_into_the_log(queries)) == 1
    entry = only_entry()
    assert (entry.person_id, entry.account_id, entry.action) == (patient.pk, owner.pk, "viewed")
    assert (entry.page, entry.address, entry.link_label) == ("patient_detail", "127.0.0.1", "")
    assert before <= entry.at <= timezone.now()


def test_the_chart_data_its_page_fetches_adds_no_row(owner_client, patient):
    assert owner_client.get(reverse("patient_chart_data", args=[patient.pk])).status_code == 200
    assert not AccessLogEntry.objects.exists()
    owner_client.get(reverse("patient_report", args=[patient.pk]))
    assert only_entry().page == "patient_report"


def test_a_saved_change_is_changed_and_a_form_sent_back_is_viewed(owner_client, patient, today):
    url = reverse("draw_create", args=[patient.pk])
    response = owner_client.post(url, draw_post(today, ferritin="45"))
    assert response.status_code == 302 and LabDraw.objects.filter(patient=patient).exists()
    assert only_entry().action == "changed"
    AccessLogEntry.objects.all().delete()
    response = owner_client.post(url, draw_post(today, ferritin="not a number"))
    assert response.status_code in (200, 400)
    assert only_entry().action == "viewed"


@pytest.mark.parametrize(
    "url_name", ["patient_export_csv", "patient_export_fhir", "patient_export_spreadsheet"]
)
def test_an_export_is_exported(owner_client, patient, url_name):
    assert owner_client.get(reverse(url_name, args=[patient.pk])).status_code == 200
    entry = only_entry()
    assert (entry.action, entry.page) == ("exported", url_name)


def test_the_accounts_export_is_an_exported_row_for_each_person_it_holds(
    owner, owner_client, patient, make_user, monkeypatch
):
    """The zip holds every person the account sees (its own and those shared with it): each
    person's log shows the export, under the account that took it; nobody else's."""
    own = [patient, Patient.objects.create(owner=owner, name="Second")]
    other = make_user("other@example.com")
    shared = Patient.objects.create(owner=other, name="Shared")
    Membership.objects.create(person=shared, account=owner, role="viewer")
    unseen = Patient.objects.create(owner=other, name="Unseen")
    monkeypatch.setattr(access_log, "ROWS_PER_INSERT", 2)  # three rows: two INSERTs
    assert owner_client.get(reverse("account_export")).status_code == 200
    rows = AccessLogEntry.objects.order_by("person_id")
    assert sorted(row.person_id for row in rows) == sorted(p.pk for p in [*own, shared])
    assert {(row.account_id, row.action, row.page) for row in rows} == {
        (owner.pk, "exported", "account_export")
    }
    assert not AccessLogEntry.objects.filter(person=unseen).exists()
    log = owner_client.get(reverse("patient_access_log", args=[patient.pk])).content.decode()
    assert "the account&#x27;s export (all its people, CSV and FHIR)" in log


def test_a_refused_request_writes_nothing(owner, outsider_client, make_user, patient, client):
    assert outsider_client.get(patient.get_absolute_url()).status_code == 404
    viewer = make_user("viewer@example.com")
    Membership.objects.create(person=patient, account=viewer, role="viewer")
    client.force_login(viewer)
    response = client.get(reverse("patient_access_log", args=[patient.pk]))
    assert response.status_code == 403
    assert not AccessLogEntry.objects.exists()


def test_members_views_are_logged_under_their_accounts(make_user, patient, client):
    editor = make_user("dr@example.com")
    Membership.objects.create(person=patient, account=editor, role="editor")
    client.force_login(editor)
    client.get(reverse("patient_history", args=[patient.pk]))
    entry = only_entry()
    assert (entry.account_id, entry.who) == (editor.pk, "dr@example.com")


def test_the_owner_sees_the_log_beside_the_history_and_others_do_not(
    owner_client, make_user, patient, client
):
    history = owner_client.get(reverse("patient_history", args=[patient.pk])).content.decode()
    log_url = reverse("patient_access_log", args=[patient.pk])
    assert f'href="{log_url}"' in history
    page = owner_client.get(log_url).content.decode()
    assert "alice@example.com" in page and "127.0.0.1" in page and "Viewed" in page
    assert "the change history" in page
    editor = make_user("dr@example.com")
    Membership.objects.create(person=patient, account=editor, role="editor")
    client.force_login(editor)
    assert log_url not in client.get(reverse("patient_history", args=[patient.pk])).content.decode()
    assert client.get(log_url).status_code == 403


def test_purge_drops_addresses_after_30_days_and_rows_after_the_retention(patient, settings):
    now = timezone.now()

    def entry(days_ago):
        return AccessLogEntry.objects.create(
            person=patient,
            action="viewed",
            at=now - datetime.timedelta(days=days_ago),
            address="192.0.2.7",
        )

    fresh, month, old, ancient = entry(1), entry(31), entry(364), entry(366)
    assert access_log.purge(now) == {"deleted": 1, "addresses dropped": 2}
    assert not AccessLogEntry.objects.filter(pk=ancient.pk).exists()
    assert AccessLogEntry.objects.get(pk=fresh.pk).address == "192.0.2.7"
    assert AccessLogEntry.objects.get(pk=month.pk).address is None
    assert AccessLogEntry.objects.get(pk=old.pk).address is None
    settings.ACCESS_LOG_RETENTION_DAYS = 30
    out = io.StringIO()
    call_command("purge_access_log", stdout=out)
    assert "2 deleted" in out.getvalue()
    assert list(AccessLogEntry.objects.values_list("pk", flat=True)) == [fresh.pk]


def test_deleting_the_account_keeps_the_rows_of_people_it_did_not_own(make_user, patient, client):
    editor = make_user("dr@example.com")
    Membership.objects.create(person=patient, account=editor, role="editor")
    client.force_login(editor)
    client.get(patient.get_absolute_url())
    editor.delete()
    assert only_entry().who == "a deleted account"


def test_snoozing_a_recheck_is_a_change_to_its_person(owner_client, patient, today):
    add_infusion(patient, today - datetime.timedelta(days=30))
    reminder = open_reminder(patient)
    AccessLogEntry.objects.all().delete()
    response = owner_client.post(reverse("reminder_snooze", args=[reminder.pk]), {"weeks": "1"})
    assert response.status_code == 302
    entry = only_entry()
    assert (entry.person_id, entry.action, entry.page) == (patient.pk, "changed", "reminder_snooze")


def test_each_form_opened_is_named_in_words(owner_client, patient):
    """They were named by their address's name: 'patient delete', 'medicine create'."""
    for name in ("patient_delete", "medicine_create", "course_create"):
        assert owner_client.get(reverse(name, args=[patient.pk])).status_code == 200
    log = owner_client.get(reverse("patient_access_log", args=[patient.pk])).content.decode()
    assert "the page to delete the person" in log
    assert "the form for a new medicine" in log  # as its own page names it
    assert "the form for a new oral iron course" in log
    assert "patient delete" not in log and "medicine create" not in log


def test_every_record_page_has_words():
    from django.urls import get_resolver

    from rlsapp.tracking.views.access_log import page_words

    names = [n for n in get_resolver().reverse_dict if isinstance(n, str)]
    kinds = ("draw", "infusion", "symptom", "course", "medicine", "medicine_event")
    record_pages = [n for n in names if n.rpartition("_")[0] in kinds]
    assert record_pages
    assert [n for n in record_pages if page_words(n) == n.replace("_", " ")] == []


def test_the_times_in_the_logs_name_their_time_zone(owner_client, patient):
    """'2026-11-30 05:27' was the server's time zone (UTC by default) without saying so."""
    owner_client.get(patient.get_absolute_url())
    for name in ("patient_access_log", "patient_history"):
        html = owner_client.get(reverse(name, args=[patient.pk])).content.decode()
        assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC<", html), name


@pytest.mark.parametrize("proxied", [False, True])
@pytest.mark.parametrize(
    "headers",
    [
        {"REMOTE_ADDR": "203.0.113.7"},
        {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.4"},
        {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.4, 10.0.0.9"},
        {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "not an address"},
        {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_REAL_IP": "198.51.100.5", "HTTP_USER_AGENT": "x"},
    ],
)
def test_the_logged_address_is_the_one_axes_reads_of_the_whole_request(
    rf, settings, headers, proxied
):
    from axes.helpers import get_client_ip_address

    if proxied:  # what settings.py derives from AXES_PROXY_COUNT=1
        settings.AXES_IPWARE_PROXY_COUNT = 0
        settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    request = rf.get("/", **headers)
    assert access_log.client_address(request) == get_client_ip_address(request)


def test_a_deployments_own_address_reader_gets_the_whole_request(rf, settings):
    settings.AXES_CLIENT_IP_CALLABLE = lambda request: request.META["HTTP_X_REAL_IP"]
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_REAL_IP="198.51.100.5")
    assert access_log.client_address(request) == "198.51.100.5"

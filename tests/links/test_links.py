"""Read-only links (issue 15 item 5): a person's charts and report for someone without an
account, for a chosen time, revocable; the token 256-bit, stored hashed, shown once."""

import datetime
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rlsapp import tokens
from rlsapp.links import services
from rlsapp.links.models import ReadOnlyLink
from rlsapp.tracking.access_log import AccessLogEntry
from rlsapp.tracking.memberships import Membership
from rlsapp.tracking.models import Patient
from tests.reminders.helpers import add_ferritin, add_infusion


def make_via_page(owner_client, patient, **data):
    response = owner_client.post(reverse("patient_links", args=[patient.pk]), {"days": "30"} | data)
    assert response.status_code == 200, response.content.decode()[:500]
    html = response.content.decode()
    url = re.search(r'id="link-address"[^>]*>http://testserver([^<]+)</textarea>', html)[1]
    return url, html


@pytest.fixture
def visitor():
    """A browser without an account (owner_client is the `client` fixture, signed in)."""
    return Client()


@pytest.fixture
def with_history(patient, today):
    add_infusion(patient, today - datetime.timedelta(days=90))
    add_ferritin(patient, today - datetime.timedelta(days=30), 55)
    return patient


def test_a_link_is_made_on_the_owners_page_and_shown_once(owner_client, owner, patient):
    url, html = make_via_page(owner_client, patient, label="Dr Weber", days="7")
    assert 'data-copy="link-address"' in html and "js/copy.js" in html
    token = url.removeprefix("/shared/").removesuffix("/")
    assert len(token) == 43  # 256 bits, URL-safe base64
    link = ReadOnlyLink.objects.get()
    assert link.token_hash == tokens.digest(token) and token not in link.token_hash
    assert (link.person, link.made_by, link.label) == (patient, owner, "Dr Weber")
    assert abs(link.expires - (timezone.now() + datetime.timedelta(days=7))) < datetime.timedelta(
        minutes=1
    )
    later = owner_client.get(reverse("patient_links", args=[patient.pk])).content.decode()
    assert token not in later and "Dr Weber" in later and "never" in later


def test_the_page_showing_a_new_link_is_not_stored_and_its_forms_still_post(owner_client, patient):
    response = owner_client.post(reverse("patient_links", args=[patient.pk]), {"days": "30"})
    assert "no-store" in response["Cache-Control"]
    # Under "no-referrer" a browser posts this page's forms (Revoke) with "Origin: null",
    # which Django's CSRF check refuses; the token is not in this page's address.
    assert response["Referrer-Policy"] == "same-origin"


def test_thirty_days_unless_asked_for_less(owner_client, patient):
    page = owner_client.get(reverse("patient_links", args=[patient.pk])).content.decode()
    assert re.search(r'value="30"[^>]*checked', page)
    response = owner_client.post(reverse("patient_links", args=[patient.pk]), {"days": "365"})
    assert response.status_code == 400
    assert "1, 7 or 30 days (got 365)" in response.content.decode()
    assert not ReadOnlyLink.objects.exists()


def test_the_link_shows_the_report_and_charts_without_an_account(
    owner_client, with_history, visitor
):
    url, _ = make_via_page(owner_client, with_history)
    response = visitor.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ferritin and iron report: Alice" in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    assert '<meta name="robots" content="noindex, nofollow">' in html
    chart_url = re.search(r'data-chart-url="([^"]+)"', html)[1]
    assert chart_url == url + "charts.json"
    data = visitor.get(chart_url)
    assert data.status_code == 200 and data.json()["ferritin"][0]["value"] == 55
    assert data["Referrer-Policy"] == "no-referrer"


def test_the_link_page_leads_nowhere_in_the_app_and_offers_no_change(owner_client, with_history):
    url, _ = make_via_page(owner_client, with_history)
    html = Client().get(url).content.decode()
    hrefs = set(re.findall(r'href="(/[^"]*)"', html))
    assert {h for h in hrefs if not h.startswith("/static/")} == set(), hrefs
    assert "<form" not in html and "navbar" not in html
    for word in ("Sign in", "Back", "Add a lab result", "Worklist", "Edit", "Delete"):
        assert word not in html


def test_the_link_uses_the_owners_region_for_numbers(owner_client, owner, with_history):
    owner.region = "de"
    owner.save()
    url, _ = make_via_page(owner_client, with_history)
    assert Client().get(url).status_code == 200


def test_expired_and_revoked_links_answer_as_an_unknown_token(owner_client, patient, visitor):
    url, _ = make_via_page(owner_client, patient, days="1")
    link = ReadOnlyLink.objects.get()
    unknown = visitor.get(f"/shared/{tokens.new_token()}/")
    assert unknown.status_code == 404
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1, minutes=1)):
        expired = visitor.get(url)
        assert visitor.get(url + "charts.json").status_code == 404
    assert (expired.status_code, expired.content) == (404, unknown.content)
    assert visitor.get(url).status_code == 200
    response = owner_client.post(reverse("link_revoke", args=[link.pk]))
    assert response.status_code == 302
    revoked = visitor.get(url)
    assert (revoked.status_code, revoked.content) == (404, unknown.content)
    assert visitor.get(url + "charts.json").status_code == 404
    page = owner_client.get(reverse("patient_links", args=[patient.pk])).content.decode()
    assert "Revoked" in page and "link_revoke" not in page


@pytest.mark.parametrize(
    "token",
    ["", "x" * 43, "x" * 65, "x" * 4000, "../../etc/passwd", "é" * 43],
    ids=["empty", "guess", "too-long", "far-too-long", "path", "not-ascii"],
)
def test_a_garbage_token_is_a_404(client, db, token):
    assert client.get(f"/shared/{token}/").status_code == 404
    assert client.get(f"/shared/{token}/charts.json").status_code == 404


def test_a_link_reaches_only_its_own_person(owner_client, owner, patient, visitor):
    other = Patient.objects.create(owner=owner, name="Bea")
    url, _ = make_via_page(owner_client, patient)
    html = visitor.get(url).content.decode()
    assert "Alice" in html and "Bea" not in html
    # The token opens nothing but the link's two addresses.
    token = url.removeprefix("/shared/").removesuffix("/")
    for path in (
        f"/patients/{other.pk}/?token={token}",
        f"/calendar/{token}.ics",
        f"/shared/{token}/../",
        f"/shared/{token}/report/",
        f"/shared/{token}/charts.json/{other.pk}",
    ):
        assert visitor.get(path).status_code in (302, 404), path
    # Another person's link is another token.
    other_url, _ = make_via_page(owner_client, other)
    assert "Bea" in visitor.get(other_url).content.decode()


def test_only_reading_methods_open_a_link(owner_client, patient, visitor):
    url, _ = make_via_page(owner_client, patient)
    for method in ("post", "put", "patch", "delete"):
        assert getattr(visitor, method)(url).status_code == 404
        assert getattr(visitor, method)(url + "charts.json").status_code == 404
    assert visitor.head(url).status_code == 200


def test_only_the_owner_makes_sees_and_revokes_links(owner_client, patient, make_user, client):
    make_via_page(owner_client, patient)
    link = ReadOnlyLink.objects.get()
    for role in ("editor", "viewer"):
        member = make_user(f"{role}@example.com")
        Membership.objects.create(person=patient, account=member, role=role)
        client.force_login(member)
        assert client.get(reverse("patient_links", args=[patient.pk])).status_code == 403
        assert (
            client.post(reverse("patient_links", args=[patient.pk]), {"days": "1"}).status_code
            == 403
        )
        assert client.post(reverse("link_revoke", args=[link.pk])).status_code == 403
    stranger = make_user("stranger@example.com")
    client.force_login(stranger)
    assert client.get(reverse("patient_links", args=[patient.pk])).status_code == 404
    assert client.post(reverse("link_revoke", args=[link.pk])).status_code == 404
    assert client.post(reverse("link_revoke", args=[999999])).status_code == 404
    assert ReadOnlyLink.objects.count() == 1 and ReadOnlyLink.objects.get().revoked_at is None


def test_each_view_is_in_the_access_log_with_time_and_address(owner_client, patient, visitor):
    url, _ = make_via_page(owner_client, patient, label="Dr Weber")
    link = ReadOnlyLink.objects.get()
    AccessLogEntry.objects.all().delete()
    visitor.get(url)
    visitor.get(url + "charts.json")  # the page's own chart data: no second row
    (entry,) = AccessLogEntry.objects.all()
    assert (entry.person_id, entry.account_id, entry.link_id) == (patient.pk, None, link.pk)
    assert (entry.action, entry.page, entry.address) == ("viewed", "link_report", "127.0.0.1")
    assert entry.who == f"Read-only link {link.pk} (Dr Weber)"
    page = owner_client.get(reverse("patient_links", args=[patient.pk])).content.decode()
    assert "never" not in page
    log = owner_client.get(reverse("patient_access_log", args=[patient.pk])).content.decode()
    assert f"Read-only link {link.pk} (Dr Weber)" in log


def test_a_signed_in_visitor_through_a_link_is_logged_as_the_link(
    owner_client, patient, outsider_client
):
    url, _ = make_via_page(owner_client, patient)
    AccessLogEntry.objects.all().delete()
    assert outsider_client.get(url).status_code == 200
    assert AccessLogEntry.objects.get().account_id is None


def test_a_deleted_persons_link_opens_nothing(owner_client, patient, visitor):
    url, _ = make_via_page(owner_client, patient)
    Patient.objects.filter(pk=patient.pk).update(deleted_at=timezone.now())
    assert visitor.get(url).status_code == 404


def test_the_person_page_leads_the_owner_to_the_links(owner_client, patient, make_user, client):
    links_url = reverse("patient_links", args=[patient.pk])
    assert links_url in owner_client.get(patient.get_absolute_url()).content.decode()
    editor = make_user("dr@example.com")
    Membership.objects.create(person=patient, account=editor, role="editor")
    client.force_login(editor)
    assert links_url not in client.get(patient.get_absolute_url()).content.decode()


def test_the_service_refuses_other_lengths(patient, owner):
    with pytest.raises(ValueError):
        services.make_link(patient, owner, days=90)


def test_no_log_line_holds_a_links_token(owner_client, patient, visitor, caplog):
    url, _ = make_via_page(owner_client, patient)
    token = url.removeprefix("/shared/").removesuffix("/")
    caplog.set_level("DEBUG")
    link = ReadOnlyLink.objects.get()
    services.revoke(link)
    assert visitor.get(url).status_code == 404  # Django logs "Not Found: <path>"
    assert visitor.get(url + "charts.json").status_code == 404
    assert any("Not Found" in r.getMessage() for r in caplog.records)
    for record in caplog.records:
        assert token not in record.getMessage()


def test_a_deactivated_owners_links_open_nothing(owner_client, owner, patient, visitor):
    url, _ = make_via_page(owner_client, patient)
    owner.is_active = False
    owner.save()
    assert visitor.get(url).status_code == 404

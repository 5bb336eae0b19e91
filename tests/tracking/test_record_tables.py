"""The record tables (tracking/record_rows.py) escape the records' own text on every page
that shows them: the person page and each record list."""

import datetime

import pytest
from django.test import override_settings
from django.urls import reverse, set_script_prefix

from rlsapp.domain import units
from rlsapp.tracking import services
from rlsapp.tracking.models import Infusion, LabDraw, SymptomScore
from rlsapp.tracking.templatetags.links import fixed_url, linker, links_of
from rlsapp.tracking.treatments import Medication, MedicationEvent, OralIronCourse

pytestmark = pytest.mark.django_db

MARKUP = '<i>x</i> & "q"'
ESCAPED = "&lt;i&gt;x&lt;/i&gt; &amp; &quot;q&quot;"
DAY = datetime.date(2025, 3, 3)


@pytest.fixture
def records(patient, owner):
    def ago(days):
        return DAY - datetime.timedelta(days=days)

    draw = LabDraw(patient=patient, drawn_on=DAY, lab_name=MARKUP)
    services.save_draw(draw, {"ferritin": units.measure("ferritin", "<5", "µg/L")}, by=owner)
    services.leave_out(draw, "other", MARKUP)
    services.save_record(
        Infusion(
            patient=patient,
            given_on=ago(30),
            product="other",
            product_other=MARKUP,
            reaction=MARKUP,
            notes=MARKUP,
        ),
        by=owner,
    )
    services.save_record(
        SymptomScore(patient=patient, recorded_on=DAY, severity=3, note=MARKUP), by=owner
    )
    services.save_treatment(
        OralIronCourse(
            patient=patient,
            product="other",
            product_other=MARKUP,
            elemental_mg=65,
            schedule="other",
            schedule_other=MARKUP,
            started_on=ago(200),
            ended_on=ago(150),
            stop_reason=MARKUP,
        ),
        by=owner,
    )
    medication = services.save_treatment(
        Medication(
            patient=patient,
            drug="other",
            drug_other=MARKUP,
            dose=5,
            started_on=ago(100),
            stopped_on=ago(10),
            stop_reason=MARKUP,
        ),
        by=owner,
    )
    event = MedicationEvent(medication=medication, happened_on=ago(50), kind="other", note=MARKUP)
    services.save_treatment(event, by=owner)


# Each list shows each marked-up text of its table once, the lab's name twice (under the
# date on a phone, in its own column on a wider screen).
IN_LISTS = {
    "draw_list": 3,  # lab name twice, the note of leaving it out
    "infusion_list": 3,  # product, reaction, notes
    "symptom_list": 1,
    "course_list": 3,  # product, schedule, why stopped
    "medicine_list": 3,  # medicine, why stopped, the event's note
}


@pytest.mark.parametrize("name", IN_LISTS)
def test_a_list_escapes_the_records_text(owner_client, patient, records, name):
    page = owner_client.get(reverse(name, args=[patient.pk])).content.decode()
    assert MARKUP not in page
    assert page.count(ESCAPED) == IN_LISTS[name]


def test_the_person_page_escapes_the_records_text_in_every_table(owner_client, patient, records):
    page = owner_client.get(reverse("patient_detail", args=[patient.pk])).content.decode()
    assert MARKUP not in page
    # The five tables' own, beside what the rest of the page says of the same records.
    assert page.count(ESCAPED) >= sum(IN_LISTS.values())


@pytest.mark.parametrize("prefix", ["/", "/clinic/"])
def test_a_tables_links_are_the_reversed_addresses(prefix):
    """The tables make each row's links from one pattern per table (links.linker), and the
    person page its links about the person from one lookup (links.links_of), which must
    give what reverse gives, under the script prefix a deployment runs at too."""
    set_script_prefix(prefix)
    try:
        for name in ("draw_edit", "draw_leave_out", "infusion_delete", "medicine_event_edit"):
            for pk in (1, 907, 2_147_483_646):
                assert linker(name)(pk) == links_of(pk)(name) == reverse(name, args=[pk])
    finally:
        set_script_prefix("/")


@pytest.mark.parametrize("prefix", ["/", "/clinic/"])
def test_the_page_frames_links_are_the_reversed_addresses(prefix):
    """The page frame's links (links.fixed_url) are reversed once and kept: under a script
    prefix they must still be what reverse gives there, never the first prefix's."""
    for first in ("/", "/other/"):
        set_script_prefix(first)
        fixed_url("worklist")
    set_script_prefix(prefix)
    try:
        for name in ("home", "worklist", "patient_create", "reminders", "logout", "login"):
            assert fixed_url(name) == reverse(name)
    finally:
        set_script_prefix("/")


def test_kept_addresses_follow_a_new_url_configuration():
    """Reversed once and kept: a changed ROOT_URLCONF must not serve the old addresses."""
    assert fixed_url("worklist") == "/worklist/" and linker("draw_edit")(5) == "/draws/5/edit/"
    with override_settings(ROOT_URLCONF="tests.tracking.mounted_urls"):
        assert fixed_url("worklist") == reverse("worklist") == "/app/worklist/"
        assert linker("draw_edit")(5) == reverse("draw_edit", args=[5])
        assert links_of(5)("patient_charts") == reverse("patient_charts", args=[5])
    assert fixed_url("worklist") == "/worklist/"

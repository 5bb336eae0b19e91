"""Per-person settings the rules already had (issue 12 items 4 and 6): the course window
(infusions this close form one split-dose course, 14 days) and the earliest draw that
counts as the first re-check (6 weeks). The patient form holds them, the re-check reads
them (reminders.services.settings_for) and the chart uses the same (tracking.fit_inputs).
"""

import datetime

from django.urls import reverse

from rlsapp.domain import recheck
from rlsapp.reminders import services as reminders
from rlsapp.tracking import services
from rlsapp.tracking.models import Patient
from tests.reminders.helpers import add_ferritin, add_infusion

from .helpers import patient_post

D0 = datetime.date(2025, 1, 6)


def days(n):
    return D0 + datetime.timedelta(days=n)


def test_new_people_get_the_defaults_and_the_form_saves_them(owner_client, owner):
    page = owner_client.get(reverse("patient_create")).content.decode()
    assert "Infusions this close form one course (days)" in page
    assert "Earliest draw that counts as the first re-check" in page
    owner_client.post(
        reverse("patient_create"),
        patient_post("Bea", first_recheck_min_weeks="4", course_days="8"),
    )
    bea = Patient.objects.get(owner=owner)
    assert (bea.first_recheck_min_weeks, bea.course_days) == (4, 8)
    settings = reminders.settings_for(bea)
    assert (settings.first_recheck_min_weeks, settings.course_days) == (4, 8)
    assert recheck.Settings().first_recheck_min_weeks == 6
    assert recheck.Settings().course_days == 14


def test_out_of_range_values_name_the_field_and_the_range(owner_client):
    for field, value, message in [
        ("course_days", "0", "Infusions this close form one course (days): enter a number "
         "from 1 to 42 days."),
        ("first_recheck_min_weeks", "60", "Earliest draw that counts as the first re-check "
         "(weeks after the infusion): enter a number from 1 to 52 weeks."),
    ]:  # fmt: skip
        response = owner_client.post(reverse("patient_create"), patient_post(**{field: value}))
        assert response.context["form"].errors[field] == [message]
    assert not Patient.objects.exists()


def test_the_first_re_check_counts_from_the_persons_minimum(patient):
    add_infusion(patient, D0)
    add_ferritin(patient, D0 + datetime.timedelta(weeks=5), 300)
    # Week 5 is earlier than the default 6: the first re-check at week 8 stays due.
    assert (reminders.plan_for(patient).kind, reminders.plan_for(patient).due) == (
        "first",
        D0 + datetime.timedelta(weeks=8),
    )
    patient.first_recheck_min_weeks = 4
    services.save_person(patient)
    plan = reminders.plan_for(patient)
    assert plan.kind != "first"
    assert all(rule.kind != "first" for rule in plan.rules)


def test_the_course_window_is_the_same_for_the_re_check_and_the_chart(owner_client, patient):
    # Ferumoxytol-like: two doses 10 days apart.
    add_infusion(patient, D0)
    add_infusion(patient, days(10))
    url = reverse("patient_chart_data", args=[patient.pk])
    one = owner_client.get(url).json()["episodes"]
    assert [(e["first_date"], e["date"], e["doses"]) for e in one] == [
        (D0.isoformat(), days(10).isoformat(), 2)
    ]
    first = reminders.plan_for(patient).rule
    assert "infusion on 16 January" in first.reason  # 8 weeks after the last dose

    patient.course_days = 7
    services.save_person(patient)
    two = owner_client.get(url).json()["episodes"]
    assert [(e["date"], e["doses"]) for e in two] == [
        (D0.isoformat(), 1),
        (days(10).isoformat(), 1),
    ]
    # The re-check still counts from the latest infusion, now a course of its own.
    assert reminders.plan_for(patient).rule.due == days(10) + datetime.timedelta(weeks=8)

import statistics

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from rlsapp.tracking.demo import DEMO_EMAIL
from rlsapp.tracking.models import LabResult


def test_it_refuses_to_seed_without_debug(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")


def test_the_demo_history_has_three_infusions_and_a_realistic_decline(db, settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    assert "Demo login: demo@example.com" in capsys.readouterr().out
    patient = get_user_model().objects.get(email=DEMO_EMAIL).patients.get(name="Alex (demo)")
    infusions = sorted(patient.infusions.values_list("given_on", flat=True))
    assert len(infusions) == 3
    assert set(patient.infusions.values_list("dose_mg", flat=True)) == {1000}
    course = patient.oral_iron_courses.get()
    # Left out during oral iron, as the chart's fit does: ferritin rises then.
    ferritin = [
        r
        for r in LabResult.objects.ferritin_series(patient)
        if not course.started_on <= r.draw.drawn_on <= course.ended_on
    ]
    for start, end in zip(infusions, infusions[1:] + [None], strict=True):
        decline = [
            ((r.draw.drawn_on - start).days / 7, r.value)
            for r in ferritin
            if (r.draw.drawn_on - start).days >= 28 and (end is None or r.draw.drawn_on < end)
        ]
        assert len(decline) >= 2
        slope = statistics.linear_regression(*zip(*decline, strict=True)).slope
        assert -7.5 < slope < -2.5, f"decline after {start}: {slope:.1f} µg/L per week"
    assert patient.symptom_scores.count() > 40


def test_seeding_twice_keeps_one_demo_account(db, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    assert get_user_model().objects.filter(email=DEMO_EMAIL).count() == 1


def test_reset_rebuilds_the_demo_account_through_the_write_path(db, settings):
    # A plain delete of the account cascaded past the services (the write-path guard
    # refused it) and left the records' change history behind.
    from rlsapp.tracking.models import LabDraw, Patient

    settings.DEBUG = True
    call_command("seed_demo")
    before = set(Patient.objects.values_list("pk", flat=True))
    call_command("seed_demo", reset=True)
    assert get_user_model().objects.filter(email=DEMO_EMAIL).count() == 1
    assert Patient.objects.count() == 3 and not before & set(
        Patient.objects.values_list("pk", flat=True)
    )
    assert not LabDraw.history.filter(patient_id__in=before).exists()
    assert not Patient.history.filter(id__in=before).exists()


def test_the_demo_worklist_shows_an_overdue_re_check_and_a_low_ferritin(db, settings, client):
    settings.DEBUG = True
    call_command("seed_demo")
    user = get_user_model().objects.get(email=DEMO_EMAIL)
    assert user.patients.count() == 3
    client.force_login(user)
    html = client.get("/").content.decode()
    assert "Sam (demo)" in html and "Robin (demo)" in html
    assert "below threshold 100" in html


def test_alex_took_oral_iron_and_switched_from_an_agonist_after_augmentation(db, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    patient = get_user_model().objects.get(email=DEMO_EMAIL).patients.get(name="Alex (demo)")
    course = patient.oral_iron_courses.get()
    during = [
        r.value
        for r in LabResult.objects.ferritin_series(patient)
        if course.started_on <= r.draw.drawn_on <= course.ended_on
    ]
    assert len(during) >= 2 and during[-1] > during[0]  # ferritin rose during the course
    agonist, switch = patient.medications.order_by("started_on")
    assert agonist.is_dopamine_agonist and agonist.stopped_on < switch.started_on
    assert agonist.events.filter(kind="augmentation").exists()
    assert agonist.current_dose_display() == "0.25 mg/day"
    assert (switch.drug, switch.stopped_on) == ("gabapentin_enacarbil", None)

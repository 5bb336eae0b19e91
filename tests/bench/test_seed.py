"""The benchmark's dataset and anchor view (bench/), kept working as the models change."""

import datetime

import pytest
from django.test import override_settings

from bench import seed
from rlsapp.tracking.models import Infusion, LabDraw, LabResult, Patient, SymptomScore

TODAY = datetime.date(2026, 6, 1)


@pytest.fixture
def seeded(db):
    return seed.seed(seed.Size(patients=3, years=2, seed=7), today=TODAY, out=lambda _: None)


def test_it_seeds_a_full_history_for_each_patient(seeded):
    user = seed.bench_user()
    assert seeded == seed.counts(user)
    assert seeded["patients"] == 3
    for patient in Patient.objects.filter(owner=user):
        days = sorted(LabDraw.objects.filter(patient=patient).values_list("drawn_on", flat=True))
        gaps = {(b - a).days for a, b in zip(days, days[1:], strict=False)}
        assert min(gaps) >= 42 and max(gaps) <= 70  # a draw every 6-10 weeks
        assert days[0] >= TODAY - datetime.timedelta(days=2 * 365) and days[-1] < TODAY
        assert SymptomScore.objects.filter(patient=patient).count() in range(
            101, 106
        )  # weekly, over 710-730 days
        assert Infusion.objects.filter(patient=patient).count() in range(3, 6)


def test_every_seeded_draw_has_ferritin_hemoglobin_and_hematocrit(seeded):
    draws = LabDraw.objects.count()
    for analyte in ("ferritin", "hemoglobin", "hematocrit"):
        assert LabResult.objects.filter(analyte=analyte).count() == draws
    tsat = LabResult.objects.filter(analyte="tsat")
    assert tsat.count() == LabResult.objects.filter(analyte="iron").count()
    assert all(tsat.values_list("calculated", flat=True))


def test_the_same_size_gives_the_same_data(seeded):
    user = seed.bench_user()
    assert user.last_name == seed.Size(patients=3, years=2, seed=7).signature
    first = list(LabResult.objects.order_by("pk").values_list("analyte", "value")[:50])
    Patient.objects.all().delete()
    seed.seed(seed.Size(patients=3, years=2, seed=7), today=TODAY, out=lambda _: None)
    assert list(LabResult.objects.order_by("pk").values_list("analyte", "value")[:50]) == first


@override_settings(ROOT_URLCONF="bench.urls")
def test_the_anchor_view_asks_for_a_session_like_every_page(client, owner):
    assert client.get("/bench/trivial/").status_code == 302
    client.force_login(owner)
    response = client.get("/bench/trivial/")
    assert response.status_code == 200 and response.content == b"ok"


def test_production_urls_have_no_anchor_view(client, owner):
    client.force_login(owner)
    assert client.get("/bench/trivial/").status_code == 404

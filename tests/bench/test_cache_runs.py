"""The benchmark measures cached and cold pages honestly, and its own writes move the version on."""

import datetime

import pytest
from django.test import override_settings

from bench import run, seed
from bench.serve import Target
from rlsapp.tracking.models import LabDraw, LabResult, Patient

TODAY = datetime.date(2026, 6, 1)


@pytest.fixture
def seeded(db):
    seed.seed(seed.Size(patients=2, years=1, seed=3), today=TODAY, out=lambda _: None)
    return seed.bench_user()


def test_seeding_gives_the_user_a_data_version_no_earlier_dataset_had(seeded):
    first = seeded.data_version
    assert first > 0
    Patient.objects.all().delete()
    seed.seed(seed.Size(patients=2, years=1, seed=3), today=TODAY, out=lambda _: None)
    assert seed.bench_user().data_version > first


def test_seeded_rows_get_every_column_default(seeded):
    # COPY / executemany name every column: a NOT NULL column without a database default
    # (Django keeps defaults in Python) must still be written.
    assert not LabDraw.objects.filter(created__isnull=True).exists()
    assert LabResult.objects.filter(comparator="").count() == LabResult.objects.count()


def test_query_counts_are_taken_cold_and_then_cached(seeded):
    patient = Patient.objects.filter(owner=seeded).first()
    page = Target("patient", "Patient page", patient.get_absolute_url())
    counts = run.count_queries(seeded, [page])
    cold, cached = counts["patient"]
    assert cached < cold


def test_taking_the_posted_draws_out_moves_the_persons_data_version_on(seeded, monkeypatch):
    # Not through the re-check reminder's own bump: only the plain SQL deletes change here.
    monkeypatch.setattr("rlsapp.reminders.services.sync_patient", lambda patient: None)
    patient = Patient.objects.filter(owner=seeded).first()
    LabDraw.objects.create(patient=patient, drawn_on=TODAY, lab_name=run.POST_LAB)
    before = Patient.objects.get(pk=patient.pk).data_version
    run.remove_posted_draws(patient)
    assert not LabDraw.objects.filter(lab_name=run.POST_LAB).exists()
    assert Patient.objects.get(pk=patient.pk).data_version > before


@override_settings(ROOT_URLCONF="bench.urls")
@pytest.mark.parametrize(
    ("cache_url", "backend"),
    [
        ("locmemcache://", "django.core.cache.backends.locmem.LocMemCache"),
        ("dummycache://", "django.core.cache.backends.dummy.DummyCache"),
    ],
)
def test_the_bench_can_ask_a_server_which_cache_it_uses(client, settings, cache_url, backend):
    import environ

    settings.CACHES = {"default": environ.Env.cache_url_config(cache_url)}
    assert client.get("/bench/cache/").content.decode() == backend


@override_settings(ROOT_URLCONF="bench.urls")
def test_draw_posts_go_in_turn_to_the_people_with_the_most_draws_and_are_taken_out(seeded):
    user, read, post = run.pick_patients()
    posted = run.posting_people(user, read)
    assert posted and read not in posted
    found, _ = run.targets(user, read, post, TODAY, posted)
    spread = next(t for t in found if t.key == "draw_post")
    one = next(t for t in found if t.key == "draw_post_one")
    assert run.target_post_people(spread) == sorted(posted, key=lambda p: p.pk)
    assert run.target_post_people(one) == [post]
    for person in posted:
        LabDraw.objects.create(patient=person, drawn_on=TODAY, lab_name=run.POST_LAB)
    for person in run.target_post_people(spread):
        run.remove_posted_draws(person)
    assert not LabDraw.objects.filter(lab_name=run.POST_LAB).exists()

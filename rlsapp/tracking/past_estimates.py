"""A person's past episodes' estimates, stored for the chart (rlsapp/domain/past_episodes.py).

Derived state, not a record: the re-check scheduler keeps it up to date after every change
it is told of (reminders.services.sync_patient calls keep_up_to_date), the chart reads it
with its history (charts/queries.py) and uses it only when its digest is the one of what
the chart read itself. Deleted with the person.
"""

import orjson
from django.db import models

from rlsapp.domain import kinetics, past_episodes, recheck


class PastEstimates(models.Model):
    patient = models.OneToOneField(
        "tracking.Patient", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    # past_episodes.digest of what the estimates rest on.
    digest = models.CharField(max_length=32)
    # JSON: past_episodes.as_data, by each past episode's first day.
    estimates = models.TextField()

    class Meta:
        verbose_name_plural = "past estimates"

    def __str__(self):
        return f"Past estimates of person {self.patient_id}"


def settings_inputs(settings: recheck.Settings) -> tuple[float, float | None, float]:
    """(threshold, population slope or None, its spread): the settings an estimate reads."""
    return settings.threshold, settings.prior_slope, settings.population_spread


def keep_up_to_date(patient_id, settings, points, courses, stored_digest) -> None:
    """Store the person's past episodes' estimates again when what they rest on changed
    since they were stored (`stored_digest`; None when none are stored)."""
    threshold, slope, spread = settings_inputs(settings)
    digest = past_episodes.digest(points, courses, threshold, slope, spread)
    if digest == stored_digest:
        return
    episodes = kinetics.split_episodes(points, courses)
    summaries = past_episodes.work_out(episodes, threshold, slope, spread)
    text = orjson.dumps(past_episodes.as_data(summaries)).decode()
    PastEstimates.objects.bulk_create(
        [PastEstimates(patient_id=patient_id, digest=digest, estimates=text)],
        update_conflicts=True,
        unique_fields=["patient"],
        update_fields=["digest", "estimates"],
    )


def stored(digest: str, text: str | None, points, courses, settings):
    """The stored estimates by each past episode's first day, when `digest` (stored with
    them) is the digest of these inputs; else None (work them out)."""
    if not text:
        return None
    threshold, slope, spread = settings_inputs(settings)
    if digest != past_episodes.digest(points, courses, threshold, slope, spread):
        return None
    return past_episodes.from_data(orjson.loads(text))

import datetime

import pytest

from rlsapp.tracking.models import Infusion, SymptomScore

from .helpers import DAY0, add_draw, week


@pytest.fixture
def earley(patient):
    """1000 mg FCM on 1 Jan 2024; 430 µg/L at the infusion falling exactly 6.6 per week
    after the spike, so 100 µg/L is reached at week 50: 16 Dec 2024."""
    add_draw(patient, DAY0 - datetime.timedelta(days=17), ferritin=40, hemoglobin=12.9)
    add_draw(patient, week(2), ferritin=610)
    for n, value in [(4, 403.6), (8, 377.2), (12, 350.8), (16, 324.4)]:
        add_draw(patient, week(n), ferritin=value, tsat=31)
    Infusion.objects.create(patient=patient, given_on=DAY0, product="fcm", dose_mg=1000)
    SymptomScore.objects.create(patient=patient, recorded_on=week(1), severity=7)
    SymptomScore.objects.create(patient=patient, recorded_on=week(6), severity=2)
    return patient

"""compiled.together numbers each query's rows by its ordering as written: a reversed query
(reverse() flips the order only when compiled) would come back in the opposite order, and
a distinct one would keep every row (the number makes each unique). It refuses them rather
than give other rows or another order than the query alone."""

import datetime

import pytest

from rlsapp.tracking import compiled, services
from rlsapp.tracking.models import Infusion, Patient

pytestmark = pytest.mark.django_db


def _infusions(person):
    return Infusion.objects.filter(patient_id=person)


@pytest.mark.parametrize(
    "build",
    [
        lambda person: _infusions(person).reverse(),
        lambda person: _infusions(person).reverse()[:2],
        lambda person: _infusions(person).distinct(),
        lambda person: _infusions(person).union(_infusions(person), all=True),
    ],
    ids=["reverse", "reverse-sliced", "distinct", "union"],
)
def test_together_refuses_what_it_would_not_read_as_the_query_alone(owner, build):
    alex = Patient.objects.create(owner=owner, name="Alex")
    for day in (1, 2, 3):
        infusion = Infusion(
            patient=alex, given_on=datetime.date(2026, 1, day), dose_mg=500, product="other"
        )
        services.save_record(infusion)
    with pytest.raises(ValueError, match="reversed, distinct or combined"):
        compiled.together(f"test-refused-{id(build)}", {"infusions": build}, person=alex.pk)

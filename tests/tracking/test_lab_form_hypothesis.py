"""The lab form under every kind of region survives any typing (issue 11, bad input):
each answer is 200 (a question or a refusal, nothing saved) or a redirect after a save
of whole, plausible results; never a 500."""

from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from rlsapp.domain import units
from rlsapp.tracking.models import LabDraw, LabResult
from tests.fuzzing import through_views

EXAMPLES = through_views(max_examples=40)

# What people type from a printout: digits with points, commas, spaces and apostrophes,
# comparators, units, dates in any order; and anything at all.
PIECES = st.sampled_from(["1", "0", "5", "050", ",", ".", " ", "'", "<", "≥", "g/dL", "µg/l"])
TYPED = st.one_of(st.lists(PIECES, max_size=8).map("".join), st.text(max_size=40))
DATES = st.one_of(
    st.sampled_from(["20.10.2026", "10/20/2026", "20/10/2026", "2026-10-20", "20-10-2026"]),
    st.text(max_size=20),
)
ANSWERS = st.text(max_size=30)


@EXAMPLES
@given(
    region=st.sampled_from(["US", "DE", "CH", "SE", "NL"]),
    date=DATES,
    values=st.dictionaries(st.sampled_from(list(units.ANALYTES)), TYPED, max_size=4),
    answers=st.dictionaries(
        st.sampled_from(["ferritin_reading", "ferritin_check", "confirm_duplicate"]), ANSWERS
    ),
)
def test_the_lab_form_survives_any_typing_in_any_region(
    owner_client, owner, patient, region, date, values, answers
):
    owner.region = region
    owner.save()
    before = LabResult.objects.count()
    data = {"drawn_on": date, "lab_name": "Lab", **values, **answers}
    response = owner_client.post(reverse("draw_create", args=[patient.pk]), data)
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert LabResult.objects.count() == before, "a refused form saved something"
    for draw in LabDraw.objects.all():
        for result in draw.results.all():
            info = units.ANALYTES[result.analyte]
            assert info.minimum <= result.value <= info.maximum

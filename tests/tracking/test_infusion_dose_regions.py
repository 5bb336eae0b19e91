"""The infusion form reads a dose as the account's region writes it (issue 11 item 2)."""

import pytest
from django.urls import reverse

from rlsapp.tracking.models import Infusion


def post(client, owner, patient, region, day, dose):
    owner.region = region
    owner.save()
    data = {"given_on": day, "product": "fcm", "dose_mg": dose}
    return client.post(reverse("infusion_create", args=[patient.pk]), data)


@pytest.mark.parametrize(
    "region, day, dose",
    [
        ("US", "4/3/2025", "1,000"),
        ("US", "4/3/2025", "1 000"),
        ("US", "4/3/2025", "1000 mg"),
        ("DE", "03.04.2025", "1.000"),
        ("CH", "03.04.2025", "1'000"),
    ],
)
def test_a_dose_written_with_the_regions_grouping_or_its_unit_is_read(
    owner_client, owner, patient, region, day, dose
):
    # '1,000' from a US discharge letter was refused as 'enter a number from 10 to 3000 mg'
    # (it is one), as were the German '1.000' and '1000 mg'.
    response = post(owner_client, owner, patient, region, day, dose)
    assert response.status_code == 302, response.context["form"].errors
    assert Infusion.objects.get().dose_mg == 1000


@pytest.mark.parametrize(
    "region, day, dose, example",
    [
        ("US", "4/3/2025", "1.000", "US format (for example 1,000"),
        ("DE", "03.04.2025", "1 g", "German format (for example 1.000"),
    ],
)
def test_a_dose_the_region_does_not_read_as_mg_is_refused_saying_what_was_read(
    owner_client, owner, patient, region, day, dose, example
):
    response = post(owner_client, owner, patient, region, day, dose)
    assert response.context["form"].errors["dose_mg"] == [
        f"Dose (mg iron): read “{dose}”: enter a number from 10 to 3000 mg, whole, in the "
        f"{example} or 500)."
    ]
    assert not Infusion.objects.exists()

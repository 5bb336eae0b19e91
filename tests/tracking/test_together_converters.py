"""compiled.together numbers each query's rows (its ORDER column) only to order the
statement: no instance is given that number, so its rows are not converted for it; a
column a query's instances do read keeps its converter."""

from django.db import connection
from django.db.models import Count

from rlsapp.tracking import compiled
from rlsapp.tracking.models import Infusion, Patient
from rlsapp.tracking.treatments import Medication

BUILDS = {
    "infusions": lambda person: Infusion.objects.filter(patient_id=person),
    "medicines": lambda person: Medication.objects.filter(patient_id=person)[:10],
    "people": lambda person: Patient.objects.filter(pk=person).annotate(draw_count=Count("draws")),
}


def test_the_row_number_is_not_converted_and_a_counted_column_is(db):
    union = compiled._union("test-converters", BUILDS, ["person"])
    for branch in union.branches:
        assert branch.compiler.annotation_col_map[compiled.ORDER] not in branch.converters
    people = next(branch for branch in union.branches if branch.name == "people")
    assert people.compiler.annotation_col_map["draw_count"] in people.converters
    if connection.vendor == "postgresql":
        # Its driver gives each column as the field holds it: nothing else to convert.
        assert [branch.converters for branch in union.branches][:2] == [{}, {}]

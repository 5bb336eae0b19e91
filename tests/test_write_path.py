import pytest

from rlsapp.tracking import services
from rlsapp.tracking.models import Infusion
from tests import write_path


def test_a_write_from_app_code_outside_the_services_is_refused(patient, today, monkeypatch):
    # Pretend the caller is app code: the guard looks at the files on the stack.
    monkeypatch.setattr(write_path, "written_from", lambda: ["/app/rlsapp/somewhere.py"])
    with pytest.raises(write_path.WriteOutsideServices):
        Infusion.objects.create(patient=patient, given_on=today)


def test_a_write_through_the_services_passes(patient, today, monkeypatch):
    monkeypatch.setattr(
        write_path, "written_from", lambda: ["/app/rlsapp/somewhere.py", write_path.SERVICES]
    )
    Infusion.objects.create(patient=patient, given_on=today)


# Code that the guard takes for app code: its frames name a file of rlsapp/ (none is made).
APP_CODE = """
from django.db import connection

from rlsapp.tracking.models import Infusion, Patient


def create(patient, day):
    Infusion.objects.create(patient=patient, given_on=day)


def update(patient, day):
    Infusion.objects.filter(patient=patient).update(dose_mg=250)


def bulk_create(patient, day):
    Infusion.objects.bulk_create([Infusion(patient=patient, given_on=day)])


def queryset_delete(patient, day):
    Infusion.objects.filter(patient=patient).delete()


def by_hand(patient, day):
    with connection.cursor() as cursor:
        cursor.execute(
            'UPDATE "tracking_patient" SET "name" = %s, "data_version" = 7 WHERE "id" = %s',
            ["Bob", patient.pk],
        )


def version_only(patient, day):
    Patient.objects.filter(pk=patient.pk).update(data_version=patient.data_version + 1)
"""


def app_code(path):
    found = {}
    exec(compile(APP_CODE, str(path), "exec"), found)
    return found


WRITERS = ["create", "update", "bulk_create", "queryset_delete", "by_hand"]


@pytest.mark.parametrize("writer", WRITERS)
def test_app_code_that_writes_a_record_any_way_but_through_the_services_is_refused(
    patient, today, writer
):
    # update(), bulk_create() and SQL by hand send no model signal: the statement is seen.
    services.save_record(Infusion(patient=patient, given_on=today))
    write = app_code(write_path.APP / "somewhere.py")[writer]
    with pytest.raises(write_path.WriteOutsideServices):
        write(patient, today)


@pytest.mark.parametrize("writer", WRITERS)
def test_the_same_writes_from_the_services_pass(patient, today, writer):
    services.save_record(Infusion(patient=patient, given_on=today))
    app_code(write_path.APP / "tracking" / "services" / "somewhere.py")[writer](patient, today)


def test_moving_a_data_version_on_is_no_record_change(patient, today):
    app_code(write_path.APP / "somewhere.py")["version_only"](patient, today)

import pytest

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

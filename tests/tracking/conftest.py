import pytest


@pytest.fixture
def german(owner):
    """The owner's account set to Germany: dd.mm.yyyy dates, 1.050,5 numbers."""
    owner.region = "DE"
    owner.save()
    return owner

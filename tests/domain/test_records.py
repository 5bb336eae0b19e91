"""domain/records.quick_init: a frozen dataclass with its quick __init__ behaves as with the
dataclass's own (same parameters, attributes, equality, hash, repr, pickling, replace), and
stays frozen."""

import copy
import dataclasses
import inspect
import pickle
from datetime import date

import pytest

from rlsapp.domain.estimate import Estimate
from rlsapp.domain.fits import Fit
from rlsapp.domain.kinetics import Dose, Episode, Point
from rlsapp.domain.records import quick_init
from rlsapp.domain.trend import Trend


def plain_twin(cls):
    """The same fields as a dataclass with the generated __init__."""
    fields = [
        (f.name, f.type, dataclasses.field(default=f.default, repr=f.repr, compare=f.compare))
        if f.default is not dataclasses.MISSING
        else (f.name, f.type)
        for f in dataclasses.fields(cls)
    ]
    return dataclasses.make_dataclass(cls.__name__, fields, frozen=True)


@pytest.mark.parametrize("cls", [Point, Dose, Episode, Fit, Estimate, Trend])
def test_same_parameters_as_the_generated_init(cls):
    assert str(inspect.signature(cls)) == str(inspect.signature(plain_twin(cls)))


def test_instances_as_the_dataclass_makes_them():
    day = date(2024, 3, 1)
    point = Point(day, 310.0, lab="Lab A")
    twin = plain_twin(Point)(day, 310.0, lab="Lab A")
    assert vars(point) == vars(twin)
    assert repr(point) == repr(twin)
    assert point == Point(day, 310.0, "", False, False, "Lab A")
    assert hash(point) == hash(Point(day, 310.0, lab="Lab A"))
    assert point != Point(day, 310.0)
    assert pickle.loads(pickle.dumps(point)) == point
    assert copy.deepcopy(point) == point
    assert dataclasses.replace(point, value=20.0) == Point(day, 20.0, lab="Lab A")
    with pytest.raises(dataclasses.FrozenInstanceError):
        point.value = 1.0
    with pytest.raises(TypeError):
        Point(day)  # value has no default


def test_only_for_plain_frozen_dataclasses():
    @dataclasses.dataclass
    class Open:
        a: int

    @dataclasses.dataclass(frozen=True)
    class Later:
        a: int

        def __post_init__(self):
            pass

    @dataclasses.dataclass(frozen=True)
    class Factory:
        a: list = dataclasses.field(default_factory=list)

    for cls in (Open, Later, Factory):
        with pytest.raises(TypeError):
            quick_init(cls)

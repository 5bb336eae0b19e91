"""Model instances from rows read by hand-written or compiled SQL, as Model.from_db makes
them, in fewer steps where nothing can tell the difference.

Model.from_db calls the model's __init__, which sends pre_init and post_init and sets
each column's value through setattr, several times the cost of the instance itself. For
a model that keeps Django's from_db and __init__, whose column attributes are Django's
plain ones (a value in the instance's __dict__, as __init__ leaves it) and that nothing
listens to at init, the same instance is made by putting the values in place: the same
__dict__ and the same _state (adding False, the database read).
"""

import functools
import inspect

from django.db.models import Model, signals
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute


@functools.cache
def _columns_only(model, names: tuple) -> bool:
    """Whether from_db(db, names, values) only puts each value in the instance's __dict__
    (a fact about the class, which does not change while the process runs)."""
    if model.from_db.__func__ is not Model.from_db.__func__ or model.__init__ is not Model.__init__:
        return False
    fields = model._meta.concrete_fields
    if names != tuple(field.attname for field in fields):
        return False  # deferred or reordered columns: Django's own way
    return all(
        type(inspect.getattr_static(model, name, None))
        in (DeferredAttribute, ForeignKeyDeferredAttribute)
        for name in names
    )


def instance_maker(model, db, names):
    """A function of one row's values (in `names`' order) that gives what
    model.from_db(db, names, values) gives."""
    names = tuple(names)
    if (
        not _columns_only(model, names)
        or signals.pre_init.has_listeners(model)
        or signals.post_init.has_listeners(model)
    ):
        return functools.partial(model.from_db, db, names)
    new = model.__new__

    def make(values):
        instance = new(model)
        state = instance._state = ModelState()
        state.adding = False
        state.db = db
        instance.__dict__.update(zip(names, values, strict=True))
        return instance

    return make

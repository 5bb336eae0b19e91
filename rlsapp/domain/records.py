"""Frozen dataclasses made in bulk (pure): `quick_init` gives one an __init__ that fills the
instance's attributes in one step.

A frozen dataclass's own __init__ sets each field through object.__setattr__, one call per
field, because its __setattr__ refuses. A chart makes a few hundred such values (points,
fits, episodes, estimates, trends) for every request. The __init__ made here takes the very
same parameters (names, order, defaults) and stores the same attributes in the instance's
__dict__, where the dataclass's own __init__ stores them; equality, hashing, repr, pickling,
dataclasses.replace and the refusal to be changed afterwards are the dataclass's own.
"""

from __future__ import annotations

import dataclasses


def quick_init(cls):
    """Replace a frozen dataclass's generated __init__ (use under @dataclass(frozen=True))."""
    params = cls.__dataclass_params__
    if not params.frozen or not params.init or "__slots__" in cls.__dict__:
        raise TypeError(f"quick_init is for frozen dataclasses with __dict__: {cls.__name__}")
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"quick_init cannot run {cls.__name__}.__post_init__")
    fields = [f for f in dataclasses.fields(cls) if f.init]
    if len(fields) != len(dataclasses.fields(cls)) or any(f.kw_only for f in fields):
        raise TypeError(f"quick_init: every field of {cls.__name__} must be positional")
    defaults, signature, stored = {}, [], []
    for f in fields:
        if f.default_factory is not dataclasses.MISSING:
            raise TypeError(f"quick_init: {cls.__name__}.{f.name} has a default factory")
        if f.default is dataclasses.MISSING:
            signature.append(f.name)
        else:
            defaults[f"_default_{f.name}"] = f.default
            signature.append(f"{f.name}=_default_{f.name}")
        stored.append(f"{f.name!r}: {f.name}")
    source = (
        f"def __init__(self, {', '.join(signature)}):\n"
        f"    self.__dict__.update({{{', '.join(stored)}}})\n"
    )
    namespace = {}
    exec(source, defaults, namespace)  # noqa: S102 - the source holds field names only
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    init.__doc__ = cls.__init__.__doc__
    init.__annotations__ = dict(cls.__init__.__annotations__)
    cls.__init__ = init
    return cls

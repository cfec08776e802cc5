"""Contract models built from values already known valid: the one place validation is skipped.

A venue's own records (the simulator's prices on the tick, levels just parsed and checked
from a venue's text, a quote the service already quantized) would pay for a second
validation on the hottest paths. :func:`trusted` insists on every field and builds the
instance through a *builder*: a ``pydantic_core.SchemaValidator`` (public API) for the
model's class whose every field accepts any value. It makes the instance the way
validation does, in pydantic-core (the field values, the fields set, no extra, no
private state), without checking a value: about 0.5-1 us, where ``model_construct``
(which walks each field's aliases and defaults in Python) or a ``model_copy`` of a first
instance took 2-4 us, a cost paid for every order, level and balance a tick handles.

One catch, pinned by the tests: pydantic-core reuses a class's own validator, once that
class is complete (its first validation completes a ``defer_build`` contract), for any
schema naming the class, so a builder made after that would validate every value again,
at the full cost (correct, since the values are valid, but no faster). The contracts'
builders are therefore made when ``schemas`` is imported (:func:`prepare`), before
anything can have validated them; any other class gets its builder on first use.

A class whose instances need more than their fields (private attributes, a
``model_post_init``) is built by ``model_construct`` instead, which sets those up. The
instance cannot be told from the validated one (equality, hash, fields set, dump, repr,
copies, pickling, frozenness): pinned for the installed pydantic by
``tests/schemas/test_trusted.py``. Anything that came from outside the process is
validated, never passed through here.

:func:`trusted_update` is the same for an instance whose few fields change (an order
that became final: its status and update time): a ``model_copy`` of that instance with
those fields replaced, cheaper than naming every field again.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic_core import SchemaValidator, ValidationError
from pydantic_core import core_schema as cs

__all__ = ["prepare", "trusted", "trusted_update"]

M = TypeVar("M", bound=BaseModel)

_BUILDERS: dict[type[BaseModel], SchemaValidator | None] = {}


def _builder(cls: type[BaseModel]) -> SchemaValidator | None:
    """The class's builder; None when its instances need what only ``model_construct``
    sets up (private attributes, a post-init hook)."""
    if cls.__private_attributes__ or cls.__pydantic_post_init__ is not None:
        return None
    fields = {name: cs.model_field(cs.any_schema()) for name in cls.model_fields}
    return SchemaValidator(cs.model_schema(
        cls,
        cs.model_fields_schema(fields, extra_behavior="forbid", model_name=cls.__name__),
        config=cs.CoreConfig(title=cls.__name__),
    ))


def prepare(*classes: type[BaseModel]) -> None:
    """Make the builders of ``classes`` now (see the module's docstring: before their first
    validation)."""
    for cls in classes:
        if cls not in _BUILDERS:
            _BUILDERS[cls] = _builder(cls)


def trusted(cls: type[M], /, **values: Any) -> M:
    """An instance of ``cls`` holding ``values``: every field, each already valid."""
    try:
        builder = _BUILDERS[cls]
    except KeyError:
        builder = _BUILDERS[cls] = _builder(cls)
    if builder is not None:
        try:
            return builder.validate_python(values)  # type: ignore[no-any-return]
        except ValidationError:
            pass  # a missing or unknown field: named below
    fields = cls.model_fields.keys()
    if values.keys() != fields:
        missing = sorted(fields - values.keys())
        extra = sorted(values.keys() - fields)
        raise TypeError(f"{cls.__name__}: trusted() needs every field and only those; "
                        f"missing {missing}, unknown {extra}")
    return cls.model_construct(**values)


def trusted_update(model: M, /, **changes: Any) -> M:
    """A copy of ``model`` (validated, or built by :func:`trusted`) with ``changes``: some
    of its fields, each already valid."""
    fields = type(model).model_fields.keys()
    if not changes.keys() <= fields:
        raise TypeError(f"{type(model).__name__}: trusted_update() takes only its fields; "
                        f"unknown {sorted(changes.keys() - fields)}")
    return model.model_copy(update=changes)

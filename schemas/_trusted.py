"""Contract models built from values already known valid: the one place validation is skipped.

A venue's own records (the simulator's prices on the tick, levels just parsed and checked
from a venue's text, a quote the service already quantized) would pay for a second
validation on the hottest paths. :func:`trusted` insists on every field, builds the first
instance of a class with pydantic's public ``model_construct`` and every later one as a
``model_copy`` of that first one with every field replaced: the same result at about half
the cost for a wide model (``model_construct`` walks each field's aliases and defaults in
Python; a copy is a dict copy and an update). The instance cannot be told from the
validated one (equality, hash, fields set, dump, repr, copies, frozenness): pinned for the
installed pydantic by ``tests/schemas/test_trusted.py``. Anything that came from outside
the process is validated, never passed through here.

:func:`trusted_update` is the same for an instance whose few fields change (an order
that became final: its status and update time): a ``model_copy`` of that instance with
those fields replaced, cheaper than naming every field again.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

__all__ = ["trusted", "trusted_update"]

M = TypeVar("M", bound=BaseModel)

_FIELDS: dict[type[BaseModel], frozenset[str]] = {}
_FIRST: dict[type[BaseModel], BaseModel] = {}


def trusted(cls: type[M], /, **values: Any) -> M:
    """An instance of ``cls`` holding ``values``: every field, each already valid."""
    fields = _FIELDS.get(cls)
    if fields is None:
        fields = _FIELDS[cls] = frozenset(cls.model_fields)
    if values.keys() != fields:
        missing = sorted(fields - values.keys())
        extra = sorted(values.keys() - fields)
        raise TypeError(f"{cls.__name__}: trusted() needs every field and only those; "
                        f"missing {missing}, unknown {extra}")
    first = _FIRST.get(cls)
    if first is None:
        first = _FIRST[cls] = cls.model_construct(**values)
        return first
    return first.model_copy(update=values)  # type: ignore[return-value]


def trusted_update(model: M, /, **changes: Any) -> M:
    """A copy of ``model`` (validated, or built by :func:`trusted`) with ``changes``: some
    of its fields, each already valid."""
    cls = type(model)
    fields = _FIELDS.get(cls)
    if fields is None:
        fields = _FIELDS[cls] = frozenset(cls.model_fields)
    if not changes.keys() <= fields:
        raise TypeError(f"{cls.__name__}: trusted_update() takes only its fields; "
                        f"unknown {sorted(changes.keys() - fields)}")
    return model.model_copy(update=changes)

"""Every registered component is documented: parametrised over what is registered.

The ids come from the installed entry points, not from a list kept by hand, so a new
component with no docstring or an undocumented arg fails this test by itself.
"""

from __future__ import annotations

import pytest

from fortuna import Registry
from fortuna._internal.registry import first_line

REGISTRY = Registry.default()
FAMILIES = REGISTRY.families()
SINGLE_IDS = [cid for cid in REGISTRY.ids()
              if not any(cid.startswith(prefix + ".") for prefix in FAMILIES)]


@pytest.mark.parametrize("component_id", SINGLE_IDS)
def test_component_has_a_catalog_line(component_id: str) -> None:
    line = first_line(REGISTRY.resolve(component_id))
    assert line.endswith("."), f"{component_id}: docstring's first line is {line!r}"


@pytest.mark.parametrize("component_id", SINGLE_IDS)
def test_every_arg_of_a_component_has_a_description(component_id: str) -> None:
    fields = REGISTRY.resolve(component_id).Args.model_fields
    assert [name for name, info in fields.items() if not info.description] == []


@pytest.mark.parametrize("prefix", sorted(FAMILIES))
def test_family_has_a_description_and_documented_args(prefix: str) -> None:
    family = FAMILIES[prefix]
    assert family.description
    member = sorted(family.members())[0]
    model = family.args_model() or family.resolve(member).Args
    assert [name for name, info in model.model_fields.items() if not info.description] == []
    assert first_line(family.resolve(member)).endswith(".")


def test_the_catalog_is_not_empty() -> None:
    assert len(SINGLE_IDS) > 10
    assert "exchanges.ccxt" in FAMILIES

"""The Python API says what a mandate holds, and the package its version."""

from __future__ import annotations

from importlib.metadata import version

import fortuna
from fortuna import ComponentSpec, Mandate


def test_a_mandate_exposes_its_service_vars_and_components() -> None:
    mandate = Mandate.from_yaml(
        'service: "@p"\nvars: {v: 1}\ncomponents:\n  p: {id: prices.fixed, args: {price: "@v"}}\n')
    assert mandate.service == "@p"
    assert mandate.vars == {"v": 1}
    assert mandate.components == {"p": ComponentSpec("prices.fixed", {"price": "@v"})}


def test_a_malformed_mandate_exposes_what_is_well_formed() -> None:
    mandate = Mandate.from_dict({"components": {"a": {"id": 3}, "b": {"id": "x"}}, "vars": 5})
    assert mandate.service is None
    assert mandate.vars == {}
    assert mandate.components == {"b": ComponentSpec("x", {})}


def test_the_package_has_its_installed_version() -> None:
    assert fortuna.__version__ == version("fortuna")

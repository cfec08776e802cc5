"""The exported JSON Schema: what an editor sees of the catalog."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest
from jsonschema import Draft7Validator

from fortuna import Component, Family, NoArgs
from fortuna._internal.schema import mandate_schema, mandate_schema_text
from tests.core.catalog_fixture import FakeVenue, registry


class Stations(Family):
    """Every station, generated."""

    description = "a generated station"

    def members(self) -> Sequence[str]:
        return ["north", "south"]

    def resolve(self, member: str) -> type[Component[Any]]:
        return type(f"Station_{member}", (FakeVenue,), {"__doc__": f"Station {member}."})


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    catalog = registry()
    catalog._families["test.station"] = Stations()  # a family registered as entry points do
    return mandate_schema(catalog)


def errors(schema: dict[str, Any], document: Any) -> list[str]:
    return [error.message for error in Draft7Validator(schema).iter_errors(document)]


GOOD = {
    "service": "@bot",
    "vars": {"size": "0.5"},
    "components": {
        "venue": {"id": "test.venue", "args": {"fee": "0.001"}},
        "price": {"id": "test.price", "args": {"venue": "@venue", "symbol": "BTC/USDT"}},
        "bot": {"id": "test.bot", "args": {"venue": "@venue", "pricing": "@price",
                                           "amount": "@size", "levels": [1, "0.5", "@x"]}},
    },
}


def test_schema_is_a_valid_draft7_schema(schema: dict[str, Any]) -> None:
    Draft7Validator.check_schema(schema)


def test_a_valid_mandate_validates_against_the_schema(schema: dict[str, Any]) -> None:
    assert errors(schema, GOOD) == []


def test_each_id_is_a_branch_keyed_by_const(schema: dict[str, Any]) -> None:
    branches = schema["definitions"]["Component"]["oneOf"]
    consts = [b["properties"]["id"].get("const") for b in branches]
    assert {"test.venue", "test.price", "test.bot"} <= set(consts)


def test_branch_description_is_the_docstring_first_line(schema: dict[str, Any]) -> None:
    branches = schema["definitions"]["Component"]["oneOf"]
    bot = next(b for b in branches if b["properties"]["id"].get("const") == "test.bot")
    assert bot["properties"]["id"]["description"] == "Quotes around a price."


def test_a_family_is_one_branch_with_an_enum_of_its_ids(schema: dict[str, Any]) -> None:
    branches = schema["definitions"]["Component"]["oneOf"]
    enums = [b["properties"]["id"].get("enum") for b in branches]
    assert ["test.station.north", "test.station.south"] in enums


def test_unknown_arg_is_refused_by_the_schema(schema: dict[str, Any]) -> None:
    document = {"service": "@v", "components": {"v": {"id": "test.venue",
                                                       "args": {"fees": 1}}}}
    assert errors(schema, document)


def test_unknown_id_is_refused_by_the_schema(schema: dict[str, Any]) -> None:
    document = {"service": "@v", "components": {"v": {"id": "test.venu"}}}
    assert errors(schema, document)


def test_decimals_accept_numbers_and_numeric_strings_only(schema: dict[str, Any]) -> None:
    def with_fee(fee: Any) -> dict[str, Any]:
        return {"service": "@v", "components": {"v": {"id": "test.venue",
                                                      "args": {"fee": fee}}}}

    assert errors(schema, with_fee(0.5)) == []
    assert errors(schema, with_fee("0.000000000000000001")) == []
    assert errors(schema, with_fee("lots"))


def test_every_arg_also_accepts_a_reference(schema: dict[str, Any]) -> None:
    document = {"service": "@v", "components": {"v": {"id": "test.venue",
                                                      "args": {"fee": "@fee"}}}}
    assert errors(schema, document) == []


def test_reference_args_are_described_by_their_interface(schema: dict[str, Any]) -> None:
    args = next(d for name, d in schema["definitions"].items() if name == "BotArgs")
    assert args["properties"]["pricing"]["description"] == \
        "reference to a component providing Pricing"


def test_field_descriptions_survive_the_reference_wrapping(schema: dict[str, Any]) -> None:
    args = schema["definitions"]["BotArgs"]
    assert args["properties"]["amount"]["description"] == "order size"


def test_schema_text_is_stable() -> None:
    assert mandate_schema_text(registry()) == mandate_schema_text(registry())


def test_core_catalog_has_the_clocks() -> None:
    from fortuna import Registry

    assert {"clock.wall", "clock.virtual"} <= set(Registry.default().ids("clock"))


def test_no_args_component_gets_an_empty_closed_args_object() -> None:
    from fortuna import Registry

    class Quiet(Component[NoArgs]):
        """Says nothing."""

    document = mandate_schema(Registry({"quiet": Quiet}))
    assert errors(document, {"service": "@q", "components": {"q": {"id": "quiet"}}}) == []
    assert errors(document, {"service": "@q", "components": {"q": {"id": "quiet",
                                                                    "args": {"x": 1}}}})


def test_decimal_bounds_reach_the_schema_however_they_are_declared() -> None:
    from typing import Annotated

    from pydantic import Field

    from fortuna import ComponentArgs, ExactDecimal, Registry

    class BoundedArgs(ComponentArgs):
        on_field: ExactDecimal = Field(gt=0)
        in_annotated: Annotated[ExactDecimal, Field(ge=1, le=5)] = Decimal(1)

    class Bounded(Component[BoundedArgs]):
        """Has bounds."""

    document = mandate_schema(Registry({"bounded": Bounded}))

    def with_args(**args: Any) -> dict[str, Any]:
        return {"service": "@b", "components": {"b": {"id": "bounded", "args": args}}}

    assert errors(document, with_args(on_field=1, in_annotated=3)) == []
    assert errors(document, with_args(on_field=0))
    assert errors(document, with_args(on_field=1, in_annotated=6))
    assert "ge" not in document["definitions"]["BoundedArgs"]["properties"]["in_annotated"]

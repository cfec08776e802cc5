"""Acceptance schemas accept exactly what the args models accept.

The catalog index stores each component's args as an acceptance schema
(``fortuna._internal.catalog_acceptance``); the fast path of ``fortuna validate`` trusts it
to accept what the args model accepts. Args shaped by each schema (so that most are
accepted and the bounds are hit), some made hostile, go through both, for one id per
schema of the index; and the translation's rules are checked one by one.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError, model_validator

from fortuna import ExactDecimal, Registry
from fortuna._internal.catalog_acceptance import Translator, Unsupported
from fortuna._internal.loader import load_file
from fortuna._internal.plan import MissingEnv
from fortuna._internal.references import REFS_CONTEXT, Placeholder, Ref
from fortuna._internal.validation_fast import Index, _Stand
from tests.conftest import REPO

CONFIGS = sorted((REPO / "configs").rglob("*.yaml"))


def _stands(index: Index) -> dict[str, str]:
    """One indexed id per interface the catalog provides: the stand-in for references to
    it (named after the interface)."""
    found: dict[str, str] = {}
    for cid in Registry.default().ids():
        entry = index.entry(cid)
        for interface in (entry or {}).get("provides", []):
            found.setdefault(interface, cid)
    return found


def _config_values() -> dict[str, list[Any]]:
    """Every arg value the configs write, by arg name (realistic values to fuzz with)."""
    found: dict[str, list[Any]] = {}
    for path in CONFIGS:
        document = load_file(str(path), env={})
        for spec in document.data["components"].values():
            for name, value in (spec.get("args") or {}).items():
                if not isinstance(value, str) or not value.startswith("@"):
                    found.setdefault(name, []).append(value)
    return found


CONFIG_VALUES = _config_values()
HOSTILE: list[Any] = [
    None, True, 0, -1, 10**30, Decimal("-0.5"), Decimal("1E-101"), Decimal("1E+101"), "",
    "BTCUSDT", "BTC/USDT\n", "-5s", "1e9999d", "abc", [], {}, {"a": 1},
    MissingEnv("FORTUNA_UNSET"), Ref("missing"), [Ref("missing")],
]
NUMBERS = [0, 1, 2, 7, 100, Decimal("0.001"), Decimal("0.5"), Decimal("1"), Decimal("2.5")]


def _good(schema: dict[str, Any], name: str, defs: dict[str, Any], depth: int = 0
          ) -> st.SearchStrategy[Any]:
    """Values shaped by an acceptance schema: most are accepted, the bounds are hit."""
    kind = schema["type"]
    if kind == "definitions":
        defs.update({item["ref"]: item for item in schema["definitions"]})
        return _good(schema["schema"], name, defs, depth)
    if kind == "definition-ref":
        target = defs.get(schema["schema_ref"])
        return st.sampled_from(HOSTILE) if target is None or depth > 3 else _good(
            target, name, defs, depth + 1)
    if kind in ("default", "nullable"):
        inner = _good(schema["schema"], name, defs, depth)
        return st.one_of(st.none(), inner) if kind == "nullable" else inner
    if kind == "fortuna-interface":
        return st.just(Ref(schema["interface"]))
    if kind in ("list", "set", "frozenset"):
        return st.lists(_good(schema["items_schema"], name, defs, depth), max_size=2)
    if kind == "dict":
        return st.dictionaries(st.sampled_from(["a", "b"]),
                               _good(schema.get("values_schema", {"type": "any"}), name,
                                     defs, depth), max_size=1)
    if kind in ("union", "tagged-union"):
        choices = schema["choices"]
        options = list(choices.values()) if isinstance(choices, dict) else choices
        return st.one_of([_good(c[0] if isinstance(c, list) else c, name, defs, depth)
                          for c in options])
    if kind == "literal":
        return st.sampled_from(schema["expected"])
    if kind == "typed-dict":
        return st.fixed_dictionaries(
            {k: _good(f["schema"], k, defs, depth) for k, f in schema["fields"].items()
             if f["required"]},
            optional={k: _good(f["schema"], k, defs, depth) for k, f in schema["fields"].items()
                      if not f["required"]})
    if kind in ("function-before", "function-after"):
        return _good(schema["schema"], name, defs, depth)
    if kind in ("int", "float", "decimal"):
        bounds = [Decimal(str(b["$decimal"] if isinstance(b, dict) else b))
                  for key, b in schema.items() if key in ("gt", "ge", "lt", "le")]
        edges = [b + d for b in bounds for d in (Decimal("-0.001"), 0, Decimal("0.001"))]
        values = [*NUMBERS, *edges, *CONFIG_VALUES.get(name, [])]
        if kind == "int":
            values = [int(v) for v in values if isinstance(v, int | Decimal) and v == int(v)]
        if kind == "float":
            values += ["5s", "250ms", "1m"]
        return st.sampled_from(values)
    if kind == "str":
        texts = [v for v in CONFIG_VALUES.get(name, []) if isinstance(v, str)]
        pattern = schema.get("pattern")
        generated = (st.from_regex(pattern, fullmatch=True) if pattern else st.text(max_size=8))
        return st.one_of(st.sampled_from(texts), generated) if texts else generated
    if kind == "bool":
        return st.booleans()
    return st.sampled_from(HOSTILE)


def _indexed_ids() -> list[str]:
    """One id per acceptance schema of the committed index (the tests use a fresh one)."""
    raw = Index.load().indexes[0]
    seen: set[str] = set()
    chosen = []
    for cid, key in sorted(raw["components"].items()):
        entry = raw["entries"][key]
        if entry["args"] is not None and not entry["checks"] and entry["args"] not in seen:
            seen.add(entry["args"])
            chosen.append(cid)
    return chosen


def _accepts(check: Any) -> bool:
    """Whether validation passes, an error about an unset ``!env`` value not counting
    (plain validation tolerates it)."""
    try:
        check()
    except ValidationError as exc:
        return all(isinstance(error.get("input"), MissingEnv) and
                   error["type"] != "extra_forbidden" for error in exc.errors())
    return True


def args_for(component_id: str, index: Index, data: st.DataObject) -> dict[str, Any]:
    """Args for ``component_id``: shaped by its schema, some values made hostile, an
    unknown arg now and then."""
    raw = index.indexes[0]
    schema = raw["schemas"][(index.entry(component_id) or {})["args"]]
    drawn = data.draw(_good(schema, "", {}))
    args: dict[str, Any] = drawn if isinstance(drawn, dict) else {}
    for name in list(args):
        if data.draw(st.integers(0, 7)) == 0:
            args[name] = data.draw(st.sampled_from(HOSTILE))
    if data.draw(st.integers(0, 9)) == 0:
        args[data.draw(st.sampled_from(["extra", "symbol", "interval"]))] = "x"
    return args


@pytest.mark.parametrize("component_id", _indexed_ids())
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_an_acceptance_schema_accepts_exactly_what_the_args_model_accepts(
    component_id: str, index: Index, data: st.DataObject
) -> None:
    registry = Registry.default()
    stands = _stands(index)
    args = args_for(component_id, index, data)
    placeholders = {interface: Placeholder(interface, cid, registry.resolve(cid))
                    for interface, cid in stands.items()}
    fast_stands = {interface: _Stand(interface, cid, frozenset(
        (index.entry(cid) or {"provides": []})["provides"])) for interface, cid in stands.items()}
    model = registry.resolve(component_id).Args
    full = _accepts(lambda: model.model_validate(args, context={REFS_CONTEXT: placeholders}))
    fast = _accepts(lambda: index.validator(index.entry(component_id) or {}).validate_python(
        args, context={REFS_CONTEXT: fast_stands}))
    assert fast == full, args


# --- the rules of the translation ----------------------------------------------------------


class _Checked(BaseModel):
    low: ExactDecimal

    @model_validator(mode="after")
    def _positive(self) -> _Checked:
        return self


def test_a_model_validator_cannot_be_translated() -> None:
    with pytest.raises(Unsupported, match=r"_Checked\._positive"):
        Translator()(_Checked.__pydantic_core_schema__)


def test_two_bounds_on_one_number_keep_the_tighter_one(index: Index) -> None:
    raw = index.indexes[0]
    schema = raw["schemas"][raw["entries"][raw["components"]["arbitrage"]]["args"]]
    slippage = schema["fields"]["max_slippage"]["schema"]["schema"]["schema"]
    assert (slippage["ge"], slippage["le"]) == (0, 1)  # Rate's ge=-1 gave way to ge=0


def test_a_symbol_is_checked_by_its_declared_pattern(index: Index) -> None:
    validator = index.validator(index.entry("arbitrage.adapters.cex") or {})
    stands = {"x": _Stand("x", "e", frozenset({"schemas._exchange:Exchange"}))}
    validator.validate_python({"exchange": Ref("x"), "symbol": "BTC/USDT"},
                              context={REFS_CONTEXT: stands})
    with pytest.raises(ValidationError):
        validator.validate_python({"exchange": Ref("x"), "symbol": "BTCUSDT"},
                                  context={REFS_CONTEXT: stands})


def test_a_symbol_with_a_trailing_newline_is_refused_by_both_paths(index: Index) -> None:
    from schemas import Symbol

    with pytest.raises(ValueError, match="whitespace"):
        Symbol("BTC/USDT\n")
    validator = index.validator(index.entry("arbitrage.adapters.cex") or {})
    stands = {"x": _Stand("x", "e", frozenset({"schemas._exchange:Exchange"}))}
    with pytest.raises(ValidationError):
        validator.validate_python({"exchange": Ref("x"), "symbol": "BTC/USDT\n"},
                                  context={REFS_CONTEXT: stands})

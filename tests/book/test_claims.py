"""The claim mechanism of the core (fortuna/_internal/book.py), without trading knowledge,
and the facts the plugins' claims rest on (id owners, the pinned rate limits)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from pydantic import SecretStr

from fortuna import Claim, Node, Registry, View, validate
from fortuna._internal.book import Held, conflicts
from fortuna._internal.findings import Position
from plugins.exchanges.ccxt.rates import PINNED, pinned_rate_limits
from plugins.prices.fixed import FixedPrice
from schemas import ClientIdFormat
from tests.checks.base import BASE, planted
from tests.conftest import REPO


def held(source: str, claim: Claim, line: int = 1) -> Held:
    return Held(claim, source, "components.x.args.y", Position(line, 3))


def test_an_exclusive_claim_of_two_mandates_is_a_finding_at_each_naming_the_other() -> None:
    claim = Claim("kind", "k", "the thing", why="they clash")
    findings = conflicts([held("a.yaml", claim, 4), held("b.yaml", claim, 9)])
    assert [str(f) for f in findings] == [
        "a.yaml:4:3: components.x.args.y: the thing is also held by b.yaml:9:3 (kind): "
        "they clash",
        "b.yaml:9:3: components.x.args.y: the thing is also held by a.yaml:4:3 (kind): "
        "they clash"]


def test_claims_of_one_mandate_never_conflict_with_each_other() -> None:
    claim = Claim("kind", "k", "the thing")
    assert conflicts([held("a.yaml", claim, 4), held("a.yaml", claim, 9)]) == []


def test_equal_keys_of_different_kinds_do_not_conflict() -> None:
    assert conflicts([held("a.yaml", Claim("one", "k", "x")),
                      held("b.yaml", Claim("two", "k", "x"))]) == []


def test_a_finding_names_three_other_mandates_then_how_many_more() -> None:
    claim = Claim("kind", "k", "x")
    findings = conflicts([held(f"{n}.yaml", claim) for n in range(6)])
    assert findings[0].message == ("x is also held by 1.yaml:1:3, 2.yaml:1:3, 3.yaml:1:3 "
                                   "and 2 more (kind)")


def test_budget_shares_within_the_smallest_limit_are_no_conflict() -> None:
    share = Claim("rate", "k", "x", use=5.0, limit=10.0, unit="r/s")
    assert conflicts([held("a.yaml", share), held("b.yaml", share)]) == []


def test_budget_shares_over_the_smallest_limit_conflict_with_each_share() -> None:
    findings = conflicts([
        held("a.yaml", Claim("rate", "k", "x", use=5.0, limit=12.0, unit="r/s")),
        held("b.yaml", Claim("rate", "k", "x", use=6.0, limit=10.0, unit="r/s"))])
    assert findings[1].message == ("x: rate: the 2 mandates sharing it use 11 r/s together, "
                                   "over its limit of 10 r/s (this one 6; a.yaml:1:3 (5))")


def broken(node: Node, view: View) -> Iterator[Claim]:
    raise KeyError("a bug in a plugin's claims")


class Broken(FixedPrice):
    book_claims: ClassVar[tuple[str, ...]] = ("tests.book.test_claims:broken",)


def test_a_claim_function_that_raises_is_a_finding_naming_it(tmp_path: Path) -> None:
    registry = Registry.from_entry_points()
    registry.register("test.price", Broken)
    path = tmp_path / "mandate.yaml"
    path.write_text(planted(BASE, ('    id: prices.ticker\n    args: {exchange: "@sim", '
                                   'symbol: "@symbol", side: mid}',
                                   "    id: test.price\n    args: {price: 65000}")))
    report = validate(path, registry=registry)
    assert [(f.path, f.message) for f in report.findings] == [(
        "components.reference",
        "book claims tests.book.test_claims:broken failed: KeyError: \"a bug in a plugin's "
        "claims\"")]


def node(value: object, env: dict[tuple[str | int, ...], str] | None = None,
         unset: frozenset[tuple[str | int, ...]] = frozenset()) -> Node:
    class Args:
        key = value
    return Node("venue", "test.venue", Args(), object, env or {}, unset)


def test_an_identity_tells_equal_values_apart_from_others_without_showing_them() -> None:
    one = node(SecretStr("value-1"), {("key",): "A"}).identity("key")
    same = node(SecretStr("value-1"), {("key",): "B"}).identity("key")
    other = node("value-2").identity("key")
    assert one is not None
    assert same is not None
    assert other is not None
    assert one.key == same.key != other.key
    assert (one.label, other.label) == ("!env A", "the key written in the file")
    assert "value" not in one.key + one.label + other.key + other.label


def test_an_unset_variable_is_known_by_its_name() -> None:
    identity = node("<stand-in>", {("key",): "A"}, frozenset({("key",)})).identity("key")
    assert identity is not None
    assert identity.key == identity.label == "!env A"


def test_an_id_belongs_to_the_prefix_before_its_last_two_separators() -> None:
    dashed = ClientIdFormat()
    lettered = ClientIdFormat(max_length=32, characters="A-Za-z0-9", separator="Z")
    assert dashed.owner(dashed.issue("mm1", 123, 4)) == "mm1"
    assert dashed.owner("fortuna0f3a9c") is None
    assert lettered.owner("mmZ1Z0f3a9c") == "mm"
    assert lettered.owns("mm", "mmZ1Z0f3a9c")
    assert not lettered.owns("mm", "mmZ1")


def test_the_pinned_rate_limits_are_those_of_the_installed_ccxt() -> None:
    result = subprocess.run([sys.executable, "-m", "plugins.exchanges.ccxt.rates"],
                            capture_output=True, text=True, cwd=REPO, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout == PINNED.read_text(encoding="utf-8"), (
        "ccxt's rate limits changed: .venv/bin/python -m plugins.exchanges.ccxt.rates > "
        "plugins/exchanges/ccxt/rate_limits.txt")
    assert pinned_rate_limits()["binance"] == 50

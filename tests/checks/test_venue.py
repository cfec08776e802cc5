"""Venue capabilities and client-order-id format, against what the service and executor need.

The venues are the real sim with the capability profile (the ccxt tuned venues' table
type) or client-id format a venue would declare: the sim itself declares neither.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import schemas
from fortuna import Registry, Report, validate
from plugins.exchanges.ccxt.capabilities import (
    CancelAll,
    ClientIds,
    ClosedOrders,
    OpenOrders,
    PostOnly,
    Profile,
)
from plugins.exchanges.sim.venue import SimExchange
from tests.checks.base import BASE, only, planted


class LocalIdsSim(SimExchange):
    """A sim whose table says client order ids are only remembered in memory."""

    profile: ClassVar[Profile] = Profile(
        ClosedOrders.NATIVE, OpenOrders.NATIVE, CancelAll.NATIVE, ClientIds.LOCAL)


class NoClosedOrdersSim(SimExchange):
    """A sim whose table says closed orders cannot be listed."""

    profile: ClassVar[Profile] = Profile(ClosedOrders.NONE, OpenOrders.NATIVE, CancelAll.NATIVE)


class NoPostOnlySim(SimExchange):
    """A sim whose table says post-only orders are not taken (as lbank's does)."""

    profile: ClassVar[Profile] = Profile(
        ClosedOrders.NATIVE, OpenOrders.NATIVE, CancelAll.NATIVE, post_only=PostOnly.NONE)


def check_with(tmp_path: Path, text: str, venue: type[SimExchange]) -> Report:
    registry = Registry.from_entry_points()
    registry.register("test.sim", venue)
    path = tmp_path / "mandate.yaml"
    path.write_text(text.replace("id: exchanges.sim", "id: test.sim"), encoding="utf-8")
    return validate(path, registry=registry)


def test_adopting_orders_needs_client_ids_the_venue_keeps(tmp_path: Path) -> None:
    text = planted(BASE, ("interval: 1s", "interval: 1s\n      on_start: adopt"))
    finding = only(check_with(tmp_path, text, LocalIdsSim))
    assert finding.path == "components.mm.args.on_start"
    assert finding.message == (
        'on_start: adopt finds an earlier run\'s orders by their client order ids, but "sim" '
        "(test.sim) keeps client order ids only in memory (emulated locally): use "
        "on_start: cancel")


def test_cancelling_at_start_needs_no_kept_client_ids(tmp_path: Path) -> None:
    assert check_with(tmp_path, BASE, LocalIdsSim).findings == []


def test_a_venue_without_closed_orders_warns_that_fills_go_unreported(tmp_path: Path) -> None:
    finding = only(check_with(tmp_path, BASE, NoClosedOrdersSim))
    assert (finding.severity, finding.path) == ("warning", "components.mm.args.executor")
    assert "cannot list closed orders" in finding.message


def test_a_mandate_name_the_venues_client_ids_cannot_carry_is_an_error(tmp_path: Path) -> None:
    form = schemas.ClientIdFormat(max_length=32, characters="A-Za-z0-9",
                                  description="letters and digits", separator="Z")

    class AlphanumericIdsSim(SimExchange):
        client_id_format = form

    text = planted(BASE, ("mandate: checks", "mandate: mm_checks"))
    finding = only(check_with(tmp_path, text, AlphanumericIdsSim))
    assert finding.path == "components.mm.args.mandate"
    assert finding.message.startswith(
        "the mandate name prefixes every client order id, and the venue refuses it: the "
        "prefix 'mm_checks' cannot make client order ids")
    assert check_with(tmp_path, BASE, AlphanumericIdsSim).findings == []


def test_a_post_only_executor_needs_a_venue_that_takes_post_only_orders(tmp_path: Path) -> None:
    text = planted(BASE, ("id: market_making.executors.exchange",
                          "id: market_making.executors.exchange\n    args: {post_only: true}"))
    finding = only(check_with(tmp_path, text, NoPostOnlySim))
    assert (finding.severity, finding.path) == ("error", "components.executor.args.post_only")
    assert finding.message == (
        '"sim" (test.sim) does not take post-only orders, so every post-only order would be '
        "refused before it is sent: set post_only: false, or quote on a venue that takes them")


def test_an_executor_sending_ordinary_orders_needs_no_post_only(tmp_path: Path) -> None:
    assert check_with(tmp_path, BASE, NoPostOnlySim).findings == []


XEMM = """\
service: "@xemm"
components:
  clock: {id: clock.virtual}
  maker:
    id: exchanges.sim
    args: {markets: [{symbol: BTC/USDT, price: 100}], balances: {USDT: 100000, BTC: 2}}
  taker:
    id: exchanges.sim
    args: {markets: [{symbol: BTC/USDT, price: 100}], balances: {USDT: 100000, BTC: 2}}
  xemm:
    id: market_making.xemm
    args: {maker: "@maker", taker: "@taker", symbol: BTC/USDT, amount: 0.01,
           min_profitability: 0.003, mandate: xemm, interval: 1s}
"""


def test_cross_venue_quoting_needs_a_maker_venue_that_takes_post_only_orders(
    tmp_path: Path,
) -> None:
    registry = Registry.from_entry_points()
    registry.register("test.sim", NoPostOnlySim)
    path = tmp_path / "mandate.yaml"
    path.write_text(XEMM.replace("id: exchanges.sim\n    args: {markets: [{symbol: BTC/USDT, "
                                 "price: 100}], balances: {USDT: 100000, BTC: 2}}\n  taker",
                                 "id: test.sim\n    args: {markets: [{symbol: BTC/USDT, "
                                 "price: 100}], balances: {USDT: 100000, BTC: 2}}\n  taker"),
                    encoding="utf-8")
    finding = only(validate(path, registry=registry))
    assert finding.path == "components.xemm.args.maker"
    assert "does not take post-only orders" in finding.message
    assert finding.message.endswith("quote on a venue that does")


def test_cross_venue_quoting_on_venues_taking_post_only_orders_is_clean(tmp_path: Path) -> None:
    path = tmp_path / "mandate.yaml"
    path.write_text(XEMM, encoding="utf-8")
    assert validate(path).findings == []

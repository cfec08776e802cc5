"""A member without a tuned subclass: its profile comes from ccxt's metadata at load."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from plugins.exchanges.ccxt.component import CcxtExchange
from plugins.exchanges.ccxt.venues import TUNED
from schemas import OrderRejected, OrderRequest
from tests.ccxt.conftest import VenueFactory

FAST = {"rate_limit": 0.001}


def buy(amount: str, price: str, post_only: bool = False) -> OrderRequest:
    return OrderRequest(symbol="BTC/USDT", side="buy", amount=Decimal(amount),
                        price=Decimal(price), post_only=post_only)


async def test_untuned_venue_works_from_ccxt_metadata_alone(
    venue_factory: VenueFactory,
) -> None:
    """A generic member (profile derived at load) against the same stand-in: all-markets
    calls still work, falling back to per-symbol loops where ccxt asks for a symbol."""
    generic = type("GenericBinance", (CcxtExchange,), {"exchange_id": "binance"})
    options = dict(TUNED["binance"].default_options)
    exchange, standin = await venue_factory("binance", options=options, **FAST)
    plain_one = generic(exchange.args)
    await plain_one.load()
    try:
        assert plain_one.profile is None
        placed = await plain_one.create_order(buy("0.01", "30000"))
        await plain_one.create_order(buy("0.01", "29000"))
        standin.ledger.fill(standin.ledger_id(placed.id))
        assert [o.id for o in await plain_one.fetch_closed_orders()] == [placed.id]
        assert len(await plain_one.fetch_open_orders()) == 1
        await plain_one.cancel_all_orders()
        assert await plain_one.fetch_open_orders() == []
    finally:
        await plain_one.unload()


async def test_time_in_force_the_venue_lacks_is_refused_before_the_wire(
    venue_factory: VenueFactory,
) -> None:
    exchange, standin = await venue_factory("binance", **FAST)
    features = copy.deepcopy(exchange.client.features)
    features["spot"]["createOrder"]["timeInForce"]["PO"] = False
    exchange.client.features = features
    with pytest.raises(OrderRejected) as refused:
        await exchange.create_order(buy("0.01", "30000", post_only=True))
    assert refused.value.code == "unsupported"
    assert standin.creates() == []

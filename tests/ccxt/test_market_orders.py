"""Market orders are sized in the base currency on the wire, whatever reference price the
notional check used (ccxt would otherwise turn the price into a quote-currency size)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from schemas import OrderRequest, OrderStatus
from tests.ccxt.conftest import VenueFactory

D = Decimal
FAST = {"rate_limit": 0.001}

pytestmark = pytest.mark.parametrize("venue", ["binance", "mexc"])


@pytest.mark.parametrize("side", ["buy", "sell"])
async def test_market_order_goes_on_the_wire_as_a_base_quantity(
    venue: str, side: str, venue_factory: VenueFactory
) -> None:
    exchange, standin = await venue_factory(venue, **FAST)
    order = await exchange.create_order(OrderRequest(
        symbol="BTC/USDT", side=side, type="market", amount=D("0.01"),
        price=D("30000")))
    sent = standin.creates()[-1]
    fields = {**sent.query, **sent.form}
    assert "quoteOrderQty" not in fields
    assert fields.get("quantity") == "0.01"
    assert "price" not in fields
    assert order.amount == D("0.01")
    assert order.status is OrderStatus.CLOSED

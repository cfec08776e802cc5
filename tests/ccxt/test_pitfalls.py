"""The two ccxt pitfalls the exact layer designs around, verified on the installed ccxt,
and the layer's answer to each."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from plugins.exchanges.ccxt.exact import exact_class
from tests.ccxt.conftest import new_ledger
from tests.ccxt.standins.binance import BinanceStandIn

D = Decimal


def binance_market(number: Any) -> Any:
    import ccxt.async_support as ccxt_async

    client = ccxt_async.binance({"apiKey": "k", "secret": "s"})
    client.number = number
    client.options["crossMarginPairsData"] = []
    client.options["isolatedMarginPairsData"] = []
    info = BinanceStandIn(new_ledger()).exchange_info()["symbols"][0]
    client.set_markets([client.parse_market(info)])
    return client


async def wire_of(client: Any) -> dict[str, Any]:
    sent: dict[str, Any] = {}

    async def capture(path: Any, api: Any = "public", method: str = "GET",
                      params: Any = None, headers: Any = None, body: Any = None,
                      config: Any = None) -> Any:
        sent.update(params or {})
        return {"symbol": "BTCUSDT", "orderId": 1, "status": "NEW", "side": "BUY",
                "type": "LIMIT", "origQty": "1", "price": "1", "executedQty": "0"}

    client.fetch2 = capture
    try:
        await client.create_order("BTC/USDT", "limit", "buy", D("0.123456789"),
                                  D("30000.123456"))
    finally:
        await client.close()
    return {"quantity": sent.get("quantity"), "price": sent.get("price")}


async def test_pitfall_decimal_number_mode_sends_unrounded_floats() -> None:
    wire = await wire_of(binance_market(Decimal))
    assert wire == {"quantity": 0.123456789, "price": 30000.123456}
    assert isinstance(wire["price"], float)


async def test_pitfall_default_mode_parses_book_levels_as_floats_whatever_number_says() -> None:
    import ccxt.async_support as ccxt_async

    client = ccxt_async.binance()
    client.number = str
    book = client.parse_order_book({"bids": [["30000.12345678", "0.1"]], "asks": []}, "BTC/USDT")
    await client.close()
    assert isinstance(book["bids"][0][0], float)


async def test_exact_class_parses_book_levels_as_the_venue_text() -> None:
    client = exact_class("binance")()
    client.number = str
    book = client.parse_order_book({"bids": [["30000.12345678", "0.1"]], "asks": []}, "BTC/USDT")
    await client.close()
    assert book["bids"] == [["30000.12345678", "0.1"]]


@pytest.mark.parametrize("side", [
    [["30000.1", "0.5"], ["30000", "2"]], [["30000.1", 2]], [["30000.1", ""]],
    [[30000.5, "1"]], [["1"]], [None], [{"0": "1"}], [["2", "3", "9"]], [],
    {"a": ["1", "2"]}, [[type("Text", (str,), {})("30000.1"), "1"]],
], ids=["texts", "int", "empty text", "float", "short level", "None", "dict level",
        "extra field", "empty side", "dict side", "str subclass"])
async def test_exact_class_parses_a_side_as_its_level_parser_does_level_by_level(
    side: Any,
) -> None:
    client = exact_class("binance")()
    client.number = str
    levels = client.to_array(side)
    expected = [client.parse_order_book_bid_ask(level) for level in levels]
    assert client.parse_order_book_bids_asks(side) == expected
    await client.close()


def test_a_venue_with_a_side_parser_of_its_own_keeps_it() -> None:
    import ccxt.pro as ccxt_pro

    cls = exact_class("luno", pro=True)
    assert cls.parse_order_book_bids_asks is ccxt_pro.luno.parse_order_book_bids_asks


async def test_exact_class_passes_quantized_strings_to_the_wire_unchanged() -> None:
    import ccxt.async_support as ccxt_async

    client = exact_class("binance")({"apiKey": "k", "secret": "s"})
    client.number = str
    client.options["crossMarginPairsData"] = []
    client.options["isolatedMarginPairsData"] = []
    info = BinanceStandIn(new_ledger()).exchange_info()["symbols"][0]
    client.set_markets([client.parse_market(info)])
    assert isinstance(client, ccxt_async.binance)
    client.create_order_wire = None
    sent: dict[str, Any] = {}

    async def capture(path: Any, api: Any = "public", method: str = "GET",
                      params: Any = None, headers: Any = None, body: Any = None,
                      config: Any = None) -> Any:
        sent.update(params or {})
        return {"symbol": "BTCUSDT", "orderId": 1, "status": "NEW"}

    client.fetch2 = capture
    await client.create_order("BTC/USDT", "limit", "sell", "0.12345", "30000.13")
    await client.close()
    assert (sent["quantity"], sent["price"]) == ("0.12345", "30000.13")



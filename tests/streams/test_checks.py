"""Validation of ``requote_on``: a venue that does not stream the updates is named."""

from __future__ import annotations

from typing import Any

import pytest

from fortuna import validate
from tests.market_making.mandates import mandate, sim

BINANCE = {"id": "exchanges.ccxt.binance", "args": {}}


def on_binance(stream: dict[str, Any], **service: Any) -> dict[str, Any]:
    spec = mandate(**service)
    spec["components"]["sim"] = {**BINANCE, "args": {"stream": stream}}
    return spec


def warnings(spec: dict[str, Any]) -> list[str]:
    report = validate(spec)
    assert report.errors == []
    return [f.message for f in report.warnings if "requote_on" in f.message]


def test_requote_on_a_sim_without_streams_is_a_warning_naming_the_setting() -> None:
    found = warnings(mandate(requote_on=["book", "fill"]))
    assert found == ['requote_on book, fill: the venue "sim" does not stream them, so the '
                     "service keeps to its tick (give sim stream: true)"]


def test_requote_on_a_streaming_sim_is_valid() -> None:
    assert warnings(mandate(venue=sim(stream=True), requote_on=["book", "fill"])) == []


def test_requote_on_fills_of_a_ccxt_venue_streaming_only_its_book_is_a_warning() -> None:
    found = warnings(on_binance({"order_book": True}, requote_on=["book", "fill"]))
    assert found == ['requote_on fill: the venue "sim" does not stream it, so the service '
                     "keeps to its tick (give sim stream.orders: true)"]


def test_requote_on_a_ccxt_venue_streaming_both_is_valid() -> None:
    assert warnings(on_binance({"order_book": True, "orders": True},
                               requote_on=["book", "fill"])) == []


def test_requote_on_an_unknown_update_is_an_error_at_the_arg() -> None:
    report = validate(mandate(requote_on=["ticker"]))
    assert any("requote_on" in str(f) for f in report.errors)


def test_a_stream_backoff_longer_than_its_maximum_is_capped_by_it() -> None:
    from plugins.exchanges.ccxt.streams.hub import first_wait
    from plugins.exchanges.ccxt.streams.settings import StreamSettings

    assert validate(on_binance({"reconnect_backoff": "1m", "reconnect_max": "10s"})).errors == []
    assert first_wait(StreamSettings(reconnect_backoff=60, reconnect_max=10)) == 10
    assert first_wait(StreamSettings(reconnect_backoff=0.5, reconnect_max=10)) == 0.5


async def test_streams_on_a_venue_ccxt_cannot_stream_are_refused_at_load() -> None:
    from plugins.exchanges.ccxt.family import FAMILY
    from schemas import NotSupported

    cls = FAMILY.resolve("bitbank")  # in ccxt, not in ccxt.pro
    exchange = cls(cls.Args(stream={"order_book": True}))
    with pytest.raises(NotSupported, match="bitbank has no websocket streams in ccxt"):
        await exchange.load()

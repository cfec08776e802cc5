"""Every stand-in, by ccxt exchange id."""

from __future__ import annotations

from tests.ccxt.standins.base import StandIn
from tests.ccxt.standins.binance import BinanceStandIn
from tests.ccxt.standins.bitstamp import BitstampStandIn
from tests.ccxt.standins.gate import GateStandIn
from tests.ccxt.standins.kraken import KrakenStandIn
from tests.ccxt.standins.mexc import MexcStandIn
from tests.ccxt.standins.okx import OkxStandIn

STANDINS: dict[str, type[StandIn]] = {
    "binance": BinanceStandIn,
    "bitstamp": BitstampStandIn,
    "gate": GateStandIn,
    "kraken": KrakenStandIn,
    "mexc": MexcStandIn,
    "okx": OkxStandIn,
}

"""The exchanges.ccxt.* family: every installed ccxt exchange, cheaply listed."""

from __future__ import annotations

import subprocess
import sys

import pytest

from fortuna import Registry
from plugins.exchanges.ccxt.args import CcxtArgs
from plugins.exchanges.ccxt.component import CcxtExchange
from plugins.exchanges.ccxt.family import FAMILY, installed_exchange_ids
from plugins.exchanges.ccxt.venues import TUNED
from tests.ccxt.conftest import VenueFactory


def test_members_list_every_installed_exchange_without_importing_ccxt() -> None:
    code = (
        "import sys\n"
        "from plugins.exchanges.ccxt.family import FAMILY\n"
        "members = FAMILY.members()\n"
        "assert 'ccxt' not in sys.modules, 'ccxt was imported'\n"
        "print(len(members))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert int(result.stdout) > 100


def test_members_match_ccxt_exchange_list() -> None:
    import ccxt

    assert set(installed_exchange_ids()) == set(ccxt.exchanges)


def test_registry_resolves_an_exchange_id_from_the_entry_point() -> None:
    cls = Registry.default().resolve("exchanges.ccxt.binance")
    assert cls is TUNED["binance"]


def test_unknown_exchange_id_gets_a_suggestion() -> None:
    registry = Registry.default()
    assert "exchanges.ccxt.binanse" not in registry
    assert registry.suggest("exchanges.ccxt.binanse")[0] == "exchanges.ccxt.binance"


def test_untuned_exchange_resolves_to_a_generic_class_with_a_catalog_line() -> None:
    cls = FAMILY.resolve("alpaca")
    assert issubclass(cls, CcxtExchange)
    assert cls.exchange_id == "alpaca"
    assert (cls.__doc__ or "").startswith("alpaca through ccxt")
    assert FAMILY.resolve("alpaca") is cls


def test_tuned_venue_catalog_line_says_what_is_emulated() -> None:
    line = (FAMILY.resolve("binance").__doc__ or "").splitlines()[0]
    assert line.startswith("Binance through ccxt (tuned:")
    assert "closed orders emulated from all orders" in line


def test_every_member_shares_the_args_model() -> None:
    assert FAMILY.args_model() is CcxtArgs
    schema = CcxtArgs.model_json_schema()
    assert {"api_key", "secret", "sandbox", "options", "rate_limit"} <= set(schema["properties"])


def test_credentials_are_secret() -> None:
    args = CcxtArgs(api_key="k", secret="s")
    assert "s" not in repr(args.secret)
    assert args.secret is not None
    assert args.secret.get_secret_value() == "s"


def test_a_float_rate_limit_is_a_duration_not_money() -> None:
    assert CcxtArgs(rate_limit="250ms").rate_limit == pytest.approx(0.25)


async def test_unload_closes_the_ccxt_instance(venue_factory: VenueFactory) -> None:
    exchange, _ = await venue_factory("binance", rate_limit=0.001)
    client = exchange.client
    assert client.session is not None
    assert not client.session.closed
    await exchange.unload()
    assert client.session is None
    with pytest.raises(RuntimeError, match="not loaded"):
        _ = exchange.client


def test_rate_limit_and_credentials_reach_ccxt_config() -> None:
    cls = FAMILY.resolve("binance")
    assert issubclass(cls, CcxtExchange)
    exchange = cls(cls.Args(api_key="k", secret="s", rate_limit="250ms",
                            options={"recvWindow": 5000}))
    config = exchange.ccxt_config()
    assert config["enableRateLimit"] is True
    assert config["rateLimit"] == 250
    assert (config["apiKey"], config["secret"]) == ("k", "s")
    assert config["options"]["recvWindow"] == 5000
    assert config["options"]["fetchMarkets"] == {"types": ["spot"]}


def test_mandate_options_override_the_tuned_defaults() -> None:
    cls = FAMILY.resolve("binance")
    assert issubclass(cls, CcxtExchange)
    exchange = cls(cls.Args(options={"fetchMarkets": {"types": ["spot", "linear"]}}))
    assert exchange.ccxt_config()["options"]["fetchMarkets"] == {"types": ["spot", "linear"]}

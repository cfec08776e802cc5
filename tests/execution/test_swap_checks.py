"""Validation of the on-chain execution mandates, with no chain: a slippage budget that
leaves no room past the pool's fee is an error located at ``max_slippage``."""

from __future__ import annotations

from typing import Any

import pytest

from fortuna import validate

ADDRESS = "0x" + "11" * 20
TOKEN_A, TOKEN_B = "0x" + "22" * 20, "0x" + "33" * 20


def mandate(venue: dict[str, Any], max_slippage: str) -> dict[str, Any]:
    return {"service": "@twap", "components": {
        "chain": {"id": "exchanges.evm.chain",
                  "args": {"url": "http://127.0.0.1:8545", "chain_id": 31337}},
        "pool": venue,
        "eth": {"id": "prices.fixed", "args": {"price": 2000}},
        "twap": {"id": "execution.swap_twap", "args": {
            "venue": "@pool", "symbol": "WETH/USDC", "base": TOKEN_A, "quote": TOKEN_B,
            "native_price": "@eth", "side": "buy", "amount": 1, "window": "1h", "slices": 6,
            "interval": "10s", "mandate": "check", "max_slippage": max_slippage}}}}


V2 = {"id": "exchanges.evm.uniswap_v2",
      "args": {"chain": "@chain", "factory": ADDRESS, "router": ADDRESS}}
V3 = {"id": "exchanges.evm.uniswap_v3",
      "args": {"chain": "@chain", "factory": ADDRESS, "router": ADDRESS, "fee_tier": 10000}}


@pytest.mark.parametrize(("venue", "budget", "fee"), [(V2, "0.003", "0.003"),
                                                      (V3, "0.005", "0.01")],
                         ids=["uniswap_v2", "uniswap_v3"])
def test_a_budget_not_above_the_pools_fee_is_refused_at_max_slippage(
    venue: dict[str, Any], budget: str, fee: str
) -> None:
    findings = [str(f) for f in validate(mandate(venue, budget)).findings]
    assert len(findings) == 1, findings
    assert "components.twap.args.max_slippage" in findings[0]
    assert f"is not above the fee {fee} of \"pool\"'s pool" in findings[0]


def test_a_budget_above_the_pools_fee_validates() -> None:
    assert [str(f) for f in validate(mandate(V2, "0.0031")).findings] == []


def test_the_same_token_as_base_and_quote_is_refused() -> None:
    spec = mandate(V2, "0.01")
    spec["components"]["twap"]["args"]["quote"] = TOKEN_A.upper().replace("0X", "0x")
    findings = [str(f) for f in validate(spec).findings]
    assert len(findings) == 1, findings
    assert "base and quote are the same token" in findings[0]

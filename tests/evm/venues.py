"""Builders of the venues over the deployed world, and chain helpers for tests."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal
from typing import Any

from fortuna import Clock
from plugins.exchanges.evm.pancakeswap import PancakeSwap, PancakeSwapArgs
from plugins.exchanges.evm.quickswap_v3 import QuickSwapV3, QuickSwapV3Args
from plugins.exchanges.evm.uniswap_v2 import UniswapV2, UniswapV2Args
from plugins.exchanges.evm.uniswap_v3 import UniswapV3, UniswapV3Args
from schemas.swap import SwapRequest, SwapVenue, Token
from tests.evm.algebra import NPM_INIT_CODE_HASH
from tests.evm.conftest import PANCAKE_INIT_CODE_HASH, Parts, World, context

V2_KINDS = ["uniswap_v2", "pancakeswap"]


async def v2_venue(kind: str, world: World, parts: Parts | None, clock: Clock | None = None,
                   **extra: Any) -> UniswapV2:
    """A loaded venue of ``kind`` (read-only when ``parts`` has no wallet) on ``clock`` (a
    wall clock by default)."""
    common: dict[str, Any] = {"chain": world_chain(parts, extra)}
    if parts is not None:
        common.update(wallet=parts.wallet, gas=parts.gas)
    common.update(extra)
    venue: UniswapV2
    if kind == "uniswap_v2":
        venue = UniswapV2(UniswapV2Args(
            factory=world.v2_factory.address, router=world.v2_router.address, **common),
            context("uniswap_v2", clock))
    else:
        venue = PancakeSwap(PancakeSwapArgs(
            factory=world.pancake_factory.address, router=world.pair_router.address,
            router_kind="pair_router", init_code_hash=PANCAKE_INIT_CODE_HASH,
            fee=Decimal("0.002"), **common), context("pancakeswap", clock))
    await venue.load()
    return venue


async def v3_venue(world: World, parts: Parts, quotes: str = "local",
                   **extra: Any) -> UniswapV3:
    """A loaded Uniswap v3 venue quoting ``quotes`` (local math or the QuoterV2)."""
    venue = UniswapV3(UniswapV3Args(
        chain=parts.chain, wallet=parts.wallet, gas=parts.gas, factory=world.v3_factory.address,
        router=world.v3_router.address, quoter=world.v3_quoter.address, quotes=quotes,
        **extra), context(f"uniswap_v3_{quotes}"))
    await venue.load()
    return venue


async def algebra_venue(world: World, parts: Parts, **extra: Any) -> QuickSwapV3:
    """A loaded QuickSwap v3 (Algebra) venue over the npm build of Algebra's pools."""
    args: dict[str, Any] = {
        "chain": parts.chain, "wallet": parts.wallet, "gas": parts.gas,
        "pool_deployer": world.algebra.pool_deployer.address,
        "router": world.algebra.router.address, "quoter": world.algebra.quoter.address,
        "init_code_hash": NPM_INIT_CODE_HASH}
    args.update(extra)
    venue = QuickSwapV3(QuickSwapV3Args(**args), context("quickswap_v3"))
    await venue.load()
    return venue


def world_chain(parts: Parts | None, extra: dict[str, Any]) -> Any:
    if "chain" in extra:
        return extra.pop("chain")
    assert parts is not None
    return parts.chain


async def tokens(venue: SwapVenue, world: World) -> tuple[Token, Token]:
    """(USDC, WETH) as the venue reads them from the chain."""
    return await asyncio.gather(venue.token(world.usdc.address), venue.token(world.weth.address))


def deadline(venue: Any, minutes: int = 5) -> Any:
    return venue.clock.now() + timedelta(minutes=minutes)


def with_limit(request: SwapRequest, limit: Decimal) -> SwapRequest:
    return request.model_copy(update={"limit": limit})

"""What Uniswap v3 and QuickSwap v3 (Algebra) share: the router's refusals, with its reason."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from fortuna import Context
from fortuna._internal.clock import VirtualClock, VirtualClockArgs
from plugins.exchanges.evm._venue import EvmSwapVenue
from schemas.swap import DeadlineExpired, SlippageExceeded, SwapKind
from tests.evm.conftest import Parts, World
from tests.evm.venues import algebra_venue, deadline, tokens, v3_venue, with_limit

Builder = Callable[[World, Parts], Awaitable[EvmSwapVenue[Any]]]
VENUES = pytest.mark.parametrize("build", [v3_venue, algebra_venue],
                                 ids=["uniswap_v3", "quickswap_v3"])


@VENUES
async def test_an_exact_in_swap_below_its_minimum_is_refused_with_the_routers_reason(
    world: World, parts: Parts, build: Builder
) -> None:
    venue = await build(world, parts)
    usdc, weth = await tokens(venue, world)
    quote = await venue.quote(SwapKind.EXACT_IN, weth, usdc, Decimal(1))
    request = with_limit(quote.request(Decimal(0), deadline(venue)),
                         quote.amount_out + Decimal("0.000001"))
    with pytest.raises(SlippageExceeded, match="Too little received"):
        await venue.swap(request)


@VENUES
async def test_a_swap_past_the_chains_deadline_reports_the_routers_reason(
    world: World, parts: Parts, build: Builder
) -> None:
    venue = await build(world, parts)
    venue.context.clock = VirtualClock(
        VirtualClockArgs(start=datetime.now(UTC) - timedelta(hours=1)), Context(name="clock"))
    usdc, weth = await tokens(venue, world)
    quote = await venue.quote(SwapKind.EXACT_IN, usdc, weth, Decimal(10))
    with pytest.raises(DeadlineExpired, match="Transaction too old"):
        await venue.swap(quote.request(Decimal("0.01"), deadline(venue)))

"""exchanges.solana.jupiter against LiteSVM and Jupiter's stand-in: quotes, swaps, refusals."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from schemas.swap import SwapKind
from tests.solana.conftest import World


async def test_exact_in_swap_moves_balances_by_the_quoted_amounts(world: World) -> None:
    venue = await world.venue()
    usdc, sol = await venue.token(str(world.usdc)), await venue.token(str(world.wsol))
    quote = await venue.quote(SwapKind.EXACT_IN, usdc, sol, Decimal("100"))
    before_usdc, before_sol = await venue.balance(usdc), await venue.balance(sol)
    request = quote.request(Decimal("0.01"), venue.clock.now() + timedelta(seconds=60))
    receipt = await venue.swap(request)
    assert receipt.amount_in == Decimal("100")
    assert receipt.amount_out == quote.amount_out
    assert await venue.balance(usdc) == before_usdc - Decimal("100")
    assert await venue.balance(sol) == before_sol + quote.amount_out

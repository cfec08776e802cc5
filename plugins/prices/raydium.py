"""``prices.raydium``: a Raydium AMM v4 pool's mid price read straight from its accounts.

One ``getMultipleAccounts`` reads, at one slot, the pool's state account, its two vaults
(SPL token accounts) and its two mints. The state is the AMM v4 program's ``AmmInfo``
(``#[repr(C, packed)]``, 752 bytes, little-endian): sixteen u64 (status, nonce, order_num,
depth, coin_decimals, pc_decimals, state, reset_flag, min_size, vol_max_cut_ratio,
amount_wave, coin_lot_size, pc_lot_size, min/max_price_multiplier, sys_decimal_value) at
0..128, ``Fees`` (eight u64) at 128..192, ``OutPutData`` from 192 (``need_take_pnl_coin``
at 192, ``need_take_pnl_pc`` at 200, ...) to 336, then the keys: coin vault at 336, pc
vault at 368, coin mint at 400, pc mint at 432, ... and ``lp_amount`` at 720.

Each side's reserve is its vault's amount net of the PnL the pool owes its owner
(``need_take_pnl``), as the program itself counts it; the mid price is the pc reserve over
the coin reserve in whole tokens (decimals read from the mints), inverted when ``base`` is
the pc mint, to 34 significant digits. It is stamped with the slot and the time of the
read (the RPC gives no block time for a read).
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from pydantic import Field

from fortuna import Component, ComponentArgs
from plugins.exchanges.solana._spl import TOKEN_PROGRAMS, mint_decimals, token_account
from plugins.exchanges.solana.rpc import SolanaRpc
from plugins.prices._composite import from_venue
from plugins.prices._pool import pool_quote
from schemas import BadSymbol, ExchangeError, PriceProvider, PriceQuote, PriceUnavailable
from schemas.money import ratio
from schemas.swap import PoolPrice, Token

__all__ = ["AMM_V4_PROGRAM", "AMM_V4_SIZE", "AmmState", "RaydiumPrice", "RaydiumPriceArgs",
           "parse_amm_v4"]

AMM_V4_PROGRAM = "675kPX9MHTjS2zt1qfr1NYHuzeLXfQM9H24wFSUt1Mp8"
AMM_V4_SIZE = 752
_BASE58 = r"^[1-9A-HJ-NP-Za-km-z]{32,44}$"


class AmmState(NamedTuple):
    """What a price needs from an ``AmmInfo`` account."""

    status: int
    need_take_pnl_coin: int
    need_take_pnl_pc: int
    coin_vault: str
    pc_vault: str
    coin_mint: str
    pc_mint: str


def _u64(data: bytes, offset: int) -> int:
    return int.from_bytes(data[offset:offset + 8], "little")


def parse_amm_v4(data: bytes) -> AmmState:
    """The fields of a Raydium AMM v4 ``AmmInfo`` a price needs; ValueError when ``data``
    is not one."""
    from solders.pubkey import Pubkey

    if len(data) != AMM_V4_SIZE:
        raise ValueError(f"a Raydium AMM v4 pool account is {AMM_V4_SIZE} bytes, this one is "
                         f"{len(data)}")

    def key(offset: int) -> str:
        return str(Pubkey.from_bytes(data[offset:offset + 32]))

    return AmmState(status=_u64(data, 0), need_take_pnl_coin=_u64(data, 192),
                    need_take_pnl_pc=_u64(data, 200), coin_vault=key(336), pc_vault=key(368),
                    coin_mint=key(400), pc_mint=key(432))


class RaydiumPriceArgs(ComponentArgs):
    rpc: SolanaRpc = Field(description="the Solana RPC to read the pool from (@name)")
    pool: str = Field(pattern=_BASE58, description="the AMM v4 pool's state account, base58")
    base: str = Field(
        pattern=_BASE58, description="mint of the token priced; must be one of the pool's two"
    )
    program: str = Field(
        default=AMM_V4_PROGRAM, pattern=_BASE58,
        description="the program that must own the pool account (Raydium AMM v4 on mainnet: "
        "675kPX9MHTjS2zt1qfr1NYHuzeLXfQM9H24wFSUt1Mp8)",
    )


class RaydiumPrice(Component[RaydiumPriceArgs], PriceProvider):
    """Raydium AMM v4 pool's mid price from its state and vaults, net of pending PnL."""

    async def pool_price(self) -> PoolPrice:
        """The mid price with the pool and the slot it was read at."""
        args = self.args
        (pool,), _ = await args.rpc.accounts([args.pool])
        if pool is None or pool.owner != args.program:
            raise BadSymbol(f"{args.pool} is not an account of the program {args.program}",
                            venue=self.name)
        try:
            state = parse_amm_v4(pool.data)
        except ValueError as error:
            raise BadSymbol(f"{args.pool}: {error}", venue=self.name) from None
        if args.base not in (state.coin_mint, state.pc_mint):
            raise BadSymbol(f"the pool trades {state.coin_mint} and {state.pc_mint}, not the "
                            f"base {args.base}", venue=self.name)
        # Vaults and mints at one slot, so the two reserves belong together.
        accounts, slot = await args.rpc.accounts(
            [state.coin_vault, state.pc_vault, state.coin_mint, state.pc_mint])
        if any(a is None or a.owner not in TOKEN_PROGRAMS for a in accounts):
            raise ExchangeError(f"{args.pool}: a vault or a mint of the pool is missing",
                                venue=self.name)
        coin_vault, pc_vault, coin_mint, pc_mint = (a.data for a in accounts if a is not None)
        coin = token_account(coin_vault).amount - state.need_take_pnl_coin
        pc = token_account(pc_vault).amount - state.need_take_pnl_pc
        if coin <= 0 or pc <= 0:
            raise PriceUnavailable(f"{args.pool} holds no liquidity net of its pending PnL "
                                   f"(coin {coin}, pc {pc} units)", source=self.name)
        coin_token = Token(address=state.coin_mint, symbol=state.coin_mint[:6],
                           decimals=mint_decimals(coin_mint))
        pc_token = Token(address=state.pc_mint, symbol=state.pc_mint[:6],
                         decimals=mint_decimals(pc_mint))
        coin_amount, pc_amount = coin_token.from_units(coin), pc_token.from_units(pc)
        if args.base == state.coin_mint:
            base, quote, price = coin_token, pc_token, ratio(pc_amount, coin_amount)
        else:
            base, quote, price = pc_token, coin_token, ratio(coin_amount, pc_amount)
        return PoolPrice(pool=args.pool, base=base, quote=quote, price=price, block=slot,
                         timestamp=self.clock.now())

    async def _read(self) -> PoolPrice:
        return await from_venue(self.name, self.pool_price())

    async def price(self) -> Decimal:
        return (await self._read()).price

    async def quote(self) -> PriceQuote:
        return pool_quote(self.name, await self._read())


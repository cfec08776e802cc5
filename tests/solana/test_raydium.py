"""prices.raydium: an AMM v4 pool's accounts laid out byte for byte, priced exactly."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from plugins.exchanges.solana.rpc import SolanaRpc
from plugins.prices.raydium import AMM_V4_PROGRAM, RaydiumPrice, RaydiumPriceArgs, parse_amm_v4
from schemas import PriceUnavailable
from tests.solana.chain import LocalChain, rpc_app
from tests.solana.conftest import context, rpc_component, serve

AMM = Pubkey.from_string(AMM_V4_PROGRAM)


def amm_info(*, coin_vault: Pubkey, pc_vault: Pubkey, coin_mint: Pubkey, pc_mint: Pubkey,
             pnl_coin: int, pnl_pc: int, coin_decimals: int, pc_decimals: int) -> bytes:
    """A Raydium AMM v4 ``AmmInfo`` (752 bytes, packed, little-endian)."""
    def u64(value: int) -> bytes:
        return value.to_bytes(8, "little")

    head = [6, 254, 7, 3, coin_decimals, pc_decimals, 1, 0, 1, 500, 5_000_000, 1, 1, 1,
            1_000_000_000, 1_000_000]  # status .. sys_decimal_value
    fees = [1, 10, 25, 10_000, 12, 100, 25, 10_000]
    out_put = (u64(pnl_coin) + u64(pnl_pc) + u64(7) + u64(9) + u64(0) * 4
               + bytes(16) + bytes(16) + u64(0) + bytes(16) + bytes(16) + u64(0))
    keys = [coin_vault, pc_vault, coin_mint, pc_mint] + [Keypair().pubkey() for _ in range(8)]
    data = (b"".join(u64(v) for v in head) + b"".join(u64(v) for v in fees) + out_put
            + b"".join(bytes(k) for k in keys) + u64(123) + u64(0) + bytes(16))
    assert len(data) == 752
    return data


class Pool:
    def __init__(self, chain: LocalChain, *, coin: int, pc: int, pnl_coin: int,
                 pnl_pc: int) -> None:
        self.chain = chain
        self.coin_mint, self.pc_mint = chain.mint(9), chain.mint(6)  # SOL / USDC
        authority = Keypair().pubkey()
        self.coin_vault = chain.fund(authority, self.coin_mint, coin)
        self.pc_vault = chain.fund(authority, self.pc_mint, pc)
        self.address = Keypair().pubkey()
        chain.set_raw(self.address, amm_info(
            coin_vault=self.coin_vault, pc_vault=self.pc_vault, coin_mint=self.coin_mint,
            pc_mint=self.pc_mint, pnl_coin=pnl_coin, pnl_pc=pnl_pc, coin_decimals=9,
            pc_decimals=6), AMM, 6_124_800)


@pytest.fixture
async def rpc() -> AsyncIterator[tuple[LocalChain, SolanaRpc]]:
    chain = LocalChain()
    runner, url = await serve(rpc_app(chain))
    client = await rpc_component(url)
    yield chain, client
    await client.unload()
    await runner.cleanup()


def price(rpc: SolanaRpc, pool: Pubkey, base: Pubkey, **extra: str) -> RaydiumPrice:
    return RaydiumPrice(RaydiumPriceArgs(rpc=rpc, pool=str(pool), base=str(base), **extra),
                        context("raydium"))


def test_the_layout_puts_pnl_vaults_and_mints_where_the_program_does() -> None:
    vaults = [Keypair().pubkey() for _ in range(4)]
    state = parse_amm_v4(amm_info(coin_vault=vaults[0], pc_vault=vaults[1],
                                  coin_mint=vaults[2], pc_mint=vaults[3], pnl_coin=11,
                                  pnl_pc=22, coin_decimals=9, pc_decimals=6))
    assert (state.status, state.need_take_pnl_coin, state.need_take_pnl_pc) == (6, 11, 22)
    assert [state.coin_vault, state.pc_vault, state.coin_mint, state.pc_mint] == \
        [str(v) for v in vaults]


def test_data_of_another_size_is_not_a_pool() -> None:
    with pytest.raises(ValueError, match="752 bytes, this one is 751"):
        parse_amm_v4(bytes(751))


async def test_mid_price_is_the_vaults_net_of_pending_pnl(
        rpc: tuple[LocalChain, SolanaRpc]) -> None:
    chain, client = rpc
    pool = Pool(chain, coin=1_000 * 10**9 + 5 * 10**9, pc=150_000 * 10**6 + 3 * 10**6,
                pnl_coin=5 * 10**9, pnl_pc=3 * 10**6)
    quote = await price(client, pool.address, pool.coin_mint).pool_price()
    assert quote.price == Decimal("150")  # (150003 - 3) USDC / (1005 - 5) SOL
    assert (quote.base.decimals, quote.quote.decimals, quote.block) == (9, 6, chain.slot)


async def test_an_inexact_ratio_has_34_significant_digits(
        rpc: tuple[LocalChain, SolanaRpc]) -> None:
    chain, client = rpc
    pool = Pool(chain, coin=3 * 10**9, pc=1 * 10**6, pnl_coin=0, pnl_pc=0)
    assert await price(client, pool.address, pool.coin_mint).price() == \
        Decimal("0.3333333333333333333333333333333333")


async def test_pricing_the_pc_mint_inverts_the_price(rpc: tuple[LocalChain, SolanaRpc]) -> None:
    chain, client = rpc
    pool = Pool(chain, coin=1_000 * 10**9, pc=150_000 * 10**6, pnl_coin=0, pnl_pc=0)
    quoted = await price(client, pool.address, pool.pc_mint).quote()
    assert quoted.price == Decimal("0.006666666666666666666666666666666667")
    assert quoted.source == f"raydium:{pool.address}@{chain.slot}"


async def test_a_base_the_pool_does_not_trade_is_refused(
        rpc: tuple[LocalChain, SolanaRpc]) -> None:
    chain, client = rpc
    pool = Pool(chain, coin=10**9, pc=10**6, pnl_coin=0, pnl_pc=0)
    with pytest.raises(PriceUnavailable, match="not the base"):
        await price(client, pool.address, chain.mint(6)).price()


async def test_an_account_of_another_program_is_not_a_pool(
        rpc: tuple[LocalChain, SolanaRpc]) -> None:
    chain, client = rpc
    pool = Pool(chain, coin=10**9, pc=10**6, pnl_coin=0, pnl_pc=0)
    with pytest.raises(PriceUnavailable, match="not an account of the program"):
        await price(client, pool.address, pool.coin_mint,
                    program=str(Keypair().pubkey())).price()


async def test_a_pool_whose_pnl_takes_all_its_reserve_has_no_price(
        rpc: tuple[LocalChain, SolanaRpc]) -> None:
    chain, client = rpc
    pool = Pool(chain, coin=10**9, pc=10**6, pnl_coin=10**9, pnl_pc=0)
    with pytest.raises(PriceUnavailable, match="no liquidity net of its pending PnL"):
        await price(client, pool.address, pool.coin_mint).price()

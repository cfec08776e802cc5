"""The proxy and the wallet: what the stand-in refuses, and how each refusal reads.

The transactions here are built with multiversx-sdk directly (a signature by another key
cannot be made through the wallet, which refuses to sign for another sender), then sent
through the proxy component as the venue sends them.
"""

from __future__ import annotations

import importlib.metadata
import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from multiversx_sdk import (
    Transaction,
    TransactionComputer,
    UserPEM,
    UserSecretKey,
    UserWallet,
)

from plugins.exchanges.multiversx._errors import NonceRefused, TransactionRefused
from schemas import AuthenticationError, NetworkError, RateLimited
from schemas.swap import SwapKind
from tests.multiversx.conftest import (
    CHAIN,
    USDC,
    WALLET_EGLD,
    WEGLD,
    World,
    proxy_component,
    wallet_component,
)


def transfer(world: World, *, nonce: int, signer: UserSecretKey | None = None,
             data: bytes = b"") -> Transaction:
    transaction = Transaction(sender=world.wallet.address, receiver=world.wallet.address,
                              gas_limit=200_000, gas_price=1_000_000_000, chain_id=CHAIN,
                              nonce=nonce, data=data)
    transaction.signature = (signer or world.key).sign(
        TransactionComputer().compute_bytes_for_signing(transaction))
    return transaction


async def test_a_signature_by_another_key_is_refused_and_nothing_is_sent(world: World) -> None:
    with pytest.raises(TransactionRefused, match=r"nothing sent.*invalid signature") as refused:
        await world.proxy.send(transfer(world, nonce=0, signer=UserSecretKey.generate()))
    assert not refused.value.retryable
    assert world.chain.transactions == {}


async def test_a_signed_transaction_sent_twice_is_refused_as_a_replay(world: World) -> None:
    transaction = transfer(world, nonce=0)
    await world.proxy.send(transaction)
    with pytest.raises(TransactionRefused, match="replay"):
        await world.proxy.send(transaction)
    assert len(world.chain.transactions) == 1


async def test_a_used_nonce_is_refused_as_retryable(world: World) -> None:
    await world.proxy.send(transfer(world, nonce=0))
    with pytest.raises(NonceRefused, match="lowerNonceInTransaction") as refused:
        await world.proxy.send(transfer(world, nonce=0, data=b"another"))
    assert refused.value.retryable


async def test_after_a_nonce_refusal_the_wallet_reads_the_nonce_again(world: World) -> None:
    venue = await world.venue()
    wegld, usdc = await venue.token(WEGLD), await venue.token(USDC)
    deadline = venue.clock.now() + timedelta(minutes=1)
    quote = await venue.quote(SwapKind.EXACT_IN, wegld, usdc, Decimal(1))
    await venue.swap(quote.request(Decimal("0.01"), deadline))
    await world.proxy.send(transfer(world, nonce=1))  # another sender with the same key
    quote = await venue.quote(SwapKind.EXACT_IN, wegld, usdc, Decimal(1))
    with pytest.raises(NonceRefused):
        await venue.swap(quote.request(Decimal("0.01"), deadline))
    receipt = await venue.swap(quote.request(Decimal("0.01"), deadline))
    assert receipt.amount_in == 1
    assert world.chain.account(world.owner).nonce == 3


async def test_the_wallet_signs_what_the_stand_in_verifies_independently(world: World) -> None:
    transaction = Transaction(sender=world.wallet.address, receiver=world.wallet.address,
                              gas_limit=200_000, gas_price=1_000_000_000, chain_id=CHAIN,
                              nonce=0, data=b"hello")
    world.wallet.sign(transaction)
    await world.proxy.send(transaction)
    assert world.chain.account(world.owner).egld < WALLET_EGLD  # executed: the fee was paid


async def test_the_wallet_refuses_to_sign_for_another_sender(world: World) -> None:
    other = UserSecretKey.generate().generate_public_key().to_address("erd")
    transaction = Transaction(sender=other, receiver=other, gas_limit=50_000, chain_id=CHAIN)
    with pytest.raises(AuthenticationError, match="refusing to sign"):
        world.wallet.sign(transaction)


async def test_a_pem_wallet_file_gives_the_same_account(world: World) -> None:
    pem = UserPEM(world.owner, world.key).to_text()
    wallet = await wallet_component(world.proxy, pem)
    assert wallet.address.to_bech32() == world.owner


@pytest.mark.parametrize("key", ["not hex at all", "abcd", "zz" * 32])
async def test_a_malformed_key_is_reported_without_its_text(world: World, key: str) -> None:
    with pytest.raises(AuthenticationError, match="not a MultiversX secret key") as bad:
        await wallet_component(world.proxy, key)
    assert key not in str(bad.value)


def test_the_sdk_runs_beside_cryptography_50_which_ccxt_requires(tmp_path: Path) -> None:
    # multiversx-sdk 3.0.1 pins cryptography==48.0.1 and is installed without its pins;
    # cryptography serves its keystores (scrypt, AES-CTR, HMAC): a round trip proves them.
    assert importlib.metadata.version("cryptography").startswith("50.")
    key = UserSecretKey.generate()
    keystore = tmp_path / "wallet.json"
    keystore.write_text(json.dumps(UserWallet.from_secret_key(key, "password").to_dict()))
    assert UserWallet.load_secret_key(keystore, "password").hex() == key.hex()


async def test_the_key_never_appears_in_the_wallet_or_its_args(world: World) -> None:
    shown = repr(world.wallet) + str(world.wallet.args) + repr(world.wallet.args)
    assert world.key.hex() not in shown
    assert world.owner in repr(world.wallet)


async def test_a_proxy_that_cannot_be_reached_is_a_retryable_network_error() -> None:
    with pytest.raises(NetworkError, match="cannot reach the proxy") as unreachable:
        await proxy_component("http://127.0.0.1:9")  # the discard port: nothing listens
    assert unreachable.value.retryable


async def test_a_rate_limited_proxy_is_reported_as_retryable_with_its_words(
        world: World) -> None:
    world.chain.rate_limited = True
    with pytest.raises(RateLimited, match="too many requests") as limited:
        await world.proxy.egld(world.wallet.address)
    assert limited.value.retryable

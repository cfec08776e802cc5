"""SPL Token accounts read byte for byte, and where a wallet's token account is.

Layouts (the SPL Token program's ``state.rs``; Token-2022 keeps the same base layout and
appends extensions): a mint is 82 bytes, ``decimals`` the byte at offset 44; a token
account is 165 bytes, its mint at 0..32, its owner at 32..64 and its amount a little-endian
u64 at 64..72. A wallet's token account for a mint is its associated token account, the
program address of (wallet, token program, mint) under the associated-token program.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = [
    "ASSOCIATED_TOKEN_PROGRAM",
    "TOKEN_2022_PROGRAM",
    "TOKEN_PROGRAM",
    "TokenAccount",
    "associated_token_address",
    "mint_decimals",
    "token_account",
]

TOKEN_PROGRAM = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"
TOKEN_2022_PROGRAM = "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb"
ASSOCIATED_TOKEN_PROGRAM = "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL"
TOKEN_PROGRAMS = (TOKEN_PROGRAM, TOKEN_2022_PROGRAM)

MINT_SIZE = 82
TOKEN_ACCOUNT_SIZE = 165


class TokenAccount(NamedTuple):
    mint: str
    owner: str
    amount: int


def _base58(raw: bytes) -> str:
    from solders.pubkey import Pubkey

    return str(Pubkey.from_bytes(raw))


def mint_decimals(data: bytes) -> int:
    """The decimals of a mint account's data; ValueError when it is not a mint."""
    if len(data) < MINT_SIZE or data[45] != 1:
        raise ValueError(f"not an initialised SPL mint ({len(data)} bytes)")
    return data[44]


def token_account(data: bytes) -> TokenAccount:
    """A token account's mint, owner and amount; ValueError when it is not one."""
    if len(data) < TOKEN_ACCOUNT_SIZE:
        raise ValueError(f"not an SPL token account ({len(data)} bytes)")
    return TokenAccount(_base58(data[0:32]), _base58(data[32:64]),
                        int.from_bytes(data[64:72], "little"))


def associated_token_address(wallet: str, mint: str, program: str = TOKEN_PROGRAM) -> str:
    """The associated token account of ``wallet`` for ``mint`` (base58)."""
    from solders.pubkey import Pubkey

    address, _ = Pubkey.find_program_address(
        [bytes(Pubkey.from_string(wallet)), bytes(Pubkey.from_string(program)),
         bytes(Pubkey.from_string(mint))],
        Pubkey.from_string(ASSOCIATED_TOKEN_PROGRAM))
    return str(address)

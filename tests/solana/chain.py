"""A local Solana cluster for the tests: LiteSVM behind a JSON-RPC stand-in (aiohttp).

:class:`LocalChain` holds a ``solders.litesvm.LiteSVM`` (the Solana runtime in process, with
the real SPL Token program) and writes mints and token accounts byte for byte as the SPL
Token program lays them out. :func:`rpc_app` serves it over the JSON-RPC methods the
clients use (``getGenesisHash``, ``getMultipleAccounts``, ``getBalance``,
``getLatestBlockhash``, ``sendTransaction``, ``getSignatureStatuses``, ``getTransaction``)
in the documented wire format. ``sendTransaction`` does what a node's preflight does: it
verifies signatures and simulates first, and refuses (JSON-RPC error, nothing executed) a
bad signature, an unknown blockhash, a replay or a failing simulation. With ``hold`` set
it accepts transactions without ever executing them (a transaction that does not land).
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from solders.account import Account
from solders.keypair import Keypair
from solders.litesvm import LiteSVM
from solders.pubkey import Pubkey
from solders.transaction import VersionedTransaction
from solders.transaction_metadata import FailedTransactionMetadata
from solders.transaction_status import (
    InstructionErrorCustom,
    TransactionErrorFieldless,
    TransactionErrorInstructionError,
)

from plugins.exchanges.solana._spl import TOKEN_PROGRAM, associated_token_address

TOKEN = Pubkey.from_string(TOKEN_PROGRAM)
GENESIS_HASH = "4uhcVJyU9pJkvQyS88uRDiswHXSCkY3zQawwpjk2NsNY"
RENT_EXEMPT_MINT = 1_461_600
RENT_EXEMPT_TOKEN_ACCOUNT = 2_039_280


def mint_data(decimals: int, supply: int = 0) -> bytes:
    """An initialised SPL mint (82 bytes): no authority, ``supply``, ``decimals``."""
    return (bytes(4) + bytes(32) + supply.to_bytes(8, "little") + bytes([decimals, 1])
            + bytes(4) + bytes(32))


def token_account_data(mint: Pubkey, owner: Pubkey, amount: int) -> bytes:
    """An initialised SPL token account (165 bytes) of ``owner`` holding ``amount``."""
    return (bytes(mint) + bytes(owner) + amount.to_bytes(8, "little") + bytes(4) + bytes(32)
            + bytes([1]) + bytes(12) + bytes(8) + bytes(4) + bytes(32))


@dataclass
class Executed:
    slot: int
    raw: bytes
    fee: int
    units: int
    logs: list[str]
    pre_balances: list[int]
    post_balances: list[int]
    pre_tokens: list[dict[str, Any]]
    post_tokens: list[dict[str, Any]]
    block_time: int


@dataclass
class LocalChain:
    svm: LiteSVM = field(default_factory=LiteSVM)
    slot: int = 1
    genesis_hash: str = GENESIS_HASH
    hold: bool = False
    lose_send_answers: bool = False
    executed: dict[str, Executed] = field(default_factory=dict)
    held: list[str] = field(default_factory=list)

    def mint(self, decimals: int, address: Pubkey | None = None) -> Pubkey:
        address = address or Keypair().pubkey()
        self.svm.set_account(address, Account(RENT_EXEMPT_MINT, mint_data(decimals), TOKEN,
                                              False, 0))
        return address

    def fund(self, owner: Pubkey, mint: Pubkey, amount: int) -> Pubkey:
        """Set ``owner``'s associated token account for ``mint`` to hold ``amount``."""
        address = Pubkey.from_string(associated_token_address(str(owner), str(mint)))
        self.svm.set_account(address, Account(RENT_EXEMPT_TOKEN_ACCOUNT,
                                               token_account_data(mint, owner, amount), TOKEN,
                                               False, 0))
        return address

    def set_raw(self, address: Pubkey, data: bytes, owner: Pubkey, lamports: int) -> None:
        self.svm.set_account(address, Account(lamports, data, owner, False, 0))

    def token_amount(self, owner: Pubkey, mint: Pubkey) -> int:
        account = self.svm.get_account(
            Pubkey.from_string(associated_token_address(str(owner), str(mint))))
        assert account is not None
        return int.from_bytes(bytes(account.data)[64:72], "little")

    def _token_balances(self, keys: list[Pubkey]) -> list[dict[str, Any]]:
        out = []
        for index, key in enumerate(keys):
            account = self.svm.get_account(key)
            if account is None or account.owner != TOKEN or len(account.data) != 165:
                continue
            data = bytes(account.data)
            mint = Pubkey.from_bytes(data[0:32])
            mint_account = self.svm.get_account(mint)
            assert mint_account is not None
            decimals = bytes(mint_account.data)[44]
            amount = int.from_bytes(data[64:72], "little")
            out.append({
                "accountIndex": index, "mint": str(mint),
                "owner": str(Pubkey.from_bytes(data[32:64])), "programId": TOKEN_PROGRAM,
                "uiTokenAmount": {"amount": str(amount), "decimals": decimals,
                                  "uiAmount": amount / 10**decimals,
                                  "uiAmountString": str(amount / 10**decimals)}})
        return out

    def send(self, raw: bytes) -> str:
        """Preflight then execute ``raw``; its signature. ValueError(code, message) when
        the node would refuse it."""
        try:
            transaction = VersionedTransaction.from_bytes(raw)
        except Exception as error:
            raise RpcRefusal(-32602, f"invalid transaction: {error}") from None
        if not all(transaction.verify_with_results()):
            raise RpcRefusal(-32003, "Transaction signature verification failure")
        signature = str(transaction.signatures[0])
        if signature in self.executed:
            raise RpcRefusal(-32002, "Transaction simulation failed: This transaction has "
                             "already been processed", _preflight("AlreadyProcessed"))
        simulated = self.svm.simulate_transaction(transaction)
        if isinstance(simulated, FailedTransactionMetadata):
            failure, logs = simulated.err(), list(simulated.meta().logs())
            if failure == TransactionErrorFieldless.BlockhashNotFound:
                raise RpcRefusal(-32002, "Transaction simulation failed: Blockhash not found",
                                 _preflight("BlockhashNotFound"))
            failed = next((line.split(" failed: ", 1)[1] for line in reversed(logs)
                           if " failed: " in line), str(failure))
            index = getattr(failure, "index", None)
            where = f"Error processing Instruction {index}: " if index is not None else ""
            detail = _wire_error(failure)
            raise RpcRefusal(-32002, f"Transaction simulation failed: {where}{failed}",
                             _preflight(detail, logs, simulated.meta().compute_units_consumed()))
        if self.hold:
            self.held.append(signature)
            return signature
        keys = list(transaction.message.account_keys)
        pre_balances = [self.svm.get_balance(key) or 0 for key in keys]
        pre_tokens = self._token_balances(keys)
        result = self.svm.send_transaction(transaction)
        assert not isinstance(result, FailedTransactionMetadata), result
        post_balances = [self.svm.get_balance(key) or 0 for key in keys]
        self.slot += 1
        self.svm.warp_to_slot(self.slot)
        self.executed[signature] = Executed(
            slot=self.slot, raw=raw, fee=pre_balances[0] - post_balances[0],
            units=int(result.compute_units_consumed()), logs=list(result.logs()),
            pre_balances=pre_balances, post_balances=post_balances, pre_tokens=pre_tokens,
            post_tokens=self._token_balances(keys), block_time=int(time.time()))
        return signature


def _preflight(error: Any, logs: list[str] | None = None, units: int = 0) -> dict[str, Any]:
    """The ``data`` of a -32002 preflight failure: the simulation's result."""
    return {"err": error, "logs": logs or [], "accounts": None, "unitsConsumed": units,
            "returnData": None, "innerInstructions": None, "replacementBlockhash": None}


def _wire_error(error: Any) -> Any:
    """A transaction error as the JSON-RPC API writes it."""
    if isinstance(error, TransactionErrorInstructionError):
        inner = error.err
        if isinstance(inner, InstructionErrorCustom):
            return {"InstructionError": [error.index, {"Custom": inner.code}]}
        return {"InstructionError": [error.index, str(inner).rsplit(".", 1)[-1]]}
    return str(error).rsplit(".", 1)[-1]


class RpcRefusal(Exception):
    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.code, self.message, self.data = code, message, data


def _context(chain: LocalChain) -> dict[str, Any]:
    return {"slot": chain.slot, "apiVersion": "2.2.0"}


def _account(chain: LocalChain, address: str) -> dict[str, Any] | None:
    account = chain.svm.get_account(Pubkey.from_string(address))
    if account is None or (account.lamports == 0 and not account.data):
        return None
    return {"data": [base64.b64encode(bytes(account.data)).decode(), "base64"],
            "executable": account.executable, "lamports": account.lamports,
            "owner": str(account.owner), "rentEpoch": 18446744073709551615,
            "space": len(account.data)}


def _answer(chain: LocalChain, method: str, params: list[Any]) -> Any:
    if method == "getGenesisHash":
        return chain.genesis_hash
    if method == "getMultipleAccounts":
        return {"context": _context(chain), "value": [_account(chain, a) for a in params[0]]}
    if method == "getAccountInfo":
        return {"context": _context(chain), "value": _account(chain, params[0])}
    if method == "getBalance":
        return {"context": _context(chain),
                "value": chain.svm.get_balance(Pubkey.from_string(params[0])) or 0}
    if method == "getLatestBlockhash":
        return {"context": _context(chain), "value": {
            "blockhash": str(chain.svm.latest_blockhash()),
            "lastValidBlockHeight": chain.slot + 150}}
    if method == "sendTransaction":
        encoding = (params[1] if len(params) > 1 else {}).get("encoding", "base58")
        if encoding != "base64":
            raise RpcRefusal(-32602, f"unsupported encoding {encoding} (the stand-in reads "
                             "base64)")
        return chain.send(base64.b64decode(params[0]))
    if method == "getSignatureStatuses":
        return {"context": _context(chain), "value": [
            None if s not in chain.executed else {
                "slot": chain.executed[s].slot, "confirmations": None, "err": None,
                "status": {"Ok": None}, "confirmationStatus": "finalized"}
            for s in params[0]]}
    if method == "getTransaction":
        done = chain.executed.get(params[0])
        if done is None:
            return None
        return {"slot": done.slot, "blockTime": done.block_time, "version": 0,
                "transaction": [base64.b64encode(done.raw).decode(), "base64"],
                "meta": {"err": None, "status": {"Ok": None}, "fee": done.fee,
                         "preBalances": done.pre_balances, "postBalances": done.post_balances,
                         "innerInstructions": [], "logMessages": done.logs,
                         "preTokenBalances": done.pre_tokens,
                         "postTokenBalances": done.post_tokens, "rewards": [],
                         "loadedAddresses": {"writable": [], "readonly": []},
                         "computeUnitsConsumed": done.units}}
    raise RpcRefusal(-32601, f"Method not found: {method}")


def rpc_app(chain: LocalChain) -> web.Application:
    """The JSON-RPC stand-in serving ``chain`` at ``/``."""

    async def handle(request: web.Request) -> web.Response:
        body = json.loads(await request.text())
        ident = body.get("id")
        try:
            result = _answer(chain, body["method"], body.get("params") or [])
            if body["method"] == "sendTransaction" and chain.lose_send_answers:
                return web.Response(status=502, text="Bad Gateway")
        except RpcRefusal as refusal:
            error: dict[str, Any] = {"code": refusal.code, "message": refusal.message}
            if refusal.data is not None:
                error["data"] = refusal.data
            return web.json_response({"jsonrpc": "2.0", "error": error, "id": ident})
        return web.json_response({"jsonrpc": "2.0", "result": result, "id": ident})

    app = web.Application()
    app.router.add_post("/", handle)
    return app

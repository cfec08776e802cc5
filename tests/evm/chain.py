"""A real local EVM node (anvil from npm) and the published contracts deployed on it.

``tests/evm/node`` pins the node and the contract builds (``npm ci`` there, run by
``scripts/bootstrap``); ``tests/evm/contracts`` holds the two small contracts of our own
(a token of any decimals, a pair router for forks without a published router) with their
committed artifacts. Deployment uses web3.py's synchronous client: it is setup, not the
code under test.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from web3 import HTTPProvider, Web3

from tests.conftest import REPO

NODE = REPO / "tests" / "evm" / "node"
MODULES = NODE / "node_modules"
CONTRACTS = REPO / "tests" / "evm" / "contracts"
CHAIN_ID = 31337

# anvil's default accounts (its published development mnemonic): test keys only.
KEYS = [
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
]


def anvil_binary() -> Path:
    found = sorted(MODULES.glob("@foundry-rs/anvil-*/bin/anvil"))
    if not found:
        raise RuntimeError(
            f"anvil is not installed under {MODULES}: run scripts/bootstrap "
            "(it runs `npm ci` in tests/evm/node)")
    return found[0]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Anvil:
    """One anvil process on a free port, mining each transaction in its own block."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [str(anvil_binary()), "--port", str(self.port), "--chain-id", str(CHAIN_ID),
             "--silent", "--accounts", str(len(KEYS))],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        self.web3 = Web3(HTTPProvider(self.url, request_kwargs={"timeout": 10}))
        deadline = time.monotonic() + 15
        while True:
            try:
                if self.web3.eth.chain_id == CHAIN_ID:
                    break
            except Exception:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("anvil did not start") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def rpc(self, method: str, *params: Any) -> Any:
        response = self.web3.provider.make_request(method, list(params))  # type: ignore[arg-type]
        if "error" in response:
            raise RuntimeError(f"{method}: {response['error']}")
        return response["result"]


def artifact(path: Path) -> tuple[list[Any], str]:
    data = json.loads(path.read_text())
    bytecode = data.get("bytecode") or data["evm"]["bytecode"]["object"]
    if not bytecode.startswith("0x"):
        bytecode = "0x" + bytecode
    return data["abi"], bytecode


@dataclass
class Deployer:
    """Deploys and calls contracts from one of anvil's accounts."""

    web3: Web3
    key: str = KEYS[0]
    address: str = field(init=False)

    def __post_init__(self) -> None:
        self.address = self.web3.eth.account.from_key(self.key).address

    def deploy(self, path: Path, *args: Any) -> Any:
        abi, bytecode = artifact(path)
        contract = self.web3.eth.contract(abi=abi, bytecode=bytecode)
        receipt = self._send(contract.constructor(*args))
        return self.web3.eth.contract(address=receipt["contractAddress"], abi=abi)

    def call(self, function: Any, key: str | None = None) -> Any:
        return self._send(function, key)

    def _send(self, function: Any, key: str | None = None) -> Any:
        signer = self.web3.eth.account.from_key(key or self.key)
        transaction = function.build_transaction({
            "from": signer.address,
            "nonce": self.web3.eth.get_transaction_count(signer.address, "pending"),
            "chainId": CHAIN_ID,
        })
        transaction["gas"] = transaction["gas"] * 2  # headroom: estimates can fall short
        signed = signer.sign_transaction(transaction)
        tx_hash = self.web3.eth.send_raw_transaction(signed.raw_transaction)
        receipt = self.web3.eth.wait_for_transaction_receipt(tx_hash, timeout=30)
        if receipt["status"] != 1:
            raise RuntimeError(f"setup transaction reverted: {function}")
        return receipt


def sigterm_after(command: list[str], marker: str, *, cwd: Path,
                  env: dict[str, str]) -> tuple[int, str]:
    """Run ``command`` until a line of its output contains ``marker``, then send it SIGTERM;
    its exit code and whole output (killed after two minutes, whatever happens)."""
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    watchdog = threading.Timer(120, process.kill)
    watchdog.start()
    lines: list[str] = []
    try:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if marker in line:
                break
        process.send_signal(signal.SIGTERM)
        rest, _ = process.communicate(timeout=60)
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()
    return process.returncode, "".join(lines) + rest

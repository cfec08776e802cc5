"""Start anvil on 127.0.0.1:8545 and deploy the test world, for running configs/evm by hand:
``.venv/bin/python -m tests.evm.local`` (Ctrl-C stops the node)."""

from __future__ import annotations

import signal
import time

from tests.evm.chain import KEYS, Anvil
from tests.evm.conftest import deploy


def main() -> None:
    anvil = Anvil(port=8545)
    try:
        world = deploy(anvil)
        print(f"anvil at {anvil.url}, chain 31337")
        print(f"USDC {world.usdc.address}  WETH {world.weth.address}")
        print(f"Uniswap v2 factory {world.v2_factory.address}  router {world.v2_router.address}")
        print(f"pair {world.v2_pair}; a funded test key: {KEYS[1]}")
        algebra = world.algebra
        print(f"Algebra pool deployer {algebra.pool_deployer.address}  router "
              f"{algebra.router.address}  quoter {algebra.quoter.address}  pool {algebra.pool}")
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        anvil.stop()


if __name__ == "__main__":
    main()

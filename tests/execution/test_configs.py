"""The shipped execution mandates: every file validates, and those on the sim run to the end
(the on-chain ones run against anvil: tests/evm/test_swap_configs.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fortuna import run, validate
from plugins.execution._parent import ExecutionService
from tests.conftest import copy_of_mandate

CONFIGS = Path(__file__).resolve().parents[2] / "configs" / "execution"
MANDATES = sorted(CONFIGS.glob("*.yaml"))
SIM_MANDATES = [p for p in MANDATES if not p.stem.startswith("swap_")]


def test_there_is_a_mandate_for_every_algorithm() -> None:
    assert {p.stem for p in MANDATES} >= {"twap", "pov", "pegger", "swap_twap", "swap_pov"}


@pytest.mark.parametrize("path", MANDATES, ids=lambda p: p.stem)
def test_a_shipped_mandate_validates(path: Path) -> None:
    assert [str(f) for f in validate(path).findings] == []


@pytest.mark.parametrize("path", SIM_MANDATES, ids=lambda p: p.stem)
async def test_a_shipped_mandate_works_its_whole_parent_order_on_the_sim(
    path: Path, tmp_path: Path
) -> None:
    graph = await run(copy_of_mandate(path, tmp_path))
    service = graph.service
    assert isinstance(service, ExecutionService)
    assert service.report is not None
    assert service.report.state == "done"
    assert service.report.filled == service.args.amount
    venue = service.args.exchange
    own = [o for o in await venue.fetch_open_orders(service.args.symbol)
           if (o.client_order_id or "").startswith(service.prefix)]
    assert own == []

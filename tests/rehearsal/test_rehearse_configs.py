"""Every example mandate that can run on the simulated venue rehearses, and its summary
reconciles to the last digit with its fills and its balances."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from fortuna._internal.rehearsal import RehearsalRefused
from plugins.rehearsal.summary import RunSummary
from schemas import Side, money
from tests.rehearsal.support import CONFIGS, rehearse

QUOTING = sorted(
    str(path.relative_to(CONFIGS)) for path in CONFIGS.rglob("*.yaml")
    if re.search(r"id: market_making\s*$", path.read_text(encoding="utf-8"), re.M)
    and "exchanges.solana" not in path.read_text(encoding="utf-8")
    and "prices.dexscreener" not in path.read_text(encoding="utf-8")
)
ON_CHAIN = sorted(
    str(path.relative_to(CONFIGS)) for path in CONFIGS.rglob("*.yaml")
    if any(part in path.read_text(encoding="utf-8")
           for part in ("exchanges.evm.", "exchanges.solana.", "prices.dexscreener"))
)


def _check_reconciles(summary: RunSummary) -> None:
    assert summary.books, "a quoting mandate has a book to summarise"
    for book in summary.books:
        figures = book.figures()
        assert figures["reconciliation"]["ok"], figures["reconciliation"]
        assert book.base_end is not None
        assert book.quote_end is not None
        assert book.mark is not None
        value_change = money.add(money.subtract(book.quote_end, book.quote_start),
                                 money.multiply(money.subtract(book.base_end,
                                                               book.base_start), book.mark))
        assert figures["pnl"]["total"] == value_change
        assert figures["pnl"]["fees"] == money.total(f.fee for f in book.fills)
        assert money.add(figures["pnl"]["realised"], figures["pnl"]["unrealised"]) == \
            value_change
        bought = money.total(f.amount for f in book.fills if f.side is Side.BUY)
        sold = money.total(f.amount for f in book.fills if f.side is Side.SELL)
        assert money.subtract(book.base_end, book.base_start) == money.subtract(bought, sold)
        assert figures["volume"]["buy"]["base"] == bought
        assert figures["volume"]["sell"]["base"] == sold


@pytest.mark.parametrize("config", QUOTING)
async def test_rehearsal_summary_reconciles_with_fills_and_balances(
    config: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the mandates' SQLite files and HALT paths are relative
    # a mandate on a live venue needs its market's starting price (a sim's has its own)
    summary, _ = await rehearse(CONFIGS / config, duration=900.0,
                                prices={"BTC/USDT": "65000", "ETH/USDT": "3000"})
    _check_reconciles(summary)


async def test_the_demo_fills_on_both_sides_and_is_quoted_two_sided(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    summary, _ = await rehearse(CONFIGS / "demo.yaml", duration=900.0)
    figures = summary.figures()["books"][0]
    assert figures["volume"]["buy"]["fills"] > 0
    assert figures["volume"]["sell"]["fills"] > 0
    assert figures["quoting"]["two_sided_fraction"] > Decimal("0.9")
    assert figures["quoting"]["target_spread_bps"] == Decimal("12.00")
    assert figures["orders"]["placed"] > 0
    assert summary.figures()["venues"] == {}  # its one venue is the quoted book's


async def test_a_live_exchange_mandate_rehearses_on_the_sim_with_given_prices(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    summary, rehearsal = await rehearse(
        CONFIGS / "arbitrage" / "case_study.yaml",
        prices={"BTC/USDT": "65000", "BTC/USDC": "65010", "USDC/USDT": "1"})
    became = {s.component: s.becomes for s in rehearsal.substitutions}
    assert became["binance"] == "exchanges.sim"
    assert became["mexc"] == "exchanges.sim"
    assert became["clock"] == "clock.virtual"
    venues = summary.figures()["venues"]
    assert sorted(venues) == ["binance", "mexc"]
    assert venues["binance"]["USDT"]["start"] == 100000
    for balances in venues.values():
        for row in balances.values():
            assert row["change"] == row["end"] - row["start"]


@pytest.mark.parametrize("config", ON_CHAIN)
async def test_an_on_chain_mandate_is_refused_naming_the_part(config: str) -> None:
    with pytest.raises(RehearsalRefused) as refused:
        await rehearse(CONFIGS / config)
    assert any("cannot simulate" in reason for reason in refused.value.reasons)


async def test_the_seed_decides_the_synthetic_market(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    async def fills(seed: int) -> list[tuple[object, ...]]:
        summary, _ = await rehearse(CONFIGS / "demo.yaml", duration=600.0, seed=seed)
        return [(f.timestamp, f.side, f.price, f.amount) for f in summary.books[0].fills]

    first = await fills(1)
    assert first == await fills(1)
    assert first != await fills(2)


async def test_a_postgres_sink_writes_to_a_local_file_instead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FORTUNA_METRICS_DSN", raising=False)  # no database is needed
    _, rehearsal = await rehearse(CONFIGS / "metrics" / "postgres.yaml", duration=120.0)
    assert [(s.was, s.becomes) for s in rehearsal.substitutions
            if s.component == "metrics_db"] == [("sinks.postgres", "sinks.sqlite")]
    assert (tmp_path / "rehearsal-metrics_db.sqlite").exists()

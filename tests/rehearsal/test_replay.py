"""Replaying recorded market data: the same input gives the same fills, and recorded data
that cannot be replayed is refused with the file, the line and the column."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from fortuna._internal.rehearsal import RehearsalRefused
from plugins.exchanges.sim.recording import RecordingError, read_recording
from tests.rehearsal.support import CONFIGS, rehearse, write_trades


async def test_a_replay_of_the_same_file_gives_the_same_fills(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    data = write_trades(tmp_path / "trades.csv")
    first, _ = await rehearse(CONFIGS / "demo.yaml", duration=1800, data=str(data))
    second, _ = await rehearse(CONFIGS / "demo.yaml", duration=1800, data=str(data))
    fills = [(f.timestamp, f.side, f.price, f.amount, f.fee) for f in first.books[0].fills]
    again = [(f.timestamp, f.side, f.price, f.amount, f.fee) for f in second.books[0].fills]
    assert fills, "the recorded trades reach the demo's quotes"
    assert fills == again


async def test_a_replay_runs_on_the_recorded_time_and_reconciles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    data = write_trades(tmp_path / "trades.csv", start=1764460800)
    summary, rehearsal = await rehearse(CONFIGS / "demo.yaml", duration=900, data=str(data))
    assert summary.started_at == 1764460800
    assert rehearsal.span == 1799
    assert summary.books[0].figures()["reconciliation"]["ok"]


async def test_recorded_trades_fill_only_orders_they_reach(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    data = write_trades(tmp_path / "trades.csv")
    recording = read_recording(str(data))
    summary, _ = await rehearse(CONFIGS / "demo.yaml", duration=1800, data=str(data))
    tape = recording.trades["BTC/USDT"]
    reached = 0
    for fill in summary.books[0].fills:
        t = fill.timestamp.timestamp()
        reaching = [price for when, side, price, _ in tape if when == t
                    and side.value != fill.side.value]
        if reaching:  # filled by a recorded trade at or through the order's price
            assert any(price <= fill.price if fill.side.value == "buy" else
                       price >= fill.price for price in reaching)
            reached += 1
    assert reached > 0


def test_the_listeners_sqlite_tables_are_read_like_csv(tmp_path: Path) -> None:
    path = tmp_path / "recorded.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE fortuna_trades (id TEXT, mandate TEXT, venue TEXT, "
                   "timestamp TEXT, symbol TEXT, trade_id TEXT, side TEXT, price TEXT, "
                   "amount TEXT)")
        db.execute("INSERT INTO fortuna_trades VALUES ('a', 'm', 'sim', "
                   "'2026-01-01T00:00:01.000000+00:00', 'BTC/USDT', '1', 'buy', '65000.5', "
                   "'0.01')")
    recording = read_recording(str(path))
    assert recording.trades["BTC/USDT"][0][0] == 1767225601.0
    assert str(recording.trades["BTC/USDT"][0][2]) == "65000.5"
    assert str(recording.first_price("BTC/USDT")) == "65000.5"


def test_trades_in_any_accepted_form_are_read_alike_and_in_order(tmp_path: Path) -> None:
    """Epoch seconds or ISO 8601, cells padded with spaces or not, numbers in exponent
    form: the same trades, exactly, in the file's order."""
    path = tmp_path / "trades.csv"
    path.write_text(
        "timestamp,symbol,side,price,amount\n"
        "1767225601,BTC/USDT,buy,65000.50,0.0100\n"
        "2026-01-01T00:00:02Z,BTC/USDT,sell,65000.4,0.02\n"
        " 1767225603 , BTC/USDT , buy , 65000.3 , 0.03 \n"
        "1767225604.5,BTC/USDT,sell,6.50003E+4,3E-2\n",
        encoding="utf-8")
    trades = read_recording(str(path)).trades["BTC/USDT"]
    assert [(t, side.value, str(price), str(amount)) for t, side, price, amount in trades] == [
        (1767225601.0, "buy", "65000.50", "0.0100"),
        (1767225602.0, "sell", "65000.4", "0.02"),
        (1767225603.0, "buy", "65000.3", "0.03"),
        (1767225604.5, "sell", "65000.3", "0.03"),
    ]


def test_book_snapshots_give_the_mid_as_reference(tmp_path: Path) -> None:
    path = tmp_path / "book.csv"
    path.write_text("timestamp,symbol,side,level,price,amount\n"
                    "100,BTC/USDT,bid,0,99.5,1\n100,BTC/USDT,ask,0,100.5,2\n"
                    "100,BTC/USDT,ask,1,101,2\n", encoding="utf-8")
    assert str(read_recording(str(path)).first_price("BTC/USDT")) == "100.0"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("timestamp,symbol,side,price,amount\n1,BTC/USDT,buy,abc,1\n",
         "trades.csv:2: price: 'abc' is not a decimal number"),
        ("timestamp,symbol,side,price,amount\n1,BTC/USDT,buy,1\n",
         "trades.csv:2: 4 values, the header has 5"),
        ("timestamp,symbol,side,price,amount\n1,BTC/USDT,up,1,1\n",
         "trades.csv:2: side: 'up' is not buy or sell"),
        ("timestamp,symbol,side,price,amount\nyesterday,BTC/USDT,buy,1,1\n",
         "trades.csv:2: timestamp: 'yesterday' is neither ISO 8601"),
        ("timestamp,symbol,side,price,amount,colour\n1,BTC/USDT,buy,1,1,red\n",
         "trades.csv:1: unknown column(s) colour for trades"),
        ("when,what\n1,2\n", "trades.csv:1: the header when,what is none of the recorded"),
        ("timestamp,symbol,side,price,amount\n1,BTCUSDT,buy,1,1\n",
         "trades.csv:2: symbol: 'BTCUSDT' is not BASE/QUOTE"),
        ("timestamp,symbol,side,price,amount\n1,BTC/USDT,buy,-1,1\n",
         "trades.csv:2: price: '-1' must be a positive number"),
        ("", "trades.csv: empty file"),
    ],
)
def test_malformed_recorded_data_is_refused_at_its_line(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "trades.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RecordingError) as error:
        read_recording(str(path))
    assert message in str(error.value)


def test_a_missing_data_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="no such file or directory"):
        read_recording(str(tmp_path / "absent.csv"))


def test_a_directory_without_data_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="no recorded data"):
        read_recording(str(tmp_path))


async def test_data_without_the_mandates_symbol_refuses_the_rehearsal(tmp_path: Path) -> None:
    data = write_trades(tmp_path / "eth.csv", symbol="ETH/USDT")
    with pytest.raises(RehearsalRefused) as refused:
        await rehearse(CONFIGS / "demo.yaml", data=str(data))
    assert "no recorded prices of BTC/USDT (the data has ETH/USDT)" in refused.value.reasons[0]


async def test_a_mandate_replays_by_itself_without_the_command(tmp_path: Path) -> None:
    import fortuna
    from plugins.rehearsal.summary import RunSummary

    data = write_trades(tmp_path / "trades.csv", start=1764460800)
    mandate = fortuna.Mandate(service="@mm", components={
        "clock": {"id": "clock.virtual", "args": {"start": "2025-11-30T00:00:00Z"}},
        "market": {"id": "exchanges.sim.replay", "args": {"path": str(data)}},
        "sim": {"id": "exchanges.sim", "args": {
            "markets": [{"symbol": "BTC/USDT"}], "prices": "@market", "trade_rate": 0,
            "balances": {"USDT": 100000, "BTC": 1}}},
        "price": {"id": "prices.ticker", "args": {"exchange": "@sim", "symbol": "BTC/USDT"}},
        "ladder": {"id": "market_making.strategies.ladder", "args": {
            "levels": 1, "spread": "0.0003", "amount": "0.01"}},
        "executor": {"id": "market_making.executors.exchange"},
        "mm": {"id": "market_making", "args": {
            "exchange": "@sim", "symbol": "BTC/USDT", "price": "@price", "strategy": "@ladder",
            "executor": "@executor", "mandate": "replay", "interval": "1s"}},
    })
    summary = RunSummary({"rehearsal": True})
    await fortuna.run(mandate, duration=900, observers=[summary])
    book = summary.books[0]
    assert book.fills
    assert book.figures()["reconciliation"]["ok"]
    assert book.samples[0].reference is not None
    assert abs(book.samples[0].reference - 65000) < 100

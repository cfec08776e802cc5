"""``fortuna catalog``: a family is one entry; listed inside, tuned members are marked."""

from __future__ import annotations

import pytest

from fortuna._internal.cli import main


def test_the_ccxt_family_is_one_entry_in_the_whole_catalog(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["catalog"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if "ccxt" in line]
    assert len(rows) == 1
    assert rows[0].startswith("exchanges.ccxt.<id>")
    assert "`fortuna catalog exchanges.ccxt` lists them, tuned ones marked" in rows[0]


def test_inside_the_family_each_venue_says_whether_it_is_tuned(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["catalog", "exchanges.ccxt"]) == 0
    rows = dict(line.split(None, 1) for line in capsys.readouterr().out.splitlines())
    assert rows["exchanges.ccxt.okx"].startswith("OKX through ccxt (tuned:")
    generic = [cid for cid, text in rows.items() if "(generic:" in text]
    assert generic
    assert all("(tuned:" not in rows[cid] for cid in generic)
